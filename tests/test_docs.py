"""Every ``>>>`` example in the README, the docs and the package docstrings runs as written."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import orderflow

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_markdown_examples(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORDERFLOW_DATABASE_URL", raising=False)
    result = doctest.testfile(str(path), module_relative=False, optionflags=FLAGS, verbose=False)
    assert result.failed == 0


MODULES = [
    m.name
    for m in pkgutil.walk_packages(orderflow.__path__, "orderflow.")
    if not m.name.startswith(
        ("orderflow.cli", "orderflow.testing", "orderflow.adapters.sql", "orderflow.__main__")
    )
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert result.failed == 0


def test_lifecycle_diagram_in_the_docs_is_current() -> None:
    assert orderflow.ORDER_LIFECYCLE.mermaid() in (ROOT / "docs" / "orders.md").read_text()
