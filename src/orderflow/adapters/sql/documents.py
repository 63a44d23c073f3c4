"""JSON documents: an aggregate's (or event's) full state as the SQL adapter stores it.

The converter is :func:`orderflow.codec.make_converter`'s strict one (exact JSON types, no unknown
keys, every bad field named, ISO 8601 dates and times), so stored JSON reads back with the rules
the API applies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from cattrs.errors import BaseValidationError

from orderflow import codec
from orderflow.domain.errors import Problem, ValidationError, join_path
from orderflow.domain.events import EVENT_TYPES, DomainEvent

T = TypeVar("T")


_CONVERTER = codec.make_converter()


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

    Every write passes through here, so the common case is decided at C speed first: JSON
    escapes a NUL as ``\\u0000``, so text without that sequence holds no NUL. Only when it shows
    up (a NUL, or a literal backslash-u sequence in some text) is the document walked to name
    each field.
    """
    try:
        if "\\u0000" not in json.dumps(data, default=str):
            return
    except (TypeError, ValueError):
        pass  # not plain JSON (keys that are not text, say): the walk below decides
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
