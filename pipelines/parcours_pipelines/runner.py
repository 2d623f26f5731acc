"""Run the asset graph in-process on the shared Dagster instance (what ``parcours run`` does)."""

from __future__ import annotations

import json
import os
import socket
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from parcours import paths
from parcours_pipelines.metadata import skipped_stages
from parcours_pipelines.resources import EngineResource, build_resources
from parcours_pipelines.runs import HOST_TAG, PID_TAG, job_name, launch_tags, place_in_code_location
from parcours_pipelines.runstats import ResourceSampler, StepSpan, run_stats

_DAGSTER_YAML = """\
# Written by parcours: the instance shared by `parcours run` and the Dagster UI.
telemetry:
  enabled: false
"""


@dataclass(frozen=True)
class PipelineRun:
    """What a run did: its id, whether it succeeded, the checks that failed, and the output folder.

    ``failed_checks`` are the failed checks of error severity (the run failed); ``warnings`` the failed checks
    that only warn, each with what it found when it says so in a ``health`` entry of its metadata.
    """

    run_id: str
    success: bool
    failed_checks: tuple[str, ...]
    out_dir: Path
    error: str | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)


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
    selection: str | None = None, engine_kind: str | None = None, spark_master: str | None = None,
    command: str = "library",
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
        An asset selection string (e.g. ``"group:ingest"``); default: everything.
    engine_kind, spark_master
        ``"duckdb"`` (default) or ``"spark"``, and the Spark master (:class:`EngineResource`).
    command
        What launched the run (``run``, ``demo``, ``report``; ``library`` for a direct call): its
        ``parcours/command`` tag (:mod:`parcours_pipelines.runs`).
    """
    os.environ["PARCOURS_HOME"] = str(home)
    instance = prepare_instance(home)
    from parcours_pipelines.definitions import defs

    definitions = defs()
    assets = [*definitions.assets, *definitions.asset_checks]
    resources = build_resources(home=home, out_dir=out_dir, conf_dir=conf_dir, overrides=overrides,
                                engine_kind=engine_kind, spark_master=spark_master)
    mark_abandoned_runs(instance)
    try:
        with warnings.catch_warnings(), ResourceSampler() as sampler:  # selecting by group is a Dagster beta
            warnings.simplefilter("ignore", dg.BetaWarning)           # parameter; it works as documented
            job = dg.Definitions(assets=assets, resources=resources, jobs=[
                dg.define_asset_job(job_name(selection), selection=selection)]).resolve_job_def(job_name(selection))
            result = job.execute_in_process(
                instance=instance, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
                tags={**launch_tags(command, resources["settings"].load(), out_dir),
                      PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()},
            )
    finally:
        EngineResource.close_all()
    place_in_code_location(instance, result.run_id)
    write_run_stats(out_dir, sampler.samples, step_spans(instance, result.run_id), result.run_id)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    errors = tuple(e.check_name for e in failed if e.severity == dg.AssetCheckSeverity.ERROR)
    warned = {e.check_name: str(getattr(e.metadata.get("health"), "value", "")) for e in failed
              if e.severity == dg.AssetCheckSeverity.WARN}
    return PipelineRun(run_id=result.run_id, success=result.success and not errors, failed_checks=errors,
                       out_dir=out_dir, error=_first_error(result), skipped=skipped_stages(instance), warnings=warned)


def mark_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the runs this machine started in a process that is gone (killed, or its machine rebooted).

    A run that ``parcours`` starts carries its process id and host name; a run still ``STARTED`` whose
    process no longer exists would otherwise stay ``STARTED`` in the Dagster UI for ever. A marked run is
    placed in the code location, as a finished one is, so the Timeline shows it failed.

    Returns
    -------
    list of str
        The ids of the runs marked failed.
    """
    running = instance.get_runs(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING], tags={HOST_TAG: socket.gethostname()}))
    marked = []
    for run in running:
        pid = run.tags.get(PID_TAG, "")
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            instance.report_run_failed(run, message=f"the process that ran it (PID {pid}) is gone: killed or crashed")
            place_in_code_location(instance, run.run_id)  # it ended: on the Timeline, as a failed run
            marked.append(run.run_id)
    return marked


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def step_spans(instance: dg.DagsterInstance, run_id: str) -> list[StepSpan]:
    """When each finished step of the run started and ended: Dagster's own step statistics for the run."""
    return [StepSpan(stats.step_key, stats.start_time, stats.end_time,
                     success=getattr(stats.status, "value", None) == "SUCCESS")
            for stats in instance.get_run_step_stats(run_id)
            if stats.start_time is not None and stats.end_time is not None]


def write_run_stats(out_dir: Path, samples, spans: list[StepSpan], run_id: str) -> Path:
    """Write ``run_stats.json`` into the output folder, keeping the earlier runs' steps that this one did not run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "run_stats.json"
    previous = json.loads(path.read_text()) if path.exists() else None
    path.write_text(json.dumps(run_stats(samples, spans, run_id, previous), indent=2))
    return path


def _first_error(result: dg.ExecuteInProcessResult) -> str | None:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None and error.cls_name.startswith("Dagster"):
                error = error.cause
            return f"{event.step_key}: {error.message.strip()}"
    return None
