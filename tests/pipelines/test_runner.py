import os
import socket
import subprocess
import sys

import dagster as dg

from parcours_pipelines.runner import HOST_TAG, PID_TAG, mark_abandoned_runs
from parcours_pipelines.runs import LOCATION, WHOLE_JOB, place_in_code_location


def _run(instance, run_id: str, pid: int) -> None:
    instance.add_run(dg.DagsterRun(job_name="__ASSET_JOB", run_id=run_id, status=dg.DagsterRunStatus.STARTED,
                                   tags={PID_TAG: str(pid), HOST_TAG: socket.gethostname()}))


def test_a_run_whose_process_is_gone_is_marked_failed_and_a_live_one_is_left_alone() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with dg.instance_for_test() as instance:
        _run(instance, "killed", gone.pid)
        _run(instance, "running", os.getppid())
        assert mark_abandoned_runs(instance) == ["killed"]
        assert instance.get_run_by_id("killed").status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id("running").status == dg.DagsterRunStatus.STARTED
        assert instance.get_run_by_id("killed").remote_job_origin.location_name == LOCATION  # on the Timeline
        assert instance.get_run_by_id("running").remote_job_origin is None  # placed when it ends


def test_a_finished_cli_run_is_placed_in_the_code_location_with_its_tags_and_status_kept() -> None:
    with dg.instance_for_test() as instance:
        instance.add_run(dg.DagsterRun(job_name=WHOLE_JOB, run_id="cli", status=dg.DagsterRunStatus.SUCCESS,
                                       tags={"parcours/command": "run"}))
        assert instance.get_run_by_id("cli").remote_job_origin is None  # what the Timeline leaves out
        place_in_code_location(instance, "cli")
        run = instance.get_run_by_id("cli")
        origin = run.remote_job_origin
        assert (origin.location_name, origin.repository_origin.repository_name, origin.job_name) == (
            LOCATION, "__repository__", WHOLE_JOB)
        assert run.status == dg.DagsterRunStatus.SUCCESS and run.tags["parcours/command"] == "run"
        assert run.tags[".dagster/repository"] == f"__repository__@{LOCATION}"
        assert instance.get_runs(filters=dg.RunsFilter(tags={".dagster/repository": f"__repository__@{LOCATION}"}))
