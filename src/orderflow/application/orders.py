"""Order use cases: each function is one transaction through a unit of work."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from orderflow import codec
from orderflow.application import fraud, fulfilment, inventory, payments
from orderflow.application.commands import LineInput, PlaceOrder
from orderflow.application.digital import deliver_digital, digital_value
from orderflow.application.retry import retry_on_conflict
from orderflow.application.services import CaptureMode, Services
from orderflow.domain import events as ev
from orderflow.domain.checks import check_text, parse_enum
from orderflow.domain.errors import (
    DuplicateOrder,
    HoldError,
    IdempotencyConflict,
    IllegalTransition,
    Problem,
    ValidationError,
)
from orderflow.domain.fraud import FraudDecision
from orderflow.domain.holds import HoldType
from orderflow.domain.inventory import Reservation
from orderflow.domain.money import Money
from orderflow.domain.order import HOLD_EXPIRY, ORDER_LIFECYCLE, Order, OrderStatus
from orderflow.domain.pricing import LineDraft, price_order
from orderflow.domain.values import Actor
from orderflow.ports import UnitOfWork
from orderflow.ports.payments import GatewayUnavailable

log = logging.getLogger("orderflow.orders")


def parse_place_order(data: Mapping[str, Any] | PlaceOrder) -> PlaceOrder:
    """A PlaceOrder from JSON-like data (or as given), every bad field named by its path."""
    return data if isinstance(data, PlaceOrder) else codec.structure(data, PlaceOrder)


def place_order(svc: Services, command: PlaceOrder, actor: Actor) -> Order:
    """Take in an order; a retry with the same (channel, external reference) returns that order."""
    drafts, amounts = _money_of(command)
    lines, shipping_tax, totals = price_order(
        drafts,
        currency=command.currency,
        shipping=amounts["shipping"],
        shipping_tax_rate=command.shipping_tax_rate,
        order_discount=amounts["order_discount"],
    )
    expected = amounts.get("expected_total")
    if expected is not None and expected != totals.total:
        raise ValidationError.single(
            "expected_total", f"is {expected} but the order's lines add up to {totals.total}"
        )
    fingerprint = _fingerprint(command)
    with svc.uow() as uow:
        existing = _by_reference(uow, command)
        if existing is not None:
            return _same_request(existing, fingerprint)
        now = svc.clock.now()
        order = Order(
            number=svc.numbers.format(uow.orders.next_sequence()),
            channel=command.channel,
            external_reference=command.external_reference,
            customer=command.customer,
            shipping_address=command.shipping_address,
            billing_address=command.billing_address or command.shipping_address,
            lines=lines,
            shipping_tax=shipping_tax,
            totals=totals,
            shipping_option=command.shipping_option,
            payment_method=command.payment_method,
            client_ip=command.client_ip,
            placed_at=now,
            fingerprint=fingerprint,
        )
        dates = fulfilment.promised_dates(svc, uow, order)
        order.ship_by, order.deliver_by = dates.ship_by, dates.deliver_by
        order.mark_placed(actor)
        if command.note:
            order.add_note(command.note, actor=actor, now=now)
        uow.orders.add(order)
        try:
            uow.commit()
        except DuplicateOrder:
            pass  # a concurrent retry of the same request won the race: answer with its order
        else:
            return order
    with svc.uow() as uow:
        winner = _by_reference(uow, command)
        assert winner is not None, "DuplicateOrder raised for a reference that does not exist"
        return _same_request(winner, fingerprint)


def verify_order(svc: Services, number: str, actor: Actor) -> Order:
    """Screen for fraud, check completeness, addresses, prices and stock.

    Each failed check places a hold rather than raising; a fraud score above the review threshold
    places a fraud_review hold, above the reject threshold it cancels the order.
    """
    with svc.uow() as uow:
        order = uow.orders.get(number)
        ORDER_LIFECYCLE.fire(number, order.status, "verify")
        now = svc.clock.now()
        decision = fraud.screen(svc, order)
        if decision is FraudDecision.REJECT:
            _cancel(svc, uow, order, "rejected by the fraud screen", fraud.FRAUD)
        else:
            active = {h.type for h in order.active_holds(now)}
            findings = _verification_findings(svc, uow, order)
            if decision is FraudDecision.REVIEW:
                findings[HoldType.FRAUD_REVIEW] = fraud.review_reason(order)
            findings = {kind: why for kind, why in findings.items() if kind not in active}
            if findings:
                order.wait_for_release("verify")
                for hold_type, reason in findings.items():
                    order.place_hold(hold_type, reason=reason, actor=actor, now=now)
            else:
                order.advance("verify", actor=actor, now=now)  # OrderOnHold if holds remain
        uow.orders.save(order)
        uow.commit()
    if order.status is OrderStatus.CANCELLED:
        _release_payments(svc, number, actor)
    return order


def review_fraud(svc: Services, number: str, *, approve: bool, reason: str, actor: Actor) -> Order:
    """A reviewer's decision on an order held for fraud review: release it, or cancel it."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        now = svc.clock.now()
        if not any(h.type is HoldType.FRAUD_REVIEW for h in order.active_holds(now)):
            raise HoldError(f"order {number} is not waiting for a fraud review")
        order.record(
            ev.FraudReviewed, actor=actor, now=now, reason=_reason(reason), approved=approve
        )
        if approve:
            resume = order.release_hold(HoldType.FRAUD_REVIEW, reason=reason, actor=actor, now=now)
            if resume is not None:
                order.advance(resume, actor=actor, now=now, reason="holds released")
        else:
            _cancel(svc, uow, order, f"fraud review: {reason}", actor)
        uow.orders.save(order)
        uow.commit()
    if not approve:
        _release_payments(svc, number, actor)
    return order


