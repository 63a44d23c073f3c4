"""Returns over random request sequences: never more back than delivered, never more refunded
than was paid for those units, and exactly the accepted units restocked."""

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import FakeCarrier, ManualClock, Money, MovementKind, ReturnReason, ValidationError
from orderflow.bootstrap import in_memory_services
from orderflow.testing.returns_contract import ReturnsContract

DELIVERED = {"MUG": 2, "TEE": 1}  # the contract's order, once delivered

steps = st.lists(
    st.fixed_dictionaries(
        {
            "sku": st.sampled_from(sorted(DELIVERED)),
            "quantity": st.integers(1, 3),
            "reason": st.sampled_from([r.value for r in ReturnReason]),
            "outcome": st.sampled_from(["reject", "refund", "exchange"]),
            "resellable": st.integers(0, 3),
        }
    ),
    max_size=4,
)


@settings(max_examples=30, deadline=None)
@given(steps)
def test_returns_stay_within_deliveries_payments_and_inspection(plan: list[dict[str, Any]]) -> None:
    shop = ReturnsContract()
    flow = shop.build(in_memory_services, ManualClock(), FakeCarrier())
    number = shop._delivered(flow)
    lines = {li.sku: li for li in flow.get_order(number).lines}
    returned: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    for step in plan:
        sku, quantity = step["sku"], step["quantity"]
        request = {"sku": sku, "quantity": quantity, "reason": step["reason"]}
        try:
            rma = flow.request_return(number, [request], actor="ann")
        except ValidationError:
            assert quantity > DELIVERED[sku] - returned[sku]  # refused only when too many
            continue
        if step["outcome"] == "reject":
            flow.reject_return(rma.id, reason="outside the terms", actor="bob")
            continue
        returned[sku] += quantity
        flow.approve_return(rma.id, location="BER", actor="bob")
        flow.receive_return(rma.id, actor="bob")
        good = min(step["resellable"], quantity)
        flow.inspect_return(rma.id, {sku: (good, quantity - good)}, actor="ina")
        accepted[sku] += good
        if step["outcome"] == "refund":
            refund = flow.refund_return(rma.id, actor="bob").refund
            assert refund is not None
            assert Money.zero("EUR") <= refund <= lines[sku].value_of(quantity)
        else:
            flow.exchange_return(rma.id, {"CAP": 1}, actor="bob")

        assert all(returned[s] <= DELIVERED[s] for s in DELIVERED)
        payments = flow.payments(number)
        refunded = Money.sum((p.refunded for p in payments), "EUR")
        assert refunded <= Money.sum((p.captured for p in payments), "EUR")
        restocked: Counter[str] = Counter()  # booked in, less what was written off as damaged
        for move in flow.stock_ledger(location="BER"):
            if move.kind in (MovementKind.RETURN_RESTOCK, MovementKind.WRITE_OFF):
                restocked[move.sku] += move.on_hand_delta
        assert {k: n for k, n in restocked.items() if n} == {k: n for k, n in accepted.items() if n}
