import os
import socket
import subprocess
import sys

import dagster as dg

from parcours_pipelines.runner import HOST_TAG, PID_TAG, mark_abandoned_runs


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
