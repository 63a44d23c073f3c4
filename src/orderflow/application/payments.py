"""Payment use cases. No gateway call is ever made inside a database transaction.

Each operation runs in three steps: (1) a transaction records the operation with its idempotency
key; (2) the gateway is called, transient failures retried with capped exponential backoff;
(3) a transaction records the answer and its effect on the order. A crash or timeout between the
steps leaves the operation pending; :func:`resume_pending` (or the next attempt) calls the gateway
again with the same key, so money never moves twice.
"""

from __future__ import annotations

from datetime import datetime

from orderflow.application.digital import deliver_digital
from orderflow.application.services import Services
from orderflow.domain import events as ev
from orderflow.domain.errors import PaymentError, ValidationError
from orderflow.domain.holds import HoldType
from orderflow.domain.money import Money
from orderflow.domain.order import Order, OrderStatus
from orderflow.domain.payments import Operation, OperationKind, OperationStatus, Payment
from orderflow.domain.values import Actor, PaymentMethod
from orderflow.ports.payments import GatewayResult, GatewayUnavailable, PaymentGateway

PAYMENTS = Actor.system("payments")


def add_payment(
    svc: Services, number: str, method: PaymentMethod, amount: Money, *, actor: Actor
) -> Payment:
    """Pay part of an order with another method (a gift card next to the card)."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        payments = _live(uow.payments.for_order(number))
        covered = Money.sum((p.amount for p in payments), order.currency)
        if amount.currency != order.currency or amount.minor <= 0:
            raise ValidationError.single("amount", f"must be a positive amount in {order.currency}")
        if covered + amount > order.totals.total:
            raise PaymentError(
                f"order {number}: {amount} more would exceed the total {order.totals.total}"
            )
        payment = _new_payment(svc, order, method, amount, len(uow.payments.for_order(number)))
        uow.payments.add(payment)
        uow.commit()
        return payment


def authorise_order(svc: Services, number: str, *, actor: Actor) -> bool:
    """Authorise every payment of the order (creating one for what is not yet covered).

    Returns whether the whole total is authorised. A decline places a payment hold and records
    PaymentDeclined; a gateway that does not answer raises GatewayUnavailable, leaving the
    operation pending for a retry with the same key.
    """
    gateway = _gateway(svc)
    with svc.uow() as uow:
        order = uow.orders.get(number)
        order.ensure_can("confirm", svc.clock.now())
        payments = _live(uow.payments.for_order(number))
        covered = Money.sum((p.amount for p in payments), order.currency)
        rest = order.totals.total - covered
        if rest.minor > 0:
            if order.payment_method is None:
                raise PaymentError(f"order {number} has no payment method for {rest}")
            index = len(uow.payments.for_order(number))
            payments.append(_new_payment(svc, order, order.payment_method, rest, index))
            uow.payments.add(payments[-1])
        todo = []
        for payment in payments:
            if payment.is_expired(svc.clock.now()):
                payment.expire()
            if payment.status.value in ("pending", "expired") and payment.pending() is None:
                payment.request(
                    OperationKind.AUTHORISE, payment.amount, _key(payment), svc.clock.now()
                )
            if (op := payment.pending()) is not None:
                todo.append((payment.id, op))
            uow.payments.save(payment)
        uow.commit()
    for payment_id, op in todo:
        _settle(svc, gateway, payment_id, op, actor)
    with svc.uow() as uow:
        payments = _live(uow.payments.for_order(number))
        authorised = Money.sum((p.authorised for p in payments), order.currency)
        return authorised >= order.totals.total


def capture_order(
    svc: Services, number: str, amount: Money | None = None, *, actor: Actor
) -> Money:
    """Capture ``amount`` (all that is authorised when None), oldest payment first.

    An authorisation that has lapsed is authorised again first; if that is declined the order
    gets a payment hold. Returns what was captured.
    """
    gateway = _gateway(svc)
    todo = _request_spread(svc, number, OperationKind.CAPTURE, amount)
    captured = Money.zero(amount.currency) if amount else None
    for payment_id, op in todo:
        if _settle(svc, gateway, payment_id, op, actor):
            captured = op.amount if captured is None else captured + op.amount
    with svc.uow() as uow:
        return captured or Money.zero(uow.orders.get(number).currency)


def release_payments(svc: Services, number: str, *, actor: Actor) -> None:
    """After a cancellation: void what is only authorised, refund what was captured.

    An operation still pending (a capture whose answer was lost) is settled first, then what it
    moved is given back, so a cancelled order never keeps the customer's money.
    """
    gateway = _gateway(svc)
    for _ in range(3):  # settle a pending operation, then void or refund what it left
        todo = _request_release(svc, number)
        if not todo:
            return
        for payment_id, op in todo:
            _settle(svc, gateway, payment_id, op, actor)


def _request_release(svc: Services, number: str) -> list[tuple[str, Operation]]:
    todo = []
    with svc.uow() as uow:
        now = svc.clock.now()
        for payment in uow.payments.for_order(number):
            if payment.pending() is None:
                if payment.status.value == "authorised":
                    zero = Money.zero(payment.amount.currency)
                    payment.request(OperationKind.VOID, zero, _key(payment), now)
                elif payment.refundable.minor > 0:
                    payment.request(OperationKind.REFUND, payment.refundable, _key(payment), now)
            if (op := payment.pending()) is not None:
                todo.append((payment.id, op))
            uow.payments.save(payment)
        uow.commit()
    return todo


def refund_order(
    svc: Services,
    number: str,
    amount: Money,
    *,
    actor: Actor,
    reason: str,
    return_id: str | None = None,
) -> Money:
    """Refund ``amount`` across the order's captured payments (largest remainder by captured);
    ``return_id`` names the return the refund is for."""
    gateway = _gateway(svc)
    todo = _request_spread(
        svc, number, OperationKind.REFUND, amount, reason=reason, return_id=return_id
    )
    refunded = Money.zero(amount.currency)
    for payment_id, op in todo:
        if _settle(svc, gateway, payment_id, op, actor):
            refunded += op.amount
    return refunded


def resume_pending(svc: Services) -> int:
    """Call the gateway again, same keys, for operations left pending by a crash or timeout."""
    gateway = _gateway(svc)
    with svc.uow() as uow:
        todo = [
            (pid, op)
            for pid in uow.payments.with_pending()
            if (op := uow.payments.get(pid).pending()) is not None
        ]
    done = 0
    for payment_id, op in todo:
        try:
            _settle(svc, gateway, payment_id, op, PAYMENTS)
            done += 1
        except GatewayUnavailable:
            continue
    with svc.uow() as uow:
        touched = {uow.payments.get(pid).order_number for pid, _ in todo}
        cancelled = {n for n in touched if uow.orders.get(n).status is OrderStatus.CANCELLED}
    for number in sorted(cancelled):
        release_payments(svc, number, actor=PAYMENTS)
    for number in sorted(touched - cancelled):
        deliver_digital(svc, number, actor=PAYMENTS)  # what a settled capture paid for
    return done


def expire_authorisations(svc: Services) -> list[str]:
    """Mark lapsed authorisations expired (a sweep the host runs); returns their order numbers."""
    now = svc.clock.now()
    numbers = []
    with svc.uow() as uow:
        for payment_id in uow.payments.expiring(now):
            payment = uow.payments.get(payment_id)
            payment.expire()
            uow.payments.save(payment)
            order = uow.orders.get(payment.order_number)
            order.record(ev.PaymentExpired, actor=PAYMENTS, now=now, payment_id=payment.id)
            uow.orders.save(order)
            numbers.append(payment.order_number)
        uow.commit()
    return numbers


def change_payment_method(
    svc: Services, number: str, method: PaymentMethod, *, actor: Actor
) -> Order:
    """The customer gave another payment method (after a decline): later authorisations use it."""
    with svc.uow() as uow:
        order = uow.orders.get(number)
        if order.is_terminal:
            raise PaymentError(f"order {number} is {order.status}")
        order.payment_method = method
        order.record(ev.PaymentMethodChanged, actor=actor, now=svc.clock.now(), method=str(method))
        uow.orders.save(order)
        uow.commit()
        return order


def payments_of(svc: Services, number: str) -> list[Payment]:
    """The order's payments, oldest first."""
    with svc.uow() as uow:
        uow.orders.get(number)
        return uow.payments.for_order(number)


