"""The in-memory adapter's copies: equal to the original, sharing nothing that can change."""

import copy
from datetime import timedelta
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from orderflow import codec
from orderflow.adapters.copies import clone
from orderflow.domain.holds import HoldType
from orderflow.domain.values import Actor
from tests.unit.orders import PLACED_AT, make_order

SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.decimals()
NESTED = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=20,
)


def mutable_parts(value: Any) -> list[Any]:
    """Every list, dict, set and mutable attrs instance inside ``value``."""
    found = []
    if isinstance(value, list | dict | set):
        found.append(value)
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, list | tuple | dict | set | frozenset):
        for item in items:
            found += mutable_parts(item)
    elif attrs.has(type(value)):
        if not _frozen(value):
            found.append(value)
        for field in attrs.fields(type(value)):
            found += mutable_parts(getattr(value, field.name))
    return found


def _frozen(value: Any) -> bool:
    return bool(type(value).__attrs_props__.is_frozen)


@given(NESTED)
def test_a_copy_of_plain_values_is_equal_and_shares_no_container(value: Any) -> None:
    copied = clone(value)
    assert copied == copy.deepcopy(value) or copied != copied  # NaN compares unequal
    shared = {id(part) for part in mutable_parts(value)} & {
        id(part) for part in mutable_parts(copied)
    }
    assert not shared


def test_a_copy_of_an_order_has_its_state_and_lives_apart() -> None:
    order = make_order()
    order.place_hold(
        HoldType.FRAUD_REVIEW, reason="manual review", actor=Actor.system("test"), now=PLACED_AT
    )
    copied = clone(order)

    assert codec.unstructure(copied) == codec.unstructure(order)
    assert not {id(p) for p in mutable_parts(order)} & {id(p) for p in mutable_parts(copied)}
    assert copied.totals is order.totals  # frozen values are shared, not copied
    copied.release_hold(
        HoldType.FRAUD_REVIEW,
        reason="cleared",
        actor=Actor.system("test"),
        now=PLACED_AT + timedelta(hours=1),
    )
    copied.version += 1
    assert order.holds[0].released_at is None
    assert len(order.events) == 1
    assert len(copied.events) == 2
    assert order.version == copied.version - 1


@attrs.frozen
class FrozenWithList:
    items: list[int]


def test_a_frozen_class_holding_a_list_is_copied_not_shared() -> None:
    value = FrozenWithList(items=[1, 2])
    copied = clone(value)
    assert copied == value
    assert copied is not value
    assert copied.items is not value.items
