import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import mlflow
import pandas as pd
import pytest

from parcours import tracking
from parcours.settings import EpisodeSettings
from parcours.tracking.triggers import TRIGGER_RULES, load_trigger_rules_model, log_trigger_rules

pytestmark = pytest.mark.slow  # an MLflow store per test

EVENTS = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
                       "ts": ["2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z", "2025-03-01T10:00:00Z",
                              "2025-03-01T12:00:00Z"],
                       "activity": ["view_item", "add_to_cart", "add_to_cart", "view_item"],
                       "channel": ["web", "web", "web", "web"]})


@pytest.fixture
def registered(mined, tmp_mlflow) -> dict:
    with tracking.pipeline_run("run-triggers") as run:
        registered = log_trigger_rules(mined, EpisodeSettings())
    return {**registered, "run_id": run.info.run_id, "uri": tmp_mlflow}


def test_the_rule_set_is_registered_as_candidate_and_champion(registered) -> None:
    client = mlflow.MlflowClient()
    for alias in ("candidate", "champion"):
        assert str(client.get_model_version_by_alias(TRIGGER_RULES, alias).version) == registered["version"]
    logged = mlflow.get_run(registered["run_id"]).data
    assert logged.params["triggers.published"] == "2" and logged.metrics["triggers.backtest.capped.precision"] == 1.0


def test_a_set_that_fails_its_backtest_stays_candidate(mined, tmp_mlflow) -> None:
    with tracking.pipeline_run("run-failing"):
        assert log_trigger_rules(replace(mined, champion=False), EpisodeSettings())["aliases"] == "candidate"
    with pytest.raises(mlflow.exceptions.MlflowException):
        mlflow.MlflowClient().get_model_version_by_alias(TRIGGER_RULES, "champion")


def test_the_registered_model_fires_what_the_latest_events_match(registered) -> None:
    model = load_trigger_rules_model("champion")
    fired = model.predict(EVENTS)
    assert fired[["customer_id", "rule_id", "matched_at"]].values.tolist() == [
        ["a", "j1-r1", "2025-03-01T11:00:00+00:00"]]
    everything = model.predict(EVENTS, params={"latest_only": False})
    assert sorted(everything.customer_id) == ["a", "b"]


@pytest.mark.slow
def test_mlflow_model_server_answers_with_the_triggers_that_fire_now_and_fails_politely(registered, tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    # the server execs `uvicorn` from PATH: the environment's bin folder must be on it, as an activated venv has it
    env = {**os.environ, "MLFLOW_TRACKING_URI": registered["uri"], "PARCOURS_SERVE_MAX_EVENTS": "50",
           "MLFLOW_DISABLE_TELEMETRY": "true", "PATH": f"{mlflow_cli.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    server = subprocess.Popen([str(mlflow_cli), "models", "serve", "-m", f"models:/{TRIGGER_RULES}@champion",
                               "--env-manager", "local", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "server.log").open("w"),
                              start_new_session=True)  # its own process group: the CLI and the uvicorn it runs
    try:
        _wait_for(f"http://127.0.0.1:{port}/ping", server, tmp_path / "server.log")
        status, answer = _post(port, EVENTS)
        bad = pd.concat([EVENTS, pd.DataFrame({"customer_id": ["c"], "ts": ["not a time"], "activity": ["view_item"],
                                               "channel": ["web"]})], ignore_index=True)
        bad_status, bad_answer = _post(port, bad)
        nested = EVENTS.astype(object)
        nested.at[0, "customer_id"] = {"id": "a"}
        nested_status, nested_answer = _post(port, nested)
        big = pd.concat([EVENTS] * 13, ignore_index=True)  # 52 events, over the server's 50
        big_status, big_answer = _post(port, big)
    finally:
        _stop(server)
    assert status == 200 and [(p["customer_id"], p["rule_id"], p["action_id"]) for p in
                              json.loads(answer)["predictions"]] == [("a", "j1-r1", "store_invitation")]
    errors = [p for p in json.loads(bad_answer)["predictions"] if p.get("error")]
    assert bad_status == 200 and [(e["customer_id"], e["error"]) for e in errors] == [
        ("c", "row 4: ts: not an ISO-8601 time")]
    assert nested_status in (200, 400) and "Traceback" not in nested_answer and "File \"" not in nested_answer
    if nested_status == 200:  # the nested id is named, never answered as if it were an id
        assert any((p.get("error") or "").startswith("row 0") for p in json.loads(nested_answer)["predictions"]), (
            nested_answer)
    assert big_status == 400 and "more than the 50 allowed" in big_answer
    assert "Traceback" not in big_answer and "File \"" not in big_answer


def _stop(server: subprocess.Popen) -> None:
    """Stop the server's whole process group: the mlflow CLI does not always pass SIGTERM on to uvicorn
    (once in a fresh clone's full run it was still up 30 s later), and a test is not about its shutdown."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _post(port: int, events: pd.DataFrame) -> tuple[int, str]:
    body = json.dumps({"dataframe_split": events.to_dict(orient="split", index=False)}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_for(url: str, server: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the model server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the model server did not answer within {seconds} s: {log.read_text()[-2000:]}")


def test_the_version_describes_the_set_and_its_backtest(registered, mined) -> None:
    version = mlflow.MlflowClient().get_model_version(TRIGGER_RULES, registered["version"])
    assert version.description.startswith(f"{len(mined.document['rules'])} trigger rules, back-tested")
    assert "precision 100.0%" in version.description and version.description.endswith("passed: aliased champion.")
    assert version.tags["backtest_passed"] == "true" and version.tags["backtest_precision"] == "1"
