"""Copies of aggregates for the in-memory adapter, several times faster than ``copy.deepcopy``.

The in-memory store hands each unit of work its own copy of what it loads and keeps its own copy
of what a unit of work commits, so an uncommitted change never leaks. Aggregates are mutable attrs
classes holding lists, tuples and frozen value objects (money, addresses, events...): only the
mutable parts are copied, values that cannot change are shared. The copier of each type is worked
out once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

_IMMUTABLE = (
    str,
    int,
    float,
    bool,
    bytes,
    type(None),
    Decimal,
    date,
    datetime,
    time,
    timedelta,
    Enum,
    frozenset,
)
_MUTABLE_HINTS = ("list", "dict", "set[", "Set[")

_COPIERS: dict[type, Callable[[Any], Any]] = {}


def clone(value: T) -> T:
    """A copy of ``value`` that shares nothing mutable with it."""
    cls = type(value)
    copier = _COPIERS.get(cls)
    if copier is None:
        copier = _COPIERS[cls] = _copier(cls)
    result: T = copier(value)
    return result


def _same(value: Any) -> Any:
    return value


def _copier(cls: type) -> Callable[[Any], Any]:
    if issubclass(cls, _IMMUTABLE):
        return _same
    if cls is list:
        return lambda items: [clone(item) for item in items]
    if cls is tuple:
        return lambda items: tuple([clone(item) for item in items])
    if cls is dict:
        return lambda items: {key: clone(item) for key, item in items.items()}
    if cls is set:
        return lambda items: {clone(item) for item in items}
    if attrs.has(cls):
        fields = attrs.fields(cls)
        if _is_frozen(cls, fields) and not any(_may_hold_mutable(f.type) for f in fields):
            return _same
        return _attrs_copier(cls, tuple(f.name for f in fields))
    return copy.deepcopy


def _attrs_copier(cls: type, names: tuple[str, ...]) -> Callable[[Any], Any]:
    new, put = object.__new__, object.__setattr__

    def copy_instance(value: Any) -> Any:
        result: Any = new(cls)
        for name in names:
            put(result, name, clone(getattr(value, name)))
        return result

    return copy_instance


def _is_frozen(cls: type, fields: tuple[attrs.Attribute[Any], ...]) -> bool:
    """Whether attrs refuses to set a field of ``cls`` (tried on a bare instance)."""
    if not fields:
        return True
    try:
        setattr(object.__new__(cls), fields[0].name, None)
    except attrs.exceptions.FrozenInstanceError:
        return True
    except Exception:  # a validator refused None: the class is not frozen
        return False
    return False


def _may_hold_mutable(hint: Any) -> bool:
    return any(word in str(hint) for word in _MUTABLE_HINTS)
