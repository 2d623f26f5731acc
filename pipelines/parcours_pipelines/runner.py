"""Run the asset graph in-process on the shared Dagster instance (what ``parcours run`` does)."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from parcours import paths
from parcours_pipelines.resources import EngineResource, build_resources

_DAGSTER_YAML = """\
# Written by parcours: the instance shared by `parcours run` and the Dagster UI.
telemetry:
  enabled: false
"""


@dataclass(frozen=True)
class PipelineRun:
    """What a run did: its id, whether it succeeded, the checks that failed, and the output folder."""

    run_id: str
    success: bool
    failed_checks: tuple[str, ...]
    out_dir: Path
    error: str | None = None


def prepare_instance(home: Path) -> dg.DagsterInstance:
    """Point ``DAGSTER_HOME`` under ``home`` (telemetry off) and return that instance."""
    dagster_home = paths.dagster_home(home)
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(_DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    return dg.DagsterInstance.get()


def run_pipeline(
    *, home: Path, out_dir: Path, conf_dir: Path | None = None, overrides: list[str] | None = None,
    selection: str | None = None,
) -> PipelineRun:
    """Materialise the asset graph (with its checks) in this process.

    Parameters
    ----------
    home
        ``PARCOURS_HOME``: Dagster instance, engine file, MLflow store.
    out_dir
        The output folder (DESIGN.md §7).
    conf_dir, overrides
        Settings folder and ``section.key=value`` overrides.
    selection
        An asset selection string (e.g. ``"group:ingestion"``); default: everything.
    """
    os.environ["PARCOURS_HOME"] = str(home)
    instance = prepare_instance(home)
    from parcours_pipelines.definitions import defs

    definitions = defs()
    assets = [*definitions.assets, *definitions.asset_checks]
    resources = build_resources(home=home, out_dir=out_dir, conf_dir=conf_dir, overrides=overrides)
    try:
        with warnings.catch_warnings():  # selecting by group is a Dagster beta parameter; it works as documented
            warnings.simplefilter("ignore", dg.BetaWarning)
            result = dg.materialize(
                assets, resources=resources, instance=instance, selection=selection, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            )
    finally:
        EngineResource.close_all()
    failed = tuple(
        e.check_name for e in result.get_asset_check_evaluations() if not e.passed
        and e.severity == dg.AssetCheckSeverity.ERROR
    )
    return PipelineRun(run_id=result.run_id, success=result.success and not failed, failed_checks=failed,
                       out_dir=out_dir, error=_first_error(result))


def _first_error(result: dg.ExecuteInProcessResult) -> str | None:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None and error.cls_name.startswith("Dagster"):
                error = error.cause
            return f"{event.step_key}: {error.message.strip()}"
    return None
