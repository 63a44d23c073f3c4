"""docs/reference.md is generated from the code (docs/gen_reference.py) and kept current."""

import importlib.util
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import orderflow

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGE = DOCS / "reference.md"
REGENERATE = "regenerate it: python docs/gen_reference.py > docs/reference.md"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXPORTED_ERRORS = sorted(
    name
    for name in orderflow.__all__
    if isinstance(obj := getattr(orderflow, name), type) and issubclass(obj, Exception)
)


def test_the_page_is_the_generators_output() -> None:
    assert PAGE.read_text() == generator().render(), f"docs/reference.md is stale; {REGENERATE}"


@pytest.mark.parametrize("name", sorted(orderflow.EVENT_TYPES))
def test_every_event_type_has_a_row(name: str) -> None:
    assert f"| `{name}` |" in PAGE.read_text(), f"{name} is missing; {REGENERATE}"


@pytest.mark.parametrize("name", EXPORTED_ERRORS)
def test_every_exported_error_has_a_row(name: str) -> None:
    assert f"| `{name}` | `orderflow` |" in PAGE.read_text(), f"{name} is missing; {REGENERATE}"


def test_errors_outside_the_top_level_package_are_found_too() -> None:
    names = [cls.__name__ for cls in generator().error_classes()]
    assert {"CarrierUnavailable", "ReturnError", "OrderflowError"} <= set(names)
    assert len(EXPORTED_ERRORS) >= 10


def test_the_output_does_not_change_once_attrs_resolved_the_types() -> None:
    before = generator().render()
    for cls in orderflow.EVENT_TYPES.values():
        attrs.resolve_types(cls)  # what cattrs does the first time it converts an event
    assert generator().render() == before
    assert "`total: Money`" in before
