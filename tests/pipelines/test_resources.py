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