def reserve_stock(
    svc: Services, number: str, *, actor: Actor, expires_at: datetime | None = None
) -> Reservation:
    """Reserve the order's stock now (a checkout hold when ``expires_at`` is given)."""

    def attempt() -> Reservation:
        with svc.uow() as uow:
            order = uow.orders.get(number)
            if order.is_terminal:
                raise IllegalTransition("order", number, order.status, "reserve stock", ())
            if (existing := uow.reservations.for_order(number)) and existing.is_active:
                return existing
            reservation = inventory.reserve(svc, uow, order, expires_at=expires_at)
            uow.orders.save(order)
            inventory.raise_alerts(uow, svc.clock.now())
            uow.commit()
            return reservation

    return retry_on_conflict(attempt)


def confirm_order(svc: Services, number: str, *, actor: Actor) -> Order:
    """Authorise payment (with a gateway), secure stock, and confirm the order.

    A declined payment places a payment hold. Units that stock cannot cover are backordered; if
    a sku's policy does not accept backorders the order gets a stock hold instead, released when
    the stock arrives. With capture on confirmation the payment is then captured.
    """
    if svc.gateway is not None and not payments.authorise_order(svc, number, actor=actor):
        return get_order(svc, number)

    def attempt() -> Order:
        with svc.uow() as uow:
            order = uow.orders.get(number)
            now = svc.clock.now()
            order.ensure_can("confirm", now)
            waiting = inventory.secure(svc, uow, order)
            if waiting:
                order.wait_for_release("confirm")
                reason = ", ".join(f"{sku} x{n}" for sku, n in sorted(waiting.items()))
                order.place_hold(
                    HoldType.STOCK,
                    reason=f"waiting for stock: {reason}",
                    actor=inventory.INVENTORY,
                    now=now,
                )
            else:
                order.advance("confirm", actor=actor, now=now)
            uow.orders.save(order)
            inventory.raise_alerts(uow, svc.clock.now())
            uow.commit()
            return order

    order = retry_on_conflict(attempt)
    if order.status is not OrderStatus.CONFIRMED:
        return order
    if svc.gateway is not None:
        # digital lines are delivered at capture, so they are captured now in either mode
        amount = (
            None if svc.payment_settings.capture is CaptureMode.ON_CONFIRM else digital_value(order)
        )
        if amount is None or not amount.is_zero():
            _leave_pending_on_timeout(
                lambda: payments.capture_order(svc, number, amount, actor=actor)
            )
    deliver_digital(svc, number, actor=actor)
    return get_order(svc, number)


def place_hold(
    svc: Services,
    number: str,
    hold_type: HoldType | str,
    *,
    reason: str,
    actor: Actor,
    expires_at: Any = None,
) -> Order:
    """Put an order on hold (one active hold per type)."""
    kind = _hold_type(hold_type)
    with svc.uow() as uow:
        order = uow.orders.get(number)
        order.place_hold(
            kind, reason=reason, actor=actor, now=svc.clock.now(), expires_at=expires_at
        )
        uow.orders.save(order)
        uow.commit()
    return order


def release_hold(
    svc: Services, number: str, hold_type: HoldType | str, *, reason: str, actor: Actor
) -> Order:
    """Release a hold; releasing the last one resumes the step the holds had stopped."""
    kind = _hold_type(hold_type)
    with svc.uow() as uow:
        order = uow.orders.get(number)
        now = svc.clock.now()
        resume = order.release_hold(kind, reason=reason, actor=actor, now=now)
        if resume is not None:
            order.advance(resume, actor=actor, now=now, reason="holds released")
        uow.orders.save(order)
        uow.commit()
    return order


def sweep_expired_holds(svc: Services) -> list[str]:
    """Close every hold past its expiry; orders left without holds resume. Returns their numbers."""
    now = svc.clock.now()
    with svc.uow() as uow:
        numbers = list(uow.orders.with_expired_holds(now))
        for number in numbers:
            order = uow.orders.get(number)
            order.expire_holds(now)
            if order.awaiting is not None and not order.active_holds(now):
                order.advance(order.awaiting, actor=HOLD_EXPIRY, now=now, reason="holds expired")
            uow.orders.save(order)
        uow.commit()
    return numbers