# -- the three steps -------------------------------------------------------------------------------


def _request_spread(
    svc: Services,
    number: str,
    kind: OperationKind,
    amount: Money | None,
    *,
    reason: str | None = None,
    return_id: str | None = None,
) -> list[tuple[str, Operation]]:
    """Record ``kind`` operations for ``amount`` spread over the order's payments (step 1)."""
    with svc.uow() as uow:
        now = svc.clock.now()
        order = uow.orders.get(number)
        payments = _live(uow.payments.for_order(number))
        room = [(p.capturable if kind is OperationKind.CAPTURE else p.refundable) for p in payments]
        total = Money.sum(room, order.currency)
        wanted = total if amount is None else amount
        if wanted > total or wanted.minor <= 0:
            raise PaymentError(f"order {number}: cannot {kind} {wanted}, {total} available")
        shares = wanted.allocate([r.minor for r in room])
        todo = []
        for payment, share in zip(payments, shares, strict=True):
            if share.minor and payment.pending() is None:
                payment.request(kind, share, _key(payment), now)
            if (op := payment.pending()) is not None:
                todo.append((payment.id, op))
            uow.payments.save(payment)
        if reason:
            order.record(
                ev.RefundRequested,
                actor=PAYMENTS,
                now=now,
                reason=reason,
                amount=wanted,
                return_id=return_id,
            )
            uow.orders.save(order)
        uow.commit()
        return todo


