"""attrs validators that raise :class:`ValidationError` naming the field they check."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

from orderflow.domain.errors import Problem, ValidationError

Validator = Callable[[Any, Any, Any], None]
E = TypeVar("E", bound=Enum)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and newlines are text


def fail(attribute: Any, message: str) -> ValidationError:
    """The error for ``attribute`` (an attrs Attribute) with ``message``."""
    return ValidationError.single(attribute.name, message)


def check_text(name: str, value: object, max_length: int = 200) -> None:
    """Refuse ``value`` unless it is a non-blank string of at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise ValidationError.single(name, f"must be text, got {value!r}")
    if not value.strip():
        raise ValidationError.single(name, "must not be blank")
    if _CONTROL.search(value):
        raise ValidationError.single(name, "must not contain control characters")
    if len(value) > max_length:
        raise ValidationError.single(name, f"must be at most {max_length} characters")


def check_key(name: str, value: object) -> str:
    """``value`` if it is a string. Ids and order numbers are looked up as keys: anything else (a
    list or a number from loose JSON) is refused before it reaches a store."""
    if not isinstance(value, str):
        raise ValidationError.single(name, f"must be text, got {value!r}")
    return value


def text(max_length: int = 200) -> Validator:
    """A string, not blank, at most ``max_length`` characters."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        check_text(attribute.name, value, max_length)

    return check


def optional_text(max_length: int = 200) -> Validator:
    """Either None or what :func:`text` accepts."""
    inner = text(max_length)

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is not None:
            inner(instance, attribute, value)

    return check


def each(check: Validator) -> Validator:
    """Apply ``check`` to every item of a sequence, naming the item's index."""

    def run(instance: Any, attribute: Any, value: Any) -> None:
        for i, item in enumerate(value):
            try:
                check(instance, attribute, item)
            except ValidationError as exc:
                raise ValidationError.single(
                    f"{attribute.name}[{i}]", exc.problems[0].message
                ) from None

    return run


def email(instance: Any, attribute: Any, value: Any) -> None:
    """An e-mail address (None allowed: completeness is checked at verification)."""
    if value is not None and (not isinstance(value, str) or not _EMAIL.match(value)):
        raise fail(attribute, f"{value!r} is not an e-mail address")


def ip_address(instance: Any, attribute: Any, value: Any) -> None:
    """An IPv4 or IPv6 address (None allowed)."""
    if value is None:
        return
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise fail(attribute, f"{value!r} is not an IP address") from None


def country(instance: Any, attribute: Any, value: Any) -> None:
    """An ISO 3166-1 alpha-2 country code such as ``DE``."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise fail(attribute, f"{value!r} is not an ISO 3166 two-letter country code")


def positive_int(instance: Any, attribute: Any, value: Any) -> None:
    """An integer of at least 1 (booleans are not integers here)."""
    if type(value) is not int or value < 1:
        raise fail(attribute, f"must be a whole number of at least 1, got {value!r}")


def parse_enum(name: str, cls: type[E], value: object) -> E:
    """``value`` as a member of ``cls``, or a ValidationError listing the allowed values."""
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise ValidationError.single(name, f"{value!r} is not one of: {allowed}") from None


def sku_units(name: str, value: object) -> dict[str, int]:
    """``value`` as units per sku (an object of sku -> whole number >= 1), or a ValidationError
    naming every bad entry."""
    if not isinstance(value, Mapping):
        raise ValidationError.single(
            name, f"expected an object of sku -> units, got {type(value).__name__}"
        )
    problems = [
        Problem(f"{name}.{sku}", f"must be a whole number >= 1, got {units!r}")
        for sku, units in value.items()
        if type(units) is not int or units < 1
    ]
    problems += [
        Problem(name, f"sku {sku!r} must be text") for sku in value if not isinstance(sku, str)
    ]
    if problems:
        raise ValidationError(problems)
    return dict(value)


def text_list(name: str, value: object) -> list[str]:
    """``value`` as a list of texts, or a ValidationError."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationError.single(name, f"expected a list of text, got {type(value).__name__}")
    if not all(isinstance(item, str) for item in value):
        raise ValidationError.single(name, "expected a list of text")
    return list(value)


def object_list(name: str, value: object) -> list[object]:
    """``value`` as a list (of objects to check one by one), or a ValidationError."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise ValidationError.single(name, f"expected a list, got {type(value).__name__}")
    return list(value)
