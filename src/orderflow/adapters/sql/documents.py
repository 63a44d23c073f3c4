"""JSON documents: an aggregate's (or event's) full state as the SQL adapter stores it.

The converter is :func:`orderflow.codec.make_converter`'s strict one (exact JSON types, no unknown
keys, every bad field named), so stored JSON reads back with the rules the API applies. It adds
ISO 8601 hooks for :class:`~datetime.date` (``"2026-01-09"``) and :class:`~datetime.time`
(``"14:00:00"``), which the shared codec does not convert (orders' promised dates, shipments'
expected delivery, ``OrderLate`` events): without them such values are not JSON at all. Once the
shared codec converts them the same way, these hooks change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar

from cattrs.errors import BaseValidationError

from orderflow import codec
from orderflow.domain.errors import Problem, ValidationError, join_path
from orderflow.domain.events import EVENT_TYPES, DomainEvent

T = TypeVar("T")


def _date(value: Any, _: type) -> date:
    if isinstance(value, datetime):
        raise TypeError(f"expected a date, got the date-time {value!r}")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(f'expected an ISO 8601 date string such as "2026-01-09", got {value!r}')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date") from None


def _time(value: Any, _: type) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise TypeError(f'expected an ISO 8601 time string such as "14:00:00", got {value!r}')
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time") from None


_CONVERTER = codec.make_converter()
_CONVERTER.register_structure_hook(date, _date)  # datetime keeps its own, more specific hook
_CONVERTER.register_unstructure_hook(date, date.isoformat)
_CONVERTER.register_structure_hook(time, _time)
_CONVERTER.register_unstructure_hook(time, time.isoformat)


def dump(obj: Any) -> Any:
    """``obj`` as plain JSON values (dicts, lists, text, numbers, booleans, None)."""
    return _CONVERTER.unstructure(obj)


def load(data: Any, cls: type[T]) -> T:
    """``data`` read back as a ``cls``; ValidationError naming every bad field."""
    if not isinstance(data, Mapping):
        raise ValidationError.single("", f"expected an object, got {type(data).__name__}")
    try:
        return _CONVERTER.structure(data, cls)
    except (BaseValidationError, ValidationError) as exc:
        raise ValidationError(codec.problems(exc)) from None


def event_to_json(event: DomainEvent) -> tuple[str, dict[str, Any]]:
    """An event as its type name and JSON data (the audit trail's and the outbox's form)."""
    data: dict[str, Any] = dump(event)
    return type(event).__name__, data


def event_from_json(type_name: str, data: Mapping[str, Any]) -> DomainEvent:
    """The event stored as ``type_name`` with ``data``."""
    try:
        cls = EVENT_TYPES[type_name]
    except KeyError:
        raise ValidationError.single("type", f"unknown event type {type_name!r}") from None
    return load(data, cls)


def refuse_nul(data: Any, path: str = "") -> None:
    """ValidationError naming every text in ``data`` with a NUL character.

    PostgreSQL cannot store NUL in text or JSON, so the SQL adapter refuses it on every database
    (a clear error at commit rather than a driver error, and the same on SQLite).
    """
    problems: list[Problem] = []

    def walk(value: Any, at: str) -> None:
        if isinstance(value, str):
            if "\x00" in value:
                problems.append(Problem(at, "must not contain NUL characters"))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, join_path(at, str(key)))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, f"{at}[{index}]")

    walk(data, path)
    if problems:
        raise ValidationError(problems)
