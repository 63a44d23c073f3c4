"""The FastAPI and Django examples (examples/) work as their docstrings say, on SQLite files."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orderflow import ManualClock, OrderFlow

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # examples/ is not a package of the distribution

for _name in ("fastapi", "httpx", "django"):  # in the test extra: fail, never skip, without them
    if importlib.util.find_spec(_name) is None:
        raise ImportError(f"{_name} is missing: pip install -e '.[test]'")

with warnings.catch_warnings():  # starlette prefers httpx2 for its TestClient; httpx works
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from django.test import Client  # noqa: E402  (after the check)
from examples import django_app, fastapi_app  # noqa: E402

ORDER = {
    "channel": "web",
    "external_reference": "WEB-1001",
    "currency": "EUR",
    "customer": {"name": "Ann Lee", "email": "ann@example.com"},
    "lines": [
        {"sku": "MUG-1", "name": "Mug", "quantity": 2, "unit_price": "9.50", "tax_rate": "0.19"}
    ],
    "shipping": "4.95",
}


class Api:
    """The same calls on either framework: (status, JSON body)."""

    def __init__(
        self,
        post: Callable[[str, Any], tuple[int, Any]],
        get: Callable[[str], tuple[int, Any]],
    ) -> None:
        self.post, self.get = post, get


def fastapi_api(flow: OrderFlow) -> Iterator[Api]:
    with TestClient(fastapi_app.create_app(flow)) as client:

        def post(path: str, body: Any) -> tuple[int, Any]:
            response = client.post(path, json=body)
            return response.status_code, response.json()

        def get(path: str) -> tuple[int, Any]:
            response = client.get(path)
            return response.status_code, response.json()

        yield Api(post, get)


def django_api(flow: OrderFlow) -> Iterator[Api]:
    django_app.use_flow(flow)
    client = Client()

    def post(path: str, body: Any) -> tuple[int, Any]:
        response = client.post(path, data=json.dumps(body), content_type="application/json")
        return response.status_code, response.json()

    def get(path: str) -> tuple[int, Any]:
        response = client.get(path)
        return response.status_code, response.json()

    try:
        yield Api(post, get)
    finally:
        django_app.use_flow(None)


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[OrderFlow]:
    engine = OrderFlow.from_url(f"sqlite:///{tmp_path / 'shop.db'}", clock=ManualClock())
    engine.upgrade_schema()
    yield engine
    engine.close()


@pytest.fixture(params=[fastapi_api, django_api], ids=["fastapi", "django"])
def api(request: pytest.FixtureRequest, flow: OrderFlow) -> Iterator[Api]:
    yield from request.param(flow)


def test_placing_answers_201_with_the_number_and_retries_get_the_same_order(
    api: Api, flow: OrderFlow
) -> None:
    status, body = api.post("/orders", ORDER)
    assert status == 201
    assert (body["number"], body["status"], body["total"]) == ("OF-000001", "placed", "27.56")
    assert body["lines"][0] == {
        "sku": "MUG-1", "name": "Mug", "quantity": 2, "unit_price": "9.50", "total": "22.61",
    }  # fmt: skip
    assert api.post("/orders", ORDER) == (201, body)
    assert [s.number for s in flow.find_orders()] == ["OF-000001"]


def test_bad_input_is_422_with_every_problem_named_and_nothing_stored(
    api: Api, flow: OrderFlow
) -> None:
    bad = {**ORDER, "channel": "fax", "lines": [{**ORDER["lines"][0], "quantity": 1.5}]}
    status, body = api.post("/orders", bad)
    assert status == 422
    assert [p["path"] for p in body["problems"]] == ["channel", "lines[0].quantity"]
    assert "expected a whole number" in body["problems"][1]["message"]
    assert api.post("/orders", ["not", "an", "object"])[0] == 422
    assert flow.find_orders() == []


def test_get_order_and_unknown_numbers(api: Api) -> None:
    number = api.post("/orders", ORDER)[1]["number"]
    status, body = api.get(f"/orders/{number}")
    assert (status, body["number"], body["currency"], body["holds"]) == (200, number, "EUR", [])
    status, body = api.get("/orders/OF-999999")
    assert (status, body["error"]) == (404, "OrderNotFound")
    assert api.get("/orders/OF-999999/history")[0] == 404


def test_cancel_then_history_shows_who_and_why(api: Api) -> None:
    number = api.post("/orders", ORDER)[1]["number"]
    status, body = api.post(
        f"/orders/{number}/cancel", {"reason": "customer changed mind", "actor": "alice"}
    )
    assert (status, body["status"]) == (200, "cancelled")
    status, body = api.post(f"/orders/{number}/cancel", {"reason": "again", "actor": "alice"})
    assert (status, body["error"]) == (409, "IllegalTransition")
    assert api.post(f"/orders/{number}/cancel", "no")[0] == 422
    status, rows = api.get(f"/orders/{number}/history")
    assert status == 200
    assert [(r["seq"], r["event"], r["actor"], r["reason"]) for r in rows] == [
        (1, "OrderPlaced", "integration:storefront", None),
        (2, "OrderCancelled", "person:alice", "customer changed mind"),
    ]


def test_fastapi_app_builds_its_engine_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", url)
    with TestClient(fastapi_app.create_app()) as client:
        assert client.post("/orders", json=ORDER).status_code == 201
    stored = OrderFlow.from_url(url)
    assert stored.get_order("OF-000001").external_reference == "WEB-1001"
    stored.close()


def test_django_app_builds_its_engine_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", url)
    django_app.use_flow(None)
    try:
        response = Client().post("/orders", data=json.dumps(ORDER), content_type="application/json")
        assert response.status_code == 201
        assert Client().get("/orders").status_code == 405  # placing is POST only
    finally:
        django_app.get_flow().close()
        django_app.use_flow(None)
    stored = OrderFlow.from_url(url)
    assert stored.get_order("OF-000001").external_reference == "WEB-1001"
    stored.close()


@pytest.mark.parametrize(
    "command",
    [["check"], ["format", "--check"]],
    ids=["ruff-check", "ruff-format"],
)
def test_examples_and_the_docs_generator_are_lint_clean(command: list[str]) -> None:
    paths = ["examples", "docs/gen_reference.py"]
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
