"""The output folder's IO manager frees what a finished step left in the engine."""

from types import SimpleNamespace

from parcours.engine import materialise
from parcours_pipelines.resources import EngineResource, OutputFolderIOManager


def _reading(step: str) -> SimpleNamespace:
    return SimpleNamespace(step_context=SimpleNamespace(step=SimpleNamespace(key=step)))


def _temporary(con) -> set[str]:
    return {r[0] for r in con.raw_sql("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}


def test_a_new_step_drops_what_earlier_steps_left_in_the_engine(tmp_path) -> None:
    engine = EngineResource(database=str(tmp_path / "engine.duckdb"))
    manager, con = OutputFolderIOManager(base_dir=str(tmp_path), engine=engine), engine.connection()
    try:
        manager._new_step(_reading("ingested_events"), con)
        staged = materialise(con, con.sql("select 1 as x"), "staged").get_name().rsplit(".", 1)[-1]
        manager._new_step(_reading("ingested_events"), con)  # the same step reads another input: kept
        assert staged in _temporary(con)
        manager._new_step(_reading("log_profile"), con)
        assert staged not in _temporary(con)
    finally:
        EngineResource.close_all()


def test_an_engine_parcours_does_not_run_on_is_refused_by_name(tmp_path) -> None:
    import pytest

    from parcours.engine import UnknownEngineError

    with pytest.raises(UnknownEngineError, match="'snowflake'.*'duckdb' or 'spark'"):
        EngineResource(kind="snowflake", database=str(tmp_path / "engine.duckdb")).connection()


def test_the_engine_kind_comes_from_the_environment_when_not_given(monkeypatch, tmp_path) -> None:
    from parcours_pipelines.resources import build_resources

    monkeypatch.setenv("PARCOURS_ENGINE", "spark")
    monkeypatch.setenv("PARCOURS_SPARK_MASTER", "local[1]")
    engine = build_resources(home=tmp_path)["engine"]
    assert (engine.kind, engine.spark_master) == ("spark", "local[1]")
    given = build_resources(home=tmp_path, engine_kind="duckdb")["engine"]
    assert given.kind == "duckdb"


def _written(tmp_path, value) -> bytes:
    import dagster as dg

    engine = EngineResource(database=str(tmp_path / "engine.duckdb"))
    manager = OutputFolderIOManager(base_dir=str(tmp_path), engine=engine)
    try:
        manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey("ranked"),
                                                      definition_metadata={"parcours/file": "ranked.csv"}), value)
    finally:
        EngineResource.close_all()
    return (tmp_path / "ranked.csv").read_bytes()


def test_a_csv_output_opens_in_a_spreadsheet_as_utf8_with_rounded_decimals(tmp_path) -> None:
    import pandas as pd

    frame = pd.DataFrame({"name": ["web → store"], "value_at_stake": [-121695.12345678901], "share": [0.1234567891]})
    text = _written(tmp_path, frame)
    assert text.startswith(b"\xef\xbb\xbf") and "web → store" in text.decode("utf-8-sig")
    assert text.decode("utf-8-sig").splitlines()[1] == "web → store,-121695.12,0.123457"
    assert pd.read_csv(tmp_path / "ranked.csv").columns.tolist() == ["name", "value_at_stake", "share"]


def test_a_csv_written_by_the_engine_starts_with_a_byte_order_mark(tmp_path) -> None:
    import ibis

    text = _written(tmp_path, ibis.memtable({"path": ["a → b"], "n": [3]}))
    assert text.startswith(b"\xef\xbb\xbf") and text.decode("utf-8-sig").splitlines() == ["path,n", "a → b,3"]
