"""The orderflow command, end to end on a SQLite file."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from orderflow.cli.app import cli


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "shop.db"
    result = CliRunner().invoke(cli, ["demo", "--orders", "60", "--seed", "3", "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, list(args))  # tables unwrapped
    return result.exit_code, result.output


def scenario_rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if "scenario:" in line or "holds placed" in line]


def test_demo_prints_a_summary(demo_db: Path) -> None:
    code, out = run("orders", "--db", str(demo_db), "--limit", "1000", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 60
    assert {r["status"] for r in rows} >= {"verified", "cancelled"}


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
    assert entries[-1]["event"] == "OrderCancelled"
    assert entries[-1]["reason"]
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


def test_diagram_is_mermaid() -> None:
    code, out = run("diagram")
    assert code == 0
    assert "stateDiagram-v2" in out
    assert "placed --> verified: verify" in out