def _settle(
    svc: Services, gateway: PaymentGateway, payment_id: str, op: Operation, actor: Actor
) -> bool:
    """Steps 2 and 3 for one recorded operation; returns whether the gateway approved."""
    with svc.uow() as uow:
        payment = uow.payments.get(payment_id)
    try:
        result = _call(svc, gateway, payment, op)
    except GatewayUnavailable as exc:
        with svc.uow() as uow:
            payment = uow.payments.get(payment_id)
            payment.complete(op.key, OperationStatus.PENDING, svc.clock.now(), error=str(exc))
            uow.payments.save(payment)
            uow.commit()
        raise
    with svc.uow() as uow:
        payment = uow.payments.get(payment_id)
        order = uow.orders.get(payment.order_number)
        now = svc.clock.now()
        status = OperationStatus.APPROVED if result.approved else OperationStatus.DECLINED
        if payment.complete(
            op.key,
            status,
            now,
            reference=result.reference,
            decline_code=result.decline_code,
            authorised_until=result.authorised_until,
        ):
            _record(order, payment, op, result, actor, now)
        uow.payments.save(payment)
        uow.orders.save(order)
        uow.commit()
    return result.approved


def _call(svc: Services, gateway: PaymentGateway, payment: Payment, op: Operation) -> GatewayResult:
    settings = svc.payment_settings
    for attempt in range(1, settings.gateway_attempts + 1):
        try:
            if op.kind is OperationKind.AUTHORISE:
                return gateway.authorise(
                    key=op.key,
                    amount=op.amount,
                    method=payment.method,
                    order_number=payment.order_number,
                )
            reference = payment.authorisation_reference or ""
            if op.kind is OperationKind.CAPTURE:
                return gateway.capture(key=op.key, reference=reference, amount=op.amount)
            if op.kind is OperationKind.VOID:
                return gateway.void(key=op.key, reference=reference)
            return gateway.refund(key=op.key, reference=reference, amount=op.amount)
        except GatewayUnavailable:
            if attempt == settings.gateway_attempts:
                raise
            settings.sleep(min(settings.max_backoff, settings.backoff * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")  # pragma: no cover


def _record(
    order: Order, payment: Payment, op: Operation, result: GatewayResult, actor: Actor, at: datetime
) -> None:
    if not result.approved:
        order.record(
            ev.PaymentDeclined,
            actor=actor,
            now=at,
            payment_id=payment.id,
            operation=op.kind.value,
            decline_code=result.decline_code or "declined",
            reason=f"{op.kind} declined: {result.decline_code}",
        )
        if (
            op.kind is OperationKind.AUTHORISE
            and not order.is_terminal
            and not any(h.type is HoldType.PAYMENT for h in order.active_holds(at))
        ):
            order.place_hold(
                HoldType.PAYMENT,
                reason=f"payment declined ({result.decline_code})",
                actor=PAYMENTS,
                now=at,
            )
        return
    kinds: dict[OperationKind, type[ev.PaymentEvent]] = {
        OperationKind.AUTHORISE: ev.PaymentAuthorised,
        OperationKind.CAPTURE: ev.PaymentCaptured,
        OperationKind.VOID: ev.PaymentVoided,
        OperationKind.REFUND: ev.PaymentRefunded,
    }
    order.record(
        kinds[op.kind],
        actor=actor,
        now=at,
        payment_id=payment.id,
        amount=op.amount,
        reference=result.reference,
    )


# -- helpers ---------------------------------------------------------------------------------------


def _gateway(svc: Services) -> PaymentGateway:
    if svc.gateway is None:
        raise PaymentError("this engine has no payment gateway configured")
    return svc.gateway


def _live(payments: list[Payment]) -> list[Payment]:
    return [p for p in payments if p.status.value not in ("failed", "voided")]


def _key(payment: Payment) -> str:
    return f"{payment.id}-op{len(payment.operations) + 1}"


def _new_payment(
    svc: Services, order: Order, method: PaymentMethod, amount: Money, index: int
) -> Payment:
    return Payment(
        id=f"PAY-{order.number}-{index + 1}",
        order_number=order.number,
        method=method,
        amount=amount,
        created_at=svc.clock.now(),
    )
