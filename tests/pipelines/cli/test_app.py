"""The CLI's validate command and its one-line errors (no Dagster run needed)."""

from importlib.metadata import version

import pytest
from typer.testing import CliRunner

from parcours.settings import Settings
from parcours_pipelines.cli import ExitCode, app, main

runner = CliRunner()

SHOP = "user,ts,action,touchpoint,revenue\nu1,2024-03-01T10:00:00Z,view,web,\n,2024-03-01T10:00:00Z,view,web,\n"


def test_validate_prints_where_every_row_went(tmp_path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text(SHOP)
    result = runner.invoke(app, ["validate", str(path), "--column", "customer_id=user", "--column", "activity=action",
                                 "--column", "channel=touchpoint"])
    assert result.exit_code == 0, result.output
    assert "clean                  1" in result.output and "missing_customer_id" in result.output


def _main(monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["parcours", *argv])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def test_missing_mapped_column_is_a_one_line_error(tmp_path, monkeypatch, capsys) -> None:
    path = tmp_path / "shop.csv"
    path.write_text(SHOP)
    code, err = _main(monkeypatch, capsys, "validate", str(path), "--column", "activity=action")
    assert code == ExitCode.INPUT and err.count("\n") == 1
    assert err.startswith("error: ") and "'customer_id' (for customer_id)" in err and "user, ts, action" in err


def test_bad_column_flag_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    code, err = _main(monkeypatch, capsys, "validate", str(tmp_path), "--column", "client=user")
    assert code == 2 and "expected canonical=input" in err and "Traceback" not in err


def test_bad_setting_value_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    path = tmp_path / "e.csv"
    path.write_text(SHOP)
    code, err = _main(monkeypatch, capsys, "validate", str(path), "--set", "ingest.timezone=Mars/Olympus")
    assert code == 2 and "unknown time zone" in err and err.count("\n") == 1


def test_missing_events_file_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    code, err = _main(monkeypatch, capsys, "run", "--events", str(tmp_path / "nope.csv"), "--out", str(tmp_path))
    assert code == 2 and "no such file or folder" in err


def test_validate_prints_the_log_profile_and_the_settings_resolved_from_it(tmp_path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text(SHOP)
    result = runner.invoke(app, ["validate", str(path), "--column", "customer_id=user", "--column", "activity=action",
                                 "--column", "channel=touchpoint", "--column", "revenue=null"])
    assert result.exit_code == 0, result.output
    assert "the log:" in result.output and "revenue: no" in result.output
    assert "auto value.outcome = conversions" in result.output


def test_the_preflight_reads_a_dirty_csv_as_the_ingest_does(tmp_path) -> None:
    from parcours.engine import connect
    from parcours.ingest import check_columns, ingest_events
    from parcours.settings import IngestSettings
    from parcours.synthetic import generate_demo_log

    path = generate_demo_log(300, seed=7, dirty_share=0.02).write(tmp_path)["events.csv"]  # malformed lines too
    assert check_columns(connect(), IngestSettings(), path) == [path.resolve()]
    assert ingest_events(connect(), IngestSettings(), path).summary.by_reason["malformed_row"] > 0


def test_config_show_resolves_the_auto_settings_from_a_log(tmp_path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text(SHOP)
    result = runner.invoke(app, ["config", "show", "--events", str(path), "--column", "customer_id=user",
                                 "--column", "activity=action", "--column", "revenue=null", "--set", "value.seed=3"])
    assert result.exit_code == 0, result.output
    assert "  outcome: conversions  # auto: " in result.output and "  seed: 3\n" in result.output


def test_config_init_writes_every_section_file(tmp_path) -> None:
    result = runner.invoke(app, ["config", "init", "--conf", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.yaml"))) == len(Settings.model_fields)


def test_an_output_folder_that_cannot_be_written_fails_before_the_run(tmp_path, monkeypatch, capsys) -> None:
    events = tmp_path / "shop.csv"
    events.write_text(SHOP)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    code, err = _main(monkeypatch, capsys, "run", "--events", str(events), "--out", str(blocked / "out"),
                      "--home", str(tmp_path / "home"), "--column", "customer_id=user", "--column", "activity=action")
    assert code == 2 and "--out" in err and "cannot write there" in err


def test_version_prints_the_installed_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"parcours {version('parcours')}\n"


def test_report_with_an_unknown_setting_fails_before_any_run(tmp_path, monkeypatch, capsys) -> None:
    home = tmp_path / "home"
    code, err = _main(monkeypatch, capsys, "report", "--home", str(home), "--set", "report.tittle=Weekly")
    assert code == ExitCode.USAGE and err.count("\n") == 1
    assert "report.tittle=Weekly (from the command line): no such setting; did you mean report.title?" in err
    assert not (home / "dagster").exists()  # no Dagster run was started


def test_report_without_an_earlier_run_is_an_input_error(tmp_path, monkeypatch, capsys) -> None:
    code, err = _main(monkeypatch, capsys, "report", "--home", str(tmp_path / "home"), "--out", str(tmp_path / "x"))
    assert code == ExitCode.INPUT and "no journey_impact.csv here" in err


def test_the_help_lists_the_exit_codes_the_commands_use() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for code in ExitCode:
        assert f"{code.value} " in result.output.split("Exit status:")[1]


@pytest.mark.slow
def test_help_imports_neither_the_engine_nor_the_stages() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom parcours_pipelines.cli import main\nsys.argv = ['parcours', '--help']\ntry:\n    main()\n"
            "except SystemExit:\n    pass\nprint(','.join(m for m in ('pandas', 'ibis', 'dagster', 'parcours.ingest', "
            "'parcours.triggers') if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Exit status" in done.stdout and done.stderr.strip() == ""


def test_mlflow_serves_the_homes_store_where_the_links_point(tmp_path, monkeypatch) -> None:
    from parcours_pipelines.cli.app import mlflow_ui_command
    from parcours_pipelines.resources import LOCAL_MLFLOW_UI

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    command = mlflow_ui_command(tmp_path, 5000)
    assert command[1:] == ["ui", "--backend-store-uri", f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}",
                           "--host", "127.0.0.1", "--port", "5000"]
    assert LOCAL_MLFLOW_UI == "http://127.0.0.1:5000"  # the outputs' mlflow_run links, without a server


def test_mlflow_behind_a_tracking_server_says_where_to_look_and_starts_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    monkeypatch.setattr("os.execv", lambda *a: pytest.fail(f"started {a}"))
    result = runner.invoke(app, ["mlflow", "--home", str(tmp_path)])
    assert result.exit_code == 0 and "tracked on the server http://tracking.example:5000" in result.output
