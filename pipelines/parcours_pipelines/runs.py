"""What tells parcours's runs apart in the Dagster UI and in MLflow: the job a launch runs, and its tags.

Every launch runs a named job (the whole graph, or the report's group), never Dagster's anonymous
``__ephemeral_asset_job__``, so the job filter, the runs list and the Timeline show it by name. A run the
command executed in its own process is placed in the code location once it ends (:func:`place_in_code_location`),
because the UI's Overview → Timeline lists only runs that carry a code location. A run is
tagged with the command that launched it (``run``, ``demo``, ``report``, ``schedule``, ``sensor``; a launch
from the UI has none), the input, the settings' hash and, once the ingest step has read it, the input's
fingerprint; MLflow's run carries the same tags.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster._core.remote_origin import (  # no public API places a run in a code location: see place_in_code_location
    LoadableTargetOrigin,
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.storage.tags import REPOSITORY_LABEL_TAG

from parcours.ingest import describe_input
from parcours.paths import default_events_path
from parcours.settings import Settings, settings_digest

LOCATION = "parcours"  # the code location's one name: pipelines/workspace.yaml, pipelines/dg.toml, pyproject.toml
DEFINITIONS_MODULE = "parcours_pipelines.definitions"
REPOSITORY = "__repository__"  # the repository Dagster makes of a code location's Definitions
WHOLE_JOB, REPORT_JOB = "parcours_job", "parcours_report_job"
REPORT_SELECTION = "group:report"
COMMAND_TAG = "parcours/command"
INPUT_TAG = "parcours/input"
FINGERPRINT_TAG = "parcours/input_fingerprint"
SETTINGS_TAG = "parcours/settings_hash"
OUTPUT_TAG = "parcours/output"
AMENDED_TAG = "parcours/amended_by"  # on an MLflow run: the partial rebuild (command, Dagster run) that logged into it
PID_TAG, HOST_TAG = "parcours/pid", "parcours/host"  # which process runs it (parcours_pipelines.runner)


def job_name(selection: str | None) -> str:
    """The named job of a selection: the whole graph, the report's group, or ``parcours_partial_job``."""
    return {None: WHOLE_JOB, REPORT_SELECTION: REPORT_JOB}.get(selection, "parcours_partial_job")


def input_tags(settings: Settings) -> dict[str, str]:
    """The input (a database URL without its password; the demo log when none is set) and the settings' hash."""
    return {INPUT_TAG: describe_input(settings.ingest.path or default_events_path()),
            SETTINGS_TAG: settings_digest(settings)}


def launch_tags(command: str, settings: Settings, out_dir: Path) -> dict[str, str]:
    """The tags of a run launched by ``command`` on ``settings``, writing to ``out_dir``."""
    return {COMMAND_TAG: command, **input_tags(settings), OUTPUT_TAG: str(out_dir)}


def tag_run(context: dg.AssetExecutionContext, tags: dict[str, str]) -> None:
    """Add ``tags`` to the Dagster run that ``context`` belongs to (shown in the runs list from then on)."""
    context.instance.add_run_tags(context.run.run_id, tags)


def parcours_tags(tags: dict[str, str]) -> dict[str, str]:
    """The ``parcours/`` tags among a run's tags (what MLflow's run copies)."""
    return {k: v for k, v in tags.items() if k.startswith("parcours/") and k not in (PID_TAG, HOST_TAG)}


def place_in_code_location(instance: dg.DagsterInstance, run_id: str) -> RemoteJobOrigin:
    """Record a finished in-process run as a run of the job in the ``parcours`` code location.

    ``parcours run`` executes its job in its own process, so Dagster stores the run with no code location,
    and the UI's Overview → Timeline leaves out every run without one. This gives the run the origin a run
    launched from the UI has (the location, its repository and the job), as Dagster's own
    ``dagster run migrate-repository`` does for moved run history: there is no public API for it, so a
    Dagster upgrade that moves these classes fails the runner's test rather than a user's run. Called once
    the run has ended, when nothing else writes to it.

    Returns
    -------
    RemoteJobOrigin
        The origin the run now carries.
    """
    location = ManagedGrpcPythonEnvCodeLocationOrigin(
        LoadableTargetOrigin(executable_path=sys.executable, module_name=DEFINITIONS_MODULE), location_name=LOCATION)
    repository = RemoteRepositoryOrigin(location, REPOSITORY)
    instance.add_run_tags(run_id, {REPOSITORY_LABEL_TAG: repository.get_label()})  # first: the runs filter reads it
    run = instance.get_run_by_id(run_id)
    origin = RemoteJobOrigin(repository, run.job_name)
    instance.run_storage.replace_job_origin(run, origin)
    return origin