def cancel_order(svc: Services, number: str, *, reason: str, actor: Actor) -> Order:
    """Cancel an order before shipment: holds released, stock freed, payments voided or refunded."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        _cancel(svc, uow, order, _reason(reason), actor)
        uow.orders.save(order)
        uow.commit()
    _release_payments(svc, number, actor)
    return get_order(svc, number) if svc.gateway is not None else order


def _cancel(svc: Services, uow: UnitOfWork, order: Order, reason: str, actor: Actor) -> None:
    order.advance("cancel", actor=actor, now=svc.clock.now(), reason=reason)
    inventory.release(svc, uow, order, actor, "order cancelled")


def _release_payments(svc: Services, number: str, actor: Actor) -> None:
    if svc.gateway is not None:
        _leave_pending_on_timeout(lambda: payments.release_payments(svc, number, actor=actor))


def add_note(svc: Services, number: str, text: str, *, actor: Actor) -> Order:
    """Write a note on an order."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        order.add_note(text, actor=actor, now=svc.clock.now())
        uow.orders.save(order)
        uow.commit()
    return order


def get_order(svc: Services, number: str) -> Order:
    """The order with ``number`` (a copy: changing it changes nothing stored)."""
    with svc.uow() as uow:
        return uow.orders.get(number)


def _leave_pending_on_timeout(settle: Callable[[], object]) -> None:
    """Run a payment step that follows a committed change; a silent gateway leaves it pending.

    The change stands (the order is cancelled, or confirmed); the recorded operation is retried
    with its idempotency key by ``resume_pending``.
    """
    try:
        settle()
    except GatewayUnavailable:
        log.warning("payment gateway did not answer; the operation stays pending", exc_info=True)


def _reason(reason: str) -> str:
    check_text("reason", reason, 500)
    return reason


def _hold_type(value: HoldType | str) -> HoldType:
    return parse_enum("hold_type", HoldType, value)


def _verification_findings(svc: Services, uow: UnitOfWork, order: Order) -> dict[HoldType, str]:
    findings = order.missing_details()
    address_problems = [
        f"{label}: {problem}"
        for label, address in (
            ("shipping", order.shipping_address),
            ("billing", order.billing_address),
        )
        if address is not None
        for problem in svc.address_validator.check(address).problems
    ]
    if address_problems:
        findings.setdefault(HoldType.ADDRESS, "; ".join(address_problems))
    short = inventory.missing_stock(svc, uow, order)
    if short:
        findings[HoldType.STOCK] = "not enough stock: " + ", ".join(
            f"{sku} short by {n}" for sku, n in sorted(short.items())
        )
    if svc.catalog is not None:
        price_problems = []
        for line in order.lines:
            item = svc.catalog.get(line.sku)
            if item is None:
                price_problems.append(f"{line.sku} is not in the catalogue")
            elif item.price != line.unit_price:
                price_problems.append(
                    f"{line.sku} at {line.unit_price}, catalogue says {item.price}"
                )
        if price_problems:
            findings[HoldType.PRICING] = "; ".join(price_problems)
    return findings


def _money_of(command: PlaceOrder) -> tuple[list[LineDraft], dict[str, Money]]:
    """Convert every decimal of the command into Money, collecting each problem with its path."""
    problems: list[Problem] = []
    currency = command.currency

    def money(path: str, value: Any) -> Any:
        try:
            return Money.of(value, currency)
        except ValidationError as exc:
            problems.extend(Problem(path, p.message) for p in exc.problems)
            return Money.zero(currency)

    def line(i: int, li: LineInput) -> LineDraft:
        at = f"lines[{i}]"
        return LineDraft(
            sku=li.sku,
            name=li.name,
            quantity=li.quantity,
            unit_price=money(f"{at}.unit_price", li.unit_price),
            discount=money(f"{at}.discount", li.discount),
            tax_rate=li.tax_rate,
            tax_amount=None if li.tax_amount is None else money(f"{at}.tax_amount", li.tax_amount),
            kind=li.kind,
        )

    drafts = [line(i, li) for i, li in enumerate(command.lines)]
    amounts = {
        name: money(name, getattr(command, name))
        for name in ("shipping", "order_discount", "expected_total")
        if getattr(command, name) is not None
    }
    if problems:
        raise ValidationError(problems)
    return drafts, amounts


def _fingerprint(command: PlaceOrder) -> str:
    """A digest of the request; fields left out (None) do not count, so a field added to the
    command in a later version does not change the digest of a request that does not use it."""
    canonical = json.dumps(
        _without_none(codec.unstructure(command)), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _by_reference(uow: UnitOfWork, command: PlaceOrder) -> Order | None:
    if command.external_reference is None:
        return None
    return uow.orders.get_by_reference(command.channel, command.external_reference)


def _same_request(order: Order, fingerprint: str) -> Order:
    if order.fingerprint != fingerprint:
        raise IdempotencyConflict(
            f"{order.channel} reference {order.external_reference!r} was already used for order "
            f"{order.number} with different details"
        )
    return order
