"""``parcours triggers fire``: a rule set fired on an events file, and its one-line errors."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from parcours_pipelines.cli import ExitCode, app, main
from tests.lib.triggers.conftest import rule_document

runner = CliRunner()
EVENTS = ("customer_id,ts,activity,channel\n"
          "a,2025-03-01T10:00:00Z,view_item,web\nb,2025-03-01T10:30:00Z,view_item,web\n"
          "a,2025-03-01T11:00:00Z,add_to_cart,web\na,2025-03-01T12:00:00Z,order,web\n")


def _files(tmp_path, document: dict | None = None):
    rules, events = tmp_path / "trigger_rules.json", tmp_path / "events.csv"
    rules.write_text(json.dumps(document or rule_document()))
    events.write_text(EVENTS)
    return rules, events


def test_fire_writes_each_trigger_with_its_times_and_action(tmp_path) -> None:
    rules, events = _files(tmp_path)
    result = runner.invoke(app, ["triggers", "fire", "--rules", str(rules), "--events", str(events),
                                 "--out", str(tmp_path / "fired.csv")])
    assert result.exit_code == 0, result.output
    fired = pd.read_csv(tmp_path / "fired.csv")
    assert fired[["customer_id", "rule_id", "matched_at", "fire_at", "action_id"]].values.tolist() == [
        ["a", "web-cart", "2025-03-01 12:00:00+00:00", "2025-03-01 13:00:00+00:00", "store_invite"]]


def test_conditions_read_the_attributes_file(tmp_path) -> None:
    document = rule_document(conditions=[{"attribute": "tier", "op": "in", "values": ["high"]}])
    rules, events = _files(tmp_path, document)
    (tmp_path / "people.csv").write_text("customer_id,tier\na,low\n")
    result = runner.invoke(app, ["triggers", "fire", "--rules", str(rules), "--events", str(events),
                                 "--attributes", str(tmp_path / "people.csv")])
    assert result.exit_code == 0 and result.stdout.strip().splitlines()[1:] == []


def test_an_invalid_rule_set_is_a_one_line_error_naming_file_rule_and_field(tmp_path, monkeypatch, capsys) -> None:
    rules, events = _files(tmp_path, rule_document(window_s=-1))
    monkeypatch.setattr("sys.argv", ["parcours", "triggers", "fire", "--rules", str(rules), "--events", str(events)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == ExitCode.INPUT
    error = capsys.readouterr().err
    assert error.startswith(f"error: {rules}: rule 'web-cart' rules/0/window_s:") and error.count("\n") == 1


def test_events_without_a_timestamp_column_are_refused_by_name(tmp_path, monkeypatch, capsys) -> None:
    rules, events = _files(tmp_path)
    events.write_text("customer_id,activity\na,view_item\n")
    monkeypatch.setattr("sys.argv", ["parcours", "triggers", "fire", "--rules", str(rules), "--events", str(events)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == ExitCode.INPUT
    assert capsys.readouterr().err == f"error: {events}: missing column(s) ts\n"
