"""Digital goods: one payload per order line, whatever is retried."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import SYSTEM, OrderFlow, SignedDigitalGoods, ValidationError
from orderflow.domain.digital import DigitalKind, DigitalPayload

ORDER = OrderFlow.in_memory().place_order(
    {
        "channel": "web",
        "currency": "EUR",
        "lines": [
            {"sku": "EBOOK", "name": "E-book", "quantity": 1, "unit_price": "5", "kind": "digital"},
            {"sku": "GAME", "name": "Game", "quantity": 1, "unit_price": "9", "kind": "digital"},
        ],
    }
)
GOODS = SignedDigitalGoods(b"0123456789abcdef", {"EBOOK": "https://dl.example/"})


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_the_same_key_gives_the_same_payload_and_another_key_another(a: str, b: str) -> None:
    line = ORDER.lines[1]
    first, again = (GOODS.issue(ORDER, line, key=a) for _ in range(2))
    assert first == again
    assert first.kind is DigitalKind.LICENCE_KEY
    assert (GOODS.issue(ORDER, line, key=b) == first) == (a == b)


def test_links_for_downloads_and_a_short_secret_is_refused() -> None:
    link = GOODS.issue(ORDER, ORDER.lines[0], key="OF-1/1")
    assert link.kind is DigitalKind.LINK
    assert link.value.startswith("https://dl.example/")
    assert "//" not in link.value.removeprefix("https://")
    with pytest.raises(ValidationError, match="secret"):
        SignedDigitalGoods(b"short")


def test_a_line_is_delivered_once_and_only_if_digital() -> None:
    order = OrderFlow.in_memory().place_order(
        {
            "channel": "web",
            "currency": "EUR",
            "lines": [
                {"sku": "MUG", "name": "Mug", "quantity": 1, "unit_price": "5"},
                {
                    "sku": "GAME",
                    "name": "Game",
                    "quantity": 1,
                    "unit_price": "9",
                    "kind": "digital",
                },
            ],
        }
    )
    payload = DigitalPayload(kind=DigitalKind.LICENCE_KEY, value="AAAA-BBBB")
    with pytest.raises(ValidationError, match="line 1 is not a digital line due"):
        order.deliver_digital(order.lines[0], payload, actor=SYSTEM, now=order.placed_at)
    order.deliver_digital(order.lines[1], payload, actor=SYSTEM, now=order.placed_at)
    assert order.digital_lines_due() == []
    with pytest.raises(ValidationError, match="line 2 is not a digital line due"):
        order.deliver_digital(order.lines[1], payload, actor=SYSTEM, now=order.placed_at)
