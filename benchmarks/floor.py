"""The physical floor of workload L1 on SQLite: the same writes by minimal hand-written SQL.

    python benchmarks/floor.py [--orders 2000] [--seed 7] [--compare]

The same orderflow schema (created by its migrations: same keys, indexes, foreign keys and CHECK
constraints), the same connection settings (WAL, ``synchronous = NORMAL``, foreign keys on,
``BEGIN IMMEDIATE`` per write transaction) and the same write transactions as the lifecycle:
every row the engine writes (order, payment, shipment and reservation documents of the same
shape, serialised to JSON per write; events and outbox messages; stock levels by the same
conditional UPDATE and their ledger rows), every optimistic version check
(``UPDATE ... WHERE version = ?``, a missed row is an error), and one read of each aggregate a
transaction changes. What it leaves out is everything a program needs beyond that: no domain
model, no validation, no read-only transactions, no ORM-free-but-generic SQL building.

With ``--compare`` it also runs the lifecycle on a SQLite file (same orders) and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from typing import Any

from workload import LOCATION, SKUS, UNITS, Shop, database, lifecycle, payload

from orderflow.adapters.sql import upgrade

NOW = "2026-01-05T09:00:00.000000+00:00"
ISO = "2026-01-05T09:00:00+00:00"


def eur(minor: int) -> dict[str, Any]:
    return {"minor": minor, "currency": "EUR"}


def actor(kind: str, ident: str) -> dict[str, str]:
    return {"kind": kind, "id": ident}


class Floor:
    """Workload L1 in raw sqlite3 calls."""

    def __init__(self, path: str) -> None:
        upgrade(f"sqlite:///{path}")
        self.db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        for pragma in (
            "PRAGMA busy_timeout = 30000",
            "PRAGMA foreign_keys = ON",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
        ):
            self.db.execute(pragma)
        self.tracking = 0
        self.payments = 0
        with self.write():
            self.db.execute(
                "INSERT INTO orderflow_sequences (name, value) VALUES ('order', 0)"
                " ON CONFLICT (name) DO NOTHING"
            )
            self.db.execute(
                "INSERT INTO orderflow_locations (code, name, country, priority, ships_to, "
                "cutoff, timezone, handling_days) VALUES (?, 'Main DC', 'DE', 1, '[]', "
                "'14:00:00.000000', 'UTC', 1)",
                (LOCATION,),
            )
            for sku in SKUS:
                self.db.execute(
                    "INSERT INTO orderflow_stock_levels (sku, location, on_hand, reserved, "
                    "reorder_point, reorder_quantity) VALUES (?, ?, ?, 0, 0, 0)",
                    (sku, LOCATION, UNITS),
                )

    def close(self) -> None:
        self.db.close()

    # -- plumbing -------------------------------------------------------------------------------

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, kind: object, *rest: object) -> None:
            self.db.execute("COMMIT" if kind is None else "ROLLBACK")

    def write(self) -> Floor._Tx:
        return Floor._Tx(self.db)

    def events(self, number: str, seq: int, *names: str, by: dict[str, str]) -> int:
        for name in names:
            seq += 1
            body = json.dumps(
                {
                    "occurred_at": ISO,
                    "actor": by,
                    "reason": None,
                    "order_number": number,
                    "type": name,
                    "seq": seq,
                }
            )
            self.db.execute(
                "INSERT INTO orderflow_order_events (order_number, seq, type, occurred_at, actor,"
                " reason, data) VALUES (?, ?, ?, ?, ?, NULL, ?)",
                (number, seq, name, NOW, f"{by['kind']}:{by['id']}", body),
            )
            self.db.execute(
                "INSERT INTO orderflow_outbox (message_id, topic, payload, created_at, attempts,"
                " next_attempt_at) VALUES (?, ?, ?, ?, 0, ?)",
                (f"{number}:{seq}", name, body, NOW, NOW),
            )
        return seq

    def load(self, table: str, key: str, ident: str) -> tuple[int, dict[str, Any]]:
        version, data = self.db.execute(
            f"SELECT version, data FROM {table} WHERE {key} = ?", (ident,)
        ).fetchone()
        return version, json.loads(data)

    def save_order(self, doc: dict[str, Any], version: int) -> int:
        changed = self.db.execute(
            "UPDATE orderflow_orders SET status = ?, version = ?, data = ? "
            "WHERE number = ? AND version = ?",
            (doc["status"], version + 1, json.dumps(doc), doc["number"], version),
        ).rowcount
        if changed != 1:
            raise RuntimeError(f"order {doc['number']} changed meanwhile")
        return version + 1

    def save(self, table: str, doc: dict[str, Any], version: int, **columns: Any) -> int:
        sets = "".join(f", {name} = ?" for name in columns)
        changed = self.db.execute(
            f"UPDATE {table} SET status = ?, version = ?, data = ?{sets} "
            "WHERE id = ? AND version = ?",
            (doc["status"], version + 1, json.dumps(doc), *columns.values(), doc["id"], version),
        ).rowcount
        if changed != 1:
            raise RuntimeError(f"{doc['id']} changed meanwhile")
        return version + 1

    def move(self, lines: list[tuple[str, int]], on_hand: int, reserved: int, kind: str) -> None:
        for sku, quantity in sorted(lines):
            dh, dr = on_hand * quantity, reserved * quantity
            changed = self.db.execute(
                "UPDATE orderflow_stock_levels SET on_hand = on_hand + ?, reserved = reserved + ? "
                "WHERE sku = ? AND location = ? AND reserved + ? >= 0 "
                "AND on_hand + ? >= reserved + ?",
                (dh, dr, sku, LOCATION, dr, dh, dr),
            ).rowcount
            if changed != 1:
                raise RuntimeError(f"not enough {sku}")
            self.db.execute(
                "INSERT INTO orderflow_stock_movements (sku, location, kind, on_hand_delta, "
                "reserved_delta, actor_kind, actor_id, reference, occurred_at) "
                "VALUES (?, ?, ?, ?, ?, 'system', 'inventory', ?, ?)",
                (sku, LOCATION, kind, dh, dr, "ref", NOW),
            )

    # -- the lifecycle --------------------------------------------------------------------------

    def lifecycle(self, data: dict[str, Any]) -> str:
        lines = [(li["sku"], li["quantity"]) for li in data["lines"]]
        system = actor("system", "orderflow")
        # place
        with self.write() as db:
            (seq_no,) = db.execute(
                "UPDATE orderflow_sequences SET value = value + 1 WHERE name = 'order' "
                "RETURNING value"
            ).fetchone()
            number = f"OF-{seq_no:06d}"
            order = self._order_doc(number, data)
            db.execute(
                "INSERT INTO orderflow_orders (number, channel, external_reference, customer_id,"
                " customer_name, customer_email, status, placed_at, total_minor, currency,"
                " version, data) VALUES (?, 'web', ?, 'c-1', 'Ann Lee', 'ann@example.com',"
                " 'placed', ?, ?, 'EUR', 1, ?) ON CONFLICT (channel, external_reference)"
                " DO NOTHING",
                (
                    number,
                    data["external_reference"],
                    NOW,
                    order["totals"]["total"]["minor"],
                    json.dumps(order),
                ),
            )
            seq = self.events(number, 0, "OrderPlaced", by=system)
        total = order["totals"]["total"]["minor"]
        # verify
        with self.write():
            version, order = self.load("orderflow_orders", "number", number)
            order["status"] = "verified"
            version = self.save_order(order, version)
            seq = self.events(number, seq, "OrderVerified", by=system)
        # confirm: authorise (record the operation, call the gateway, record the answer)
        pay_id = f"PAY-{number}-1"
        payment = self._payment_doc(pay_id, number, total)
        with self.write() as db:
            db.execute(
                "INSERT INTO orderflow_payments (id, order_number, status, created_at,"
                " pending_operation, version, data) VALUES (?, ?, 'pending', ?, 'authorise', 1,"
                " ?) ON CONFLICT (id) DO NOTHING",
                (pay_id, number, NOW, json.dumps(payment)),
            )
        self.payments += 1
        seq, version = self._settle(number, pay_id, seq, "authorised", "PaymentAuthorised")
        # confirm: reserve and confirm
        res_id = f"RES-{number}-01"
        with self.write() as db:
            version, order = self.load("orderflow_orders", "number", number)
            self.move(lines, 0, 1, "reservation")
            reservation = [
                {"sku": sku, "location": LOCATION, "quantity": n, "committed": 0}
                for sku, n in lines
            ]
            db.execute(
                "INSERT INTO orderflow_reservations (id, order_number, status, created_at,"
                " version, lines, backorders) VALUES (?, ?, 'active', ?, 1, ?, '[]')"
                " ON CONFLICT (id) DO NOTHING",
                (res_id, number, NOW, json.dumps(reservation)),
            )
            order["status"] = "confirmed"
            version = self.save_order(order, version)
            seq = self.events(
                number, seq, "StockReserved", "OrderConfirmed", by=actor("system", "inventory")
            )
        # capture
        with self.write():
            pversion, payment = self.load("orderflow_payments", "id", pay_id)
            payment["operations"].append(self._operation(pay_id, 2, "capture", total, "pending"))
            self.save("orderflow_payments", payment, pversion, pending_operation="capture")
        seq, version = self._settle(number, pay_id, seq, "captured", "PaymentCaptured")
        # create the shipment
        ship_id = f"SHP-{number}-1"
        with self.write() as db:
            version, order = self.load("orderflow_orders", "number", number)
            shipment = self._shipment_doc(ship_id, number, data)
            db.execute(
                "INSERT INTO orderflow_shipments (id, order_number, location, status, created_at,"
                " version, data) VALUES (?, ?, ?, 'pending', ?, 1, ?)"
                " ON CONFLICT (id) DO NOTHING",
                (ship_id, number, LOCATION, NOW, json.dumps(shipment)),
            )
            order["status"] = "in_fulfilment"
            version = self.save_order(order, version)
            seq = self.events(number, seq, "ShipmentCreated", "OrderFulfilmentStarted", by=system)
        # start picking, scan every unit, pack: one transaction each
        picker = actor("person", "picker")
        self._on_shipment(ship_id, lambda s: s.update(status="picking"))
        for sku, quantity in lines:
            for _ in range(quantity):
                scan = {"code": sku, "sku": sku, "outcome": "accepted", "actor": picker, "at": ISO}
                self._on_shipment(ship_id, lambda s, scan=scan: s["scans"].append(scan))
        package = {"weight_g": 900, "length_mm": 300, "width_mm": 200, "height_mm": 100}
        self._on_shipment(ship_id, lambda s: s.update(status="packed", packages=[package]))
        # ship: the label is bought outside the transaction, then one transaction
        self.tracking += 1
        tracking = f"FP{self.tracking:010d}"
        with self.write() as db:
            sversion, shipment = self.load("orderflow_shipments", "id", ship_id)
            version, order = self.load("orderflow_orders", "number", number)
            self.move(lines, -1, -1, "commit")
            for item in reservation:
                item["committed"] = item["quantity"]
            changed = db.execute(
                "UPDATE orderflow_reservations SET status = 'committed', version = 2, lines = ?"
                " WHERE id = ? AND version = 1",
                (json.dumps(reservation), res_id),
            ).rowcount
            assert changed == 1
            db.execute("DELETE FROM orderflow_backorders WHERE reservation_id = ?", (res_id,))
            shipment.update(
                status="shipped",
                carrier="fakepost",
                tracking_number=tracking,
                label=f"LABEL fakepost {tracking}\nTO Ann Lee, Berlin",
                shipped_at=ISO,
                expected_delivery="2026-01-08",
            )
            self.save("orderflow_shipments", shipment, sversion)
            order["status"] = "shipped"
            version = self.save_order(order, version)
            seq = self.events(
                number, seq, "StockCommitted", "ShipmentShipped", "OrderShipped", by=picker
            )
        # deliver
        with self.write():
            version, order = self.load("orderflow_orders", "number", number)
            sversion, shipment = self.load("orderflow_shipments", "id", ship_id)
            shipment["status"] = "delivered"
            shipment["tracking"].append(
                {
                    "event_id": f"manual-{ISO}",
                    "status": "delivered",
                    "at": ISO,
                    "description": "confirmed by person:driver",
                    "location": None,
                }
            )
            self.save("orderflow_shipments", shipment, sversion)
            order["status"] = "delivered"
            self.save_order(order, version)
            self.events(number, seq, "OrderDelivered", by=actor("system", "fulfilment"))
        return number

    def _settle(
        self, number: str, pay_id: str, seq: int, status: str, event: str
    ) -> tuple[int, int]:
        """The gateway answered: record it on the payment and the order in one transaction."""
        with self.write():
            pversion, payment = self.load("orderflow_payments", "id", pay_id)
            version, order = self.load("orderflow_orders", "number", number)
            payment["status"] = status
            payment["operations"][-1]["status"] = "approved"
            if status == "authorised":
                payment["operations"].append(
                    self._operation(pay_id, 1, "authorise", payment["amount"]["minor"], "approved")
                )
                payment["operations"].pop(0)
            self.save(
                "orderflow_payments",
                payment,
                pversion,
                pending_operation=None,
                authorised_until="2026-01-12T09:00:00.000000+00:00",
            )
            version = self.save_order(order, version)
            seq = self.events(number, seq, event, by=actor("system", "orderflow"))
        return seq, version

    def _on_shipment(self, ship_id: str, change: Any) -> None:
        with self.write():
            version, shipment = self.load("orderflow_shipments", "id", ship_id)
            change(shipment)
            self.save("orderflow_shipments", shipment, version)

    # -- documents of the same shape as the engine's ----------------------------------------------

    def _order_doc(self, number: str, data: dict[str, Any]) -> dict[str, Any]:
        address = {**data["shipping_address"], "line2": None, "region": None}
        lines = []
        items = 0
        for i, li in enumerate(data["lines"], 1):
            value = 950 * li["quantity"]
            items += value
            lines.append(
                {
                    "line_no": i,
                    "sku": li["sku"],
                    "name": li["name"],
                    "quantity": li["quantity"],
                    "unit_price": eur(950),
                    "discount": eur(0),
                    "tax_rate": "0.19",
                    "tax": eur(value * 19 // 100),
                    "order_discount_share": eur(0),
                    "kind": "shippable",
                }
            )
        tax = items * 19 // 100 + 94
        return {
            "number": number,
            "channel": "web",
            "external_reference": data["external_reference"],
            "customer": {**data["customer"], "phone": None},
            "shipping_address": address,
            "billing_address": address,
            "lines": lines,
            "shipping_tax": eur(94),
            "totals": {
                "items": eur(items),
                "line_discounts": eur(0),
                "order_discount": eur(0),
                "shipping": eur(495),
                "tax": eur(tax),
                "total": eur(items + 495 + tax),
            },
            "shipping_option": None,
            "payment_method": {**data["payment_method"], "kind": "card"},
            "placed_at": ISO,
            "fingerprint": "0" * 64,
            "client_ip": None,
            "ship_by": "2026-01-06",
            "deliver_by": "2026-01-09",
            "return_status": None,
            "digital_items": [],
            "status": "placed",
            "holds": [],
            "notes": [],
            "awaiting": None,
        }

    def _operation(
        self, pay_id: str, index: int, kind: str, amount: int, status: str
    ) -> dict[str, Any]:
        return {
            "key": f"{pay_id}-op{index}",
            "kind": kind,
            "amount": eur(amount),
            "requested_at": ISO,
            "status": status,
            "attempts": 1,
            "completed_at": ISO,
            "gateway_reference": f"fake_authorise_{self.payments}",
            "decline_code": None,
            "error": None,
        }

    def _payment_doc(self, pay_id: str, number: str, total: int) -> dict[str, Any]:
        return {
            "id": pay_id,
            "order_number": number,
            "method": {"token": "tok_ok", "kind": "card", "brand": "visa", "last4": "4242"},
            "amount": eur(total),
            "created_at": ISO,
            "status": "pending",
            "authorised": eur(0),
            "captured": eur(0),
            "refunded": eur(0),
            "authorised_until": None,
            "authorisation_reference": None,
            "operations": [self._operation(pay_id, 1, "authorise", total, "pending")],
        }

    def _shipment_doc(self, ship_id: str, number: str, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": ship_id,
            "order_number": number,
            "location": LOCATION,
            "lines": [
                {"sku": li["sku"], "name": li["name"], "quantity": li["quantity"], "line_no": i}
                for i, li in enumerate(data["lines"], 1)
            ],
            "created_at": ISO,
            "status": "pending",
            "service": None,
            "ship_by": "2026-01-06",
            "deliver_by": "2026-01-09",
            "scans": [],
            "packages": [],
            "carrier": None,
            "tracking_number": None,
            "label": None,
            "shipped_at": None,
            "expected_delivery": None,
            "delivered_at": None,
            "tracking": [],
            "replacement_for": None,
        }


def run_floor(orders: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    data = [payload(rng, f"L1-{seed}-{i}") for i in range(orders)]
    with tempfile.TemporaryDirectory(prefix="orderflow-floor-") as folder:
        floor = Floor(f"{folder}/floor.db")
        for i in range(min(20, orders // 10)):
            floor.lifecycle(payload(rng, f"warm-{i}"))
        start = time.perf_counter()
        for item in data:
            floor.lifecycle(item)
        elapsed = time.perf_counter() - start
        floor.close()
    return {
        "benchmark": "L1-floor",
        "backend": "sqlite3",
        "orders": orders,
        "seconds": round(elapsed, 3),
        "lifecycles_per_s": round(orders / elapsed, 1),
        "ms_per_lifecycle": round(1000 * elapsed / orders, 3),
    }


def run_lifecycle(orders: int, seed: int) -> float:
    rng = random.Random(seed)
    data = [payload(rng, f"L1-{seed}-{i}") for i in range(orders)]
    with database("sqlite") as url:
        shop = Shop("sqlite", url)
        for i in range(min(20, orders // 10)):
            lifecycle(shop.flow, payload(rng, f"warm-{i}"))
        start = time.perf_counter()
        for item in data:
            lifecycle(shop.flow, item)
        elapsed = time.perf_counter() - start
        shop.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--compare", action="store_true", help="also run the lifecycle on SQLite")
    args = parser.parse_args(argv)
    floor = run_floor(args.orders, args.seed)
    print(json.dumps(floor), flush=True)
    if args.compare:
        elapsed = run_lifecycle(args.orders, args.seed)
        print(
            json.dumps(
                {
                    "benchmark": "L1-vs-floor",
                    "backend": "sqlite",
                    "orders": args.orders,
                    "lifecycle_seconds": round(elapsed, 3),
                    "floor_seconds": floor["seconds"],
                    "ratio": round(elapsed / floor["seconds"], 2),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
