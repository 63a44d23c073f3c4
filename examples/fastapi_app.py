"""orderflow inside a FastAPI application: place, read, trace and cancel orders over HTTP.

Run it (the engine stores its orders in ``$ORDERFLOW_DATABASE_URL``, else ``shop.db``)::

    python -m pip install "orderflow[sql,examples]" uvicorn
    uvicorn examples.fastapi_app:app --reload

    curl -X POST localhost:8000/orders -H 'content-type: application/json' -d '{
      "channel": "web", "currency": "EUR",
      "lines": [{"sku": "MUG-1", "name": "Mug", "quantity": 2, "unit_price": "9.50"}]}'

One ``OrderFlow`` serves the whole process (it is thread-safe); the endpoints are plain ``def``
functions, so FastAPI runs these blocking calls in its thread pool, off the event loop. orderflow's
errors become JSON answers in one place, the exception handlers at the bottom.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Body, FastAPI, Request
from fastapi.responses import JSONResponse

from orderflow import (
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
#: Any JSON body, passed to orderflow as it came: orderflow validates it and names every problem.
JsonBody = Annotated[Any, Body()]


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


def create_app(flow: OrderFlow | None = None) -> FastAPI:
    """The application; without ``flow`` it builds one on the configured database at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if flow is None:
            url = os.environ.get("ORDERFLOW_DATABASE_URL", DEFAULT_DATABASE)
            engine = OrderFlow.from_url(url)
            engine.upgrade_schema()  # at deploy time in production: `orderflow db upgrade`
            app.state.flow = engine
            yield
            engine.close()
        else:
            app.state.flow = flow
            yield

    app = FastAPI(title="shop orders", lifespan=lifespan)

    def engine(request: Request) -> OrderFlow:
        found: OrderFlow = request.app.state.flow
        return found

    @app.post("/orders", status_code=201)
    def place_order(request: Request, payload: JsonBody) -> dict[str, Any]:
        """Take an order; a retry with the same channel and external_reference is answered
        with the same order."""
        flow = engine(request)
        order = flow.place_order(payload, actor="integration:storefront")
        return order_json(order, flow)

    @app.get("/orders/{number}")
    def get_order(request: Request, number: str) -> dict[str, Any]:
        flow = engine(request)
        return order_json(flow.get_order(number), flow)

    @app.get("/orders/{number}/history")
    def history(request: Request, number: str) -> list[dict[str, Any]]:
        return [
            {
                "seq": entry.seq,
                "at": entry.occurred_at.isoformat(),
                "event": entry.event,
                "actor": entry.actor,
                "summary": entry.summary,
                "reason": entry.reason,
            }
            for entry in engine(request).history(number)
        ]

    @app.post("/orders/{number}/cancel")
    def cancel(request: Request, number: str, payload: JsonBody) -> dict[str, Any]:
        """Cancel with ``{"reason": ..., "actor": ...}``."""
        if not isinstance(payload, dict):
            raise ValidationError.single("", "expected an object with reason and actor")
        flow = engine(request)
        order = flow.cancel_order(
            number, reason=payload.get("reason", ""), actor=payload.get("actor", "")
        )
        return order_json(order, flow)

    @app.exception_handler(OrderflowError)
    async def orderflow_error(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=status_of(exc), content=error_json(exc))

    return app


def status_of(error: Exception) -> int:
    """The HTTP status for an orderflow error."""
    if isinstance(error, ValidationError):
        return 422
    if isinstance(error, NotFound):
        return 404
    conflicts = (IllegalTransition, OrderOnHold, HoldError, IdempotencyConflict, ConcurrencyError)
    if isinstance(error, conflicts):
        return 409
    return 400


def error_json(error: Exception) -> dict[str, Any]:
    """The error's message, and for bad input every problem with the field it names."""
    body: dict[str, Any] = {"error": type(error).__name__, "message": str(error)}
    if isinstance(error, ValidationError):
        body["problems"] = [{"path": p.path, "message": p.message} for p in error.problems]
    return body


app = create_app()
