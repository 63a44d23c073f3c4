"""The strict JSON edge: plain dicts to typed objects and back, with every bad field named.

cattrs coerces silently by default (``1.9`` to ``1``, ``"0"`` to ``True``); this private converter
accepts only the exact JSON types, forbids unknown keys, and turns cattrs' nested errors into one
:class:`~orderflow.domain.errors.ValidationError` listing each problem by its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from cattrs import Converter
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from orderflow.domain.checks import parse_enum
from orderflow.domain.errors import Problem, ValidationError, join_path
from orderflow.domain.events import EVENT_TYPES, DomainEvent
from orderflow.domain.money import Money

T = TypeVar("T")


def _int(value: Any, _: type) -> int:
    if type(value) is not int:
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _str(value: Any, cls: type) -> Any:
    if issubclass(cls, Enum):  # a StrEnum dispatches here, as a subclass of str
        return parse_enum("", cls, value)
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def _bool(value: Any, _: type) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
    elif type(value) is int:
        result = Decimal(value)
    else:
        raise TypeError(f'expected a decimal as a string such as "19.99", got {value!r}')
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def _datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str):
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    else:
        raise TypeError(f"expected an ISO 8601 date-time string, got {value!r}")
    if result.utcoffset() is None:
        raise ValueError(f"{value!r} has no timezone")
    return result


def _date(value: Any, _: type) -> date:
    if type(value) is date:
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date string, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date") from None


def _time(value: Any, _: type) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 time string, got {value!r}")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time") from None


def _money(value: Any, _: type) -> Money:
    if not isinstance(value, Mapping) or set(value) != {"minor", "currency"}:
        raise TypeError(f"expected {{'minor': int, 'currency': str}}, got {value!r}")
    return Money(_int(value["minor"], int), _str(value["currency"], str))


def make_converter() -> Converter:
    """A strict converter; orderflow keeps one private instance of it."""
    conv = Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(Decimal, _decimal)
    conv.register_structure_hook(datetime, _datetime)
    conv.register_structure_hook(date, _date)
    conv.register_structure_hook(time, _time)
    conv.register_structure_hook(Money, _money)
    conv.register_structure_hook(Enum, lambda value, cls: parse_enum("", cls, value))
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(time, time.isoformat)
    conv.register_unstructure_hook(Money, lambda m: {"minor": m.minor, "currency": m.currency})
    return conv


_CONVERTER = make_converter()


def structure(data: Any, cls: type[T]) -> T:
    """``data`` (plain JSON-like values) as a ``cls``, or ValidationError naming every bad field."""
    if not isinstance(data, Mapping):
        raise ValidationError.single("", f"expected an object, got {type(data).__name__}")
    try:
        return _CONVERTER.structure(data, cls)
    except (BaseValidationError, ValidationError) as exc:
        raise ValidationError(problems(exc)) from None


def unstructure(obj: Any) -> Any:
    """``obj`` as plain JSON-ready values."""
    return _CONVERTER.unstructure(obj)


def event_to_json(event: DomainEvent) -> tuple[str, dict[str, Any]]:
    """An event as its type name and JSON-ready data."""
    return type(event).__name__, unstructure(event)


def event_from_json(type_name: str, data: Mapping[str, Any]) -> DomainEvent:
    """The event stored as ``type_name`` with ``data``."""
    try:
        cls = EVENT_TYPES[type_name]
    except KeyError:
        raise ValidationError.single("type", f"unknown event type {type_name!r}") from None
    return structure(data, cls)


def problems(exc: BaseException, path: str = "") -> list[Problem]:
    """Every problem in a (nested) structuring error, each with its field path."""
    if isinstance(exc, ValidationError):
        return [Problem(join_path(path, p.path), p.message) for p in exc.problems]
    if isinstance(exc, ForbiddenExtraKeysError):
        return [Problem(join_path(path, key), "unknown field") for key in sorted(exc.extra_fields)]
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        found: list[Problem] = []
        for sub, note in with_notes:
            if isinstance(note, AttributeValidationNote):
                found += problems(sub, join_path(path, note.name))
            elif isinstance(note, IterableValidationNote):
                found += problems(sub, f"{path}[{note.index}]")
        for sub in without:
            found += problems(sub, path)
        return found
    if isinstance(exc, KeyError):
        return [Problem(path, "is required")]
    return [Problem(path, str(exc))]
