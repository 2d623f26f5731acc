"""Resources shared by every asset: settings, the Ibis engine, MLflow, and the output folder.

Classes only; they are registered once, in ``defs/resources.py``. Defaults are absolute paths from
:mod:`parcours.paths`, so the UI (``dagster dev`` from the root, ``dg dev`` from ``pipelines/``) and
the CLI land in the same places whatever the working directory.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import dagster as dg
import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours import engine, paths
from parcours.ingest import apply_resolutions
from parcours.settings import Settings, load_settings, parse_assignments
from parcours.spreadsheet import neutralise, neutralise_frame, round_for_spreadsheet, with_byte_order_mark
from parcours_pipelines.runs import AMENDED_TAG, COMMAND_TAG, INPUT_TAG, parcours_tags
from parcours_pipelines.runstats import return_freed_memory


class SettingsResource(dg.ConfigurableResource):
    """The domain settings of ``conf/*.yaml``, with ``section.key=value`` overrides."""

    conf_dir: str = str(paths.conf_dir())
    overrides: list[str] = []

    def load(self, log_profile: dict | None = None) -> Settings:
        """Read and validate the settings; given ``log_profile``, with its resolutions of ``auto`` settings applied."""
        settings = load_settings(self.conf_dir, parse_assignments(self.overrides))
        return apply_resolutions(settings, log_profile.get("resolved", [])) if log_profile else settings


class EngineResource(dg.ConfigurableResource):
    """The Ibis connection, one per process: a DuckDB file under ``PARCOURS_HOME`` (the default) or a Spark session.

    ``memory_limit`` (default 2GB, or ``PARCOURS_DUCKDB_MEMORY_LIMIT``) makes DuckDB spill to disk
    rather than grow: ingest of 5M events peaks at ~2.5 GiB with 2GB, ~1.4 GiB with 1GB (slower).
    ``kind="spark"`` runs the relational work on Spark instead:
    ``spark_master`` is ``local[N]`` or a cluster URL (``spark://host:7077``, ``yarn``, ``k8s://...``),
    ``spark_conf`` any further Spark settings (``spark.executor.memory``, ...).
    """

    kind: str = "duckdb"
    database: str = str(paths.engine_database())
    threads: int | None = None
    memory_limit: str | None = os.environ.get("PARCOURS_DUCKDB_MEMORY_LIMIT", "2GB")
    spark_master: str = "local[2]"
    spark_conf: dict[str, str] = {}

    _connections: ClassVar[dict[tuple[int, str], ibis.BaseBackend]] = {}

    def connection(self) -> ibis.BaseBackend:
        """Return this process's connection, opening it (and waiting out another process's lock) once."""
        key = (os.getpid(), self.spark_master if self.kind == "spark" else self.database)
        if key not in self._connections:
            if self.kind == "spark":
                self._connections[key] = engine.connect_spark(self.spark_master, conf=self.spark_conf)
            elif self.kind == "duckdb":
                self._connections[key] = engine.connect(self.database, threads=self.threads,
                                                        memory_limit=self.memory_limit)
            else:
                raise engine.UnknownEngineError(f"engine kind {self.kind!r}: parcours runs on 'duckdb' or 'spark'")
        return self._connections[key]

    @classmethod
    def close_all(cls) -> None:
        """Close this process's connections (releases the DuckDB file lock; stops a Spark session)."""
        for key in [k for k in cls._connections if k[0] == os.getpid()]:
            engine.disconnect(cls._connections.pop(key))


#: The default MLflow UI for a local store: where the README's ``mlflow ui`` command serves it.
LOCAL_MLFLOW_UI = "http://127.0.0.1:5000"

#: (Dagster run id, asset) → the URL of the MLflow run its step logged into, for the output's ``mlflow_run`` link.
_MLFLOW_RUN_URLS: dict[tuple[str, str], str] = {}


class MlflowResource(dg.ConfigurableResource):
    """One MLflow tracking store and experiment for the whole run."""

    tracking_uri: str = paths.mlflow_tracking_uri()
    experiment_name: str = "parcours"
    artifact_location: str = str(paths.mlflow_artifact_root())
    ui_url: str = ""  # the MLflow UI the links point at; default: the tracking server, or LOCAL_MLFLOW_UI

    def run_url(self, experiment_id: str, run_id: str) -> str:
        """The MLflow UI's page of a run."""
        ui = self.ui_url or (self.tracking_uri if paths.is_tracking_server(self.tracking_uri) else LOCAL_MLFLOW_UI)
        return f"{ui.rstrip('/')}/#/experiments/{experiment_id}/runs/{run_id}"

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Point MLflow at the store before any step logs."""
        from parcours import tracking  # MLflow (seconds to import) only in the steps that log

        tracking.configure(self.tracking_uri, self.experiment_name, self.artifact_location)

    def run_for(self, context: dg.AssetExecutionContext, tags: dict[str, str] | None = None) -> Any:
        """The MLflow run of this Dagster run, as a context manager, tagged as the Dagster run is plus ``tags``.

        A new MLflow run is named after the command that launched it, its input and the Dagster run id. A partial
        rebuild that does not ingest the events again (``parcours report``, one asset from the UI) logs into the
        MLflow run of the Dagster run that last ingested them, the run it amends, tagged ``parcours/amended_by``.
        """
        from parcours import tracking

        amended = _amended_run(context)
        if amended != context.run.run_id:
            command = context.run.tags.get(COMMAND_TAG, "ui")
            amending = tracking.pipeline_run(amended, {AMENDED_TAG: f"{command} {context.run.run_id}"})
            return self._linked(context, amending)
        tags = {**parcours_tags(dict(context.run.tags)), **(tags or {})}
        name = " · ".join(filter(None, [tags.get(COMMAND_TAG, "ui"), Path(tags.get(INPUT_TAG, "")).name,
                                        context.run.run_id[:8]]))
        return self._linked(context, tracking.pipeline_run(context.run.run_id, tags, run_name=name))

    @contextmanager
    def _linked(self, context: dg.AssetExecutionContext, run: Any) -> Iterator[Any]:
        """``run`` entered, and its page recorded for this step's outputs (the IO manager links them to it)."""
        with run as active:
            url = self.run_url(active.info.experiment_id, active.info.run_id)
            for key in context.selected_asset_keys:
                _MLFLOW_RUN_URLS[(context.run.run_id, key.to_user_string())] = url
            yield active


def _amended_run(context: dg.AssetExecutionContext) -> str:
    """This step's Dagster run if it ingests the events, else the run that last ingested them (when there is one)."""
    ingest = dg.AssetKey("ingest_summary")
    selection = context.run.asset_selection
    if ingest in context.job_def.asset_layer.executable_asset_keys and (selection is None or ingest in selection):
        return context.run.run_id
    event = context.instance.get_latest_materialization_event(ingest)
    return event.run_id if event is not None else context.run.run_id


class OutputFolderIOManager(dg.ConfigurableIOManager):
    """Stores each asset as a file of the output folder (DESIGN.md §7) and reads it back lazily.

    The file name comes from the asset's ``parcours/file`` metadata (default ``<asset>.parquet``):
    Ibis tables are written by the engine (no pandas round trip), dicts as JSON, text as is; a CSV file's
    text cells that a spreadsheet would run as formulas are escaped (:mod:`parcours.spreadsheet`) and read
    back unescaped. Inputs are opened
    as Ibis tables over the file. A name ending in ``/`` is a folder: the value is a dict of file
    names to contents (text, bytes, or a dict written as JSON), replaced as a whole.
    """

    base_dir: str = str(paths.default_output_dir())
    engine: EngineResource

    _steps: ClassVar[dict[int, str | None]] = {}  # per process, the step whose inputs were read last

    def _path(self, metadata: dict[str, Any] | None, key: dg.AssetKey) -> Path:
        name = (metadata or {}).get("parcours/file") or f"{key.path[-1]}.parquet"
        return Path(self.base_dir) / str(name)

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        """Write the output atomically (a temporary file renamed into place)."""
        path = self._path(context.definition_metadata, context.asset_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        if _is_folder(context.definition_metadata):
            _write_folder(path, tmp, obj, context.asset_key)
            context.add_output_metadata(self._where(path, context))
            return
        if isinstance(obj, ir.Table | pd.DataFrame) and path.suffix == ".csv":
            _types_path(path).write_text(json.dumps(engine.column_types(obj)))
        if isinstance(obj, ir.Table):
            if path.suffix == ".csv":
                neutralise(obj).to_csv(tmp)  # safe in a spreadsheet
                with_byte_order_mark(tmp)
            else:
                engine.write_parquet(obj, tmp)
            engine.release(self.engine.connection(), obj)  # downstream steps read the file, not the engine table
        elif isinstance(obj, pd.DataFrame) and path.suffix == ".csv":
            round_for_spreadsheet(neutralise_frame(obj)).to_csv(tmp, index=False, encoding="utf-8-sig")
        elif isinstance(obj, pd.DataFrame):
            obj.to_parquet(tmp, index=False)
        elif isinstance(obj, dict):
            tmp.write_text(json.dumps(obj, indent=2, default=str))
        elif isinstance(obj, str):
            tmp.write_text(obj, encoding="utf-8")
        else:
            raise TypeError(f"{context.asset_key.to_user_string()}: cannot store a {type(obj).__name__}")
        tmp.replace(path)
        context.add_output_metadata(self._where(path, context))

    def _where(self, path: Path, context: dg.OutputContext) -> dict[str, dg.MetadataValue]:
        """The written file, a link to the run's report (where the output's figures are interactive) and, for a step
        that logged to MLflow, a link to the MLflow run."""
        report = (Path(self.base_dir) / "report.html").resolve()
        links = {"path": dg.MetadataValue.path(str(path)), "report": dg.MetadataValue.url(report.as_uri())}
        logged = _MLFLOW_RUN_URLS.get((context.run_id, context.asset_key.to_user_string()))
        return links | ({"mlflow_run": dg.MetadataValue.url(logged)} if logged else {})

    def load_input(self, context: dg.InputContext) -> Any:
        """Open the upstream file: an Ibis table for Parquet and CSV, a dict for JSON."""
        upstream = context.upstream_output
        path = self._path(upstream.definition_metadata if upstream else None, context.asset_key)
        if not path.exists():
            raise FileNotFoundError(f"{path}: {context.asset_key.to_user_string()} has not been materialised here")
        if path.is_dir():
            return {f.name: json.loads(f.read_text()) if f.suffix == ".json" else f.read_text()
                    for f in sorted(path.iterdir()) if f.is_file()}
        if path.suffix == ".json":
            return json.loads(path.read_text())
        con = self.engine.connection()
        self._new_step(context, con)
        if path.suffix == ".csv":
            types = _types_path(path)
            return engine.read_typed_csv(con, path, json.loads(types.read_text()) if types.exists() else None)
        return con.read_parquet(str(path))


    def _new_step(self, context: dg.InputContext, con: ibis.BaseBackend) -> None:
        """At the first table a step reads, drop what earlier steps of this process left in the engine and hand
        the memory they freed back to the system: steps run one after another in a process, and each reads its
        inputs from the output folder."""
        try:
            step = context.step_context.step.key
        except dg.DagsterInvariantViolationError:  # an input read outside a run (build_input_context)
            return
        if self._steps.get(os.getpid()) == step:
            return
        self._steps[os.getpid()] = step
        engine.release_leftovers(con)
        return_freed_memory()


def _types_path(path: Path) -> Path:
    """Where the column types of a CSV output are kept (hidden, beside it), so it reads back as written."""
    return path.with_name(f".{path.name}.types.json")


def _is_folder(metadata: dict[str, Any] | None) -> bool:
    return str((metadata or {}).get("parcours/file", "")).endswith("/")


def _write_folder(path: Path, tmp: Path, files: Any, key: dg.AssetKey) -> None:
    """Write a dict of name → content as a folder, swapped in place of the previous one."""
    if not isinstance(files, dict):
        raise TypeError(f"{key.to_user_string()}: a folder output needs a dict of files, not {type(files).__name__}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name, content in files.items():
        target = tmp / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        elif isinstance(content, dict):
            target.write_text(json.dumps(content, indent=2, default=str))
        else:
            target.write_text(str(content))
    old = path.with_name(f".{path.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def build_resources(
    *, home: Path | None = None, out_dir: Path | None = None, conf_dir: Path | None = None,
    overrides: list[str] | None = None, engine_kind: str | None = None, spark_master: str | None = None,
) -> dict[str, Any]:
    """The resources of one run; the UI uses the defaults, the CLI passes its flags here.

    Without ``engine_kind`` and ``spark_master``, ``PARCOURS_ENGINE`` and ``PARCOURS_SPARK_MASTER`` choose the
    engine (default: DuckDB), so the UI runs on the engine the environment names.
    """
    home = home or paths.parcours_home()
    engine_resource = EngineResource(
        database=str(paths.engine_database(home)), kind=engine_kind or os.environ.get("PARCOURS_ENGINE", "duckdb"),
        spark_master=spark_master or os.environ.get("PARCOURS_SPARK_MASTER", "local[2]"))
    # behind a tracking server, the server decides where artifacts go (its --artifacts-destination)
    tracking_uri = paths.tracking_uri(home)
    return {
        "settings": SettingsResource(conf_dir=str(conf_dir or paths.conf_dir()), overrides=overrides or []),
        "engine": engine_resource,
        "mlflow": MlflowResource(tracking_uri=tracking_uri, artifact_location=(
            "" if paths.is_tracking_server(tracking_uri) else str(paths.mlflow_artifact_root(home)))),
        "io_manager": OutputFolderIOManager(
            base_dir=str(out_dir or paths.default_output_dir(home)), engine=engine_resource
        ),
    }
