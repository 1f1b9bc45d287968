"""``jiandu routes test | lint | schema`` through the typer app."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from jiandu.deviations import Channel
from jiandu_cli.routes import app
from services.alerts.route_config import json_schema
from tests.alerts.helpers import make_deviation

runner = CliRunner()


def test_test_shows_units_and_why(tmp_path: Path) -> None:
    file = tmp_path / "deviation.json"
    file.write_text(make_deviation("C01", region="140703", department="140703-STHJ",
                                   channels=(Channel.H_FY,)).model_dump_json())  # fmt: skip
    result = runner.invoke(app, ["test", str(file)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for expected in ("SF-140703", "140703-STHJ", "FZ-140700", "FY-140700", "check=C01",
                     "channel_hint=H-FY", "under review (H-FY)"):  # fmt: skip
        assert expected in result.output
    assert "SF-140702" not in result.output


def test_test_reads_json_lines_and_another_tree(tmp_path: Path) -> None:
    file = tmp_path / "deviations.jsonl"
    file.write_text("\n".join(make_deviation(c).model_dump_json() for c in ("C02", "C25")) + "\n")
    tree = tmp_path / "t.yaml"
    tree.write_text("version: t\nroute: {receivers: [H-JJ]}\n")
    result = runner.invoke(app, ["test", str(file), "--tree", str(tree)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.output.count("JJ-140702") == 2


def test_test_refuses_a_bad_deviation(tmp_path: Path) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text('{"check_id": "C01"}\n')
    result = runner.invoke(app, ["test", str(file)])
    assert result.exit_code == 1
    assert f"{file}:1: id: Field required" in result.output


def test_lint_the_shipped_tree() -> None:
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("routes.yaml: ok")


def test_lint_prints_file_line_reason(tmp_path: Path) -> None:
    tree = tmp_path / "t.yaml"
    tree.write_text(
        "version: t\nroute:\n  routes:\n    - {match: {check: [C30]}, receivers: [V-SF]}\n"
    )
    result = runner.invoke(app, ["lint", str(tree)])
    assert result.exit_code == 1
    assert f"{tree}:4: unknown check id C30" in result.output


def test_schema_prints_the_schema() -> None:
    assert runner.invoke(app, ["schema"]).output == json_schema()
