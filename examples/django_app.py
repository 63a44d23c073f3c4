"""orderflow inside a Django application (a single file): place, read, trace and cancel orders.

Run it (the engine stores its orders in ``$ORDERFLOW_DATABASE_URL``, else ``shop.db``)::

    python -m pip install "orderflow[sql,examples]"
    python examples/django_app.py runserver

    curl -X POST localhost:8000/orders -H 'content-type: application/json' -d '{
      "channel": "web", "currency": "EUR",
      "lines": [{"sku": "MUG-1", "name": "Mug", "quantity": 2, "unit_price": "9.50"}]}'

In a Django project the settings live in settings.py, the views in an app's views.py and the
patterns in urls.py; the orderflow parts are the same. The engine is built once per process, on
first use, and shared by the request threads. To share the project's database instead, build it
with ``OrderFlow.from_engine(sqlalchemy_engine)`` on the same database (orderflow keeps to its
``orderflow_`` tables and its own migration history).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=os.environ.get("DJANGO_DEBUG") == "1",
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "only-for-the-example"),
        ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        INSTALLED_APPS=[],
        DATABASES={},
    )

import django

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_GET, require_POST  # noqa: E402

from orderflow import (  # noqa: E402
    ConcurrencyError,
    HoldError,
    IdempotencyConflict,
    IllegalTransition,
    NotFound,
    Order,
    OrderFlow,
    OrderflowError,
    OrderOnHold,
    ValidationError,
)

DEFAULT_DATABASE = "sqlite:///shop.db"
_flow: OrderFlow | None = None
_lock = threading.Lock()


def use_flow(flow: OrderFlow | None) -> None:
    """Serve ``flow`` (tests, or a host that builds its own engine); None: build on first use."""
    global _flow
    _flow = flow


def get_flow() -> OrderFlow:
    """The process's engine, built on ``$ORDERFLOW_DATABASE_URL`` the first time it is needed."""
    global _flow
    with _lock:
        if _flow is None:
            flow = OrderFlow.from_url(os.environ.get("ORDERFLOW_DATABASE_URL", DEFAULT_DATABASE))
            flow.upgrade_schema()  # at deploy time in production: `orderflow db upgrade`
            _flow = flow
        return _flow


def order_json(order: Order, flow: OrderFlow) -> dict[str, Any]:
    """What the API shows of an order (amounts as decimal strings, never floats)."""
    now = flow.services.clock.now()
    return {
        "number": order.number,
        "status": order.status.value,
        "channel": order.channel.value,
        "external_reference": order.external_reference,
        "placed_at": order.placed_at.isoformat(),
        "currency": order.currency,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price.to_decimal()),
                "total": str(line.total.to_decimal()),
            }
            for line in order.lines
        ],
        "total": str(order.totals.total.to_decimal()),
        "holds": [{"type": h.type.value, "reason": h.reason} for h in order.active_holds(now)],
        "ship_by": order.ship_by.isoformat() if order.ship_by else None,
    }


def error_response(error: OrderflowError) -> JsonResponse:
    """An orderflow error as JSON; bad input lists every problem with the field it names."""
    body: dict[str, Any] = {"error": type(error).__name__, "message": str(error)}
    status = 400
    if isinstance(error, ValidationError):
        status = 422
        body["problems"] = [{"path": p.path, "message": p.message} for p in error.problems]
    elif isinstance(error, NotFound):
        status = 404
    elif isinstance(
        error, IllegalTransition | OrderOnHold | HoldError | IdempotencyConflict | ConcurrencyError
    ):
        status = 409
    return JsonResponse(body, status=status)


def json_body(request: HttpRequest) -> Any:
    """The request's JSON; malformed JSON is bad input like any other."""
    try:
        return json.loads(request.body or b"null")
    except ValueError as exc:
        raise ValidationError.single("", f"the body is not JSON: {exc}") from None


@csrf_exempt  # an API for other systems; protect it with your authentication instead
@require_POST
def place_order(request: HttpRequest) -> JsonResponse:
    """Take an order; a retry with the same channel and external_reference is answered with
    the same order."""
    flow = get_flow()
    try:
        order = flow.place_order(json_body(request), actor="integration:storefront")
    except OrderflowError as error:
        return error_response(error)
    return JsonResponse(order_json(order, flow), status=201)


@require_GET
def get_order(request: HttpRequest, number: str) -> JsonResponse:
    flow = get_flow()
    try:
        return JsonResponse(order_json(flow.get_order(number), flow))
    except OrderflowError as error:
        return error_response(error)


@require_GET
def history(request: HttpRequest, number: str) -> JsonResponse:
    try:
        entries = get_flow().history(number)
    except OrderflowError as error:
        return error_response(error)
    rows = [
        {
            "seq": entry.seq,
            "at": entry.occurred_at.isoformat(),
            "event": entry.event,
            "actor": entry.actor,
            "summary": entry.summary,
            "reason": entry.reason,
        }
        for entry in entries
    ]
    return JsonResponse(rows, safe=False)


@csrf_exempt
@require_POST
def cancel(request: HttpRequest, number: str) -> JsonResponse:
    """Cancel with ``{"reason": ..., "actor": ...}``."""
    flow = get_flow()
    try:
        payload = json_body(request)
        if not isinstance(payload, dict):
            raise ValidationError.single("", "expected an object with reason and actor")
        order = flow.cancel_order(
            number, reason=payload.get("reason", ""), actor=payload.get("actor", "")
        )
    except OrderflowError as error:
        return error_response(error)
    return JsonResponse(order_json(order, flow))


urlpatterns = [
    path("orders", place_order),
    path("orders/<str:number>", get_order),
    path("orders/<str:number>/history", history),
    path("orders/<str:number>/cancel", cancel),
]

application = get_wsgi_application()

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
