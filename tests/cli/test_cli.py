"""The orderflow command, end to end on a SQLite file."""

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from orderflow.cli.app import cli
from orderflow.cli.demo import SCENARIOS
from orderflow.cli.diagrams import LIFECYCLES


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "shop.db"
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        cli, ["demo", "--orders", "80", "--seed", "3", "--db", str(path)]
    )
    assert result.exit_code == 0, result.output
    DEMO_OUTPUT.append(result.output)
    return path


DEMO_OUTPUT: list[str] = []


def run(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, list(args))  # tables unwrapped
    return result.exit_code, result.output


def scenario_rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if "scenario:" in line or "holds placed" in line]


def test_demo_goes_through_every_path(demo_db: Path) -> None:
    (summary,) = DEMO_OUTPUT
    shown = {m.group(1).strip() for m in re.finditer(r"scenario: ([\w -]+?)\s*│", summary)}
    assert shown == set(SCENARIOS)
    code, out = run("orders", "--db", str(demo_db), "--limit", "1000", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 80
    assert {r["status"] for r in rows} == {"completed", "cancelled"}  # nothing left half-done
    events = {
        e["event"]
        for r in rows
        for e in json.loads(run("history", r["number"], "--db", str(demo_db), "--json")[1])
    }
    assert events >= {
        "PaymentDeclined",
        "FraudReviewed",
        "BackorderFilled",
        "ScanRefused",
        "ShipmentShipped",
        "ShipmentTracked",
        "OrderLate",
        "ClaimOpened",
        "ClaimResolved",
        "ReturnRefunded",
        "ReturnExchanged",
        "DigitalItemDelivered",
        "OrderCompleted",
        "NotificationSent",
    }


def test_demo_is_deterministic_per_seed(tmp_path: Path) -> None:
    outputs = [
        run("demo", "--orders", "30", "--seed", "11", "--db", str(tmp_path / f"{i}.db"))
        for i in range(2)
    ]
    assert [code for code, _ in outputs] == [0, 0]
    first, second = (scenario_rows(out) for _, out in outputs)
    assert first == second
    assert first, "the summary lists the scenarios"
    assert "orderflow demo: 30 orders" in outputs[0][1]


def test_history_table_and_json(demo_db: Path) -> None:
    code, out = run("orders", "--db", str(demo_db), "--hold", "address", "--json")
    assert code == 0
    code, out = run("orders", "--db", str(demo_db), "--status", "cancelled", "--json")
    number = json.loads(out)[0]["number"]
    code, out = run("history", number, "--db", str(demo_db), "--json")
    assert code == 0
    entries = json.loads(out)
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0]["event"] == "OrderPlaced"
    cancelled = next(e for e in entries if e["event"] == "OrderCancelled")
    assert cancelled["reason"]
    code, out = run("history", number, "--db", str(demo_db))
    assert code == 0
    assert "OrderCancelled" in out
    assert number in out


def test_order_filters(demo_db: Path) -> None:
    code, out = run("orders", "--db", str(demo_db), "--status", "cancelled", "--json")
    assert code == 0
    statuses = {r["status"] for r in json.loads(out)}
    assert statuses == {"cancelled"}
    code, out = run("orders", "--db", str(demo_db), "--channel", "marketplace", "--limit", "3")
    assert code == 0
    assert re.search(r"\d+ orders", out)


def test_unknown_order_is_one_line_error(demo_db: Path) -> None:
    code, out = run("history", "OF-999999", "--db", str(demo_db))
    assert code == 1
    assert out.strip() == "Error: order 'OF-999999' not found"


def test_bad_option_is_a_usage_error_not_a_traceback(demo_db: Path) -> None:
    code, out = run("orders", "--db", str(demo_db), "--status", "lost")
    assert code == 2
    assert "Traceback" not in out
    assert "'lost' is not one of" in out


def test_db_upgrade_then_empty_list(tmp_path: Path) -> None:
    db = str(tmp_path / "new.db")
    code, out = run("db", "upgrade", "--db", db)
    assert code == 0, out
    assert "schema up to date" in out
    code, out = run("orders", "--db", db, "--json")
    assert (code, json.loads(out)) == (0, [])


def test_diagram_is_mermaid_for_every_lifecycle() -> None:
    code, out = run("diagram")
    assert code == 0
    assert out.count("stateDiagram-v2") == len(LIFECYCLES)
    for name, lifecycle in LIFECYCLES.items():
        assert f"%% {name} lifecycle\n{lifecycle.mermaid()}" in out


def test_diagram_svg_files_show_every_state_and_trigger(tmp_path: Path) -> None:
    code, out = run("diagram", "--format", "svg", "--output", str(tmp_path))
    assert code == 0, out
    for name, lifecycle in LIFECYCLES.items():
        root = ElementTree.parse(tmp_path / f"{name}.svg").getroot()
        texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
        for state in lifecycle.states:
            assert state.value in texts.split()
        for trigger in lifecycle.triggers:
            assert trigger in texts


def test_diagram_png(tmp_path: Path) -> None:
    code, out = run(
        "diagram", "--format", "png", "--lifecycle", "return", "--output", str(tmp_path)
    )
    assert code == 0, out
    assert out.split() == [str(tmp_path / "return.png")]
    assert (tmp_path / "return.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_report_adds_up(demo_db: Path) -> None:
    code, out = run("report", "--db", str(demo_db), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["orders"] == sum(report["by_status"].values()) == 80
    assert 0 < report["to_shipment"]["orders"] <= report["to_delivery"]["orders"] + 5
    assert report["to_shipment"]["mean_hours"] < report["to_delivery"]["mean_hours"]
    assert report["late_to_deliver"] >= 1
    assert report["claims"] >= 1
    assert report["scan_errors"] >= 1
    assert 0 < report["accuracy"] < 1
    assert sum(report["by_actor"].values()) >= 80
    code, out = run("report", "--db", str(demo_db))
    assert code == 0
    assert "order accuracy" in out


def test_orders_late_lists_only_late_orders(demo_db: Path) -> None:
    code, out = run("orders", "--db", str(demo_db), "--late", "--json")
    assert code == 0
    late = json.loads(out)
    assert late
    for row in late:
        trail = json.loads(run("history", row["number"], "--db", str(demo_db), "--json")[1])
        assert "OrderLate" in {e["event"] for e in trail}
