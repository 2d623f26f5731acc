"""Start-up costs a person waits for before any work: ``parcours --help``, loading the code location, and
re-materialising one asset (``journey_report``) the way a run from the UI does (a run process that loads the
code location, then a step worker that loads it again).

Each case runs ``--repeat`` times as a fresh process, one at a time; the median wall time is kept. The
one-asset rebuild needs a finished run: a 400-customer demo is made once under ``data/startup-home`` (or
``--home``). ``--checkout DIR`` measures another checkout of parcours (e.g. a ``git worktree`` of an earlier
commit) with this machine's virtual environment, so a before and an after are measured side by side on the same
run's outputs. Run: ``python benchmarks/bench_startup.py [--checkout DIR] [--label NAME]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def _env(checkout: Path, home: Path) -> dict[str, str]:
    """This environment, with ``checkout``'s sources first on the path and ``home`` as PARCOURS_HOME."""
    path = os.pathsep.join([str(checkout / "src"), str(checkout / "pipelines"), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "PARCOURS_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
            "DAGSTER_DISABLE_TELEMETRY": "1", "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}


def _wall(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start, done.stdout + done.stderr


def _step_overhead(log: str) -> float:
    """Seconds from the step worker starting to the step starting (the worker's own start-up), from the run log."""
    stamps = {}
    for line in log.splitlines():
        found = re.match(r"(\S+ \S+) \S+ - .*?(STEP_WORKER_STARTING|STEP_START)\b", re.sub(r"\x1b\[[0-9;]*m", "", line))
        if found and found.group(2) not in stamps:
            stamps[found.group(2)] = time.mktime(time.strptime(found.group(1), "%Y-%m-%d %H:%M:%S"))
    return stamps["STEP_START"] - stamps["STEP_WORKER_STARTING"]


def measure(checkout: Path, home: Path, repeat: int) -> dict:
    env = _env(checkout, home)
    python = str(BIN / "python")
    help_code = ("import sys\ntry:\n    from parcours_pipelines.cli import main\n"
                 "except ImportError:  # a checkout from before the CLI moved to the pipelines side\n"
                 "    from parcours.cli import main\nsys.argv = ['parcours', '--help']\ntry:\n    main()\n")
    cases = {
        "parcours --help": [python, "-c", help_code + "except SystemExit:\n    pass"],
        "code location load": [python, "-c", "from parcours_pipelines.definitions import defs; defs()"],
        "journey_report rebuild": [str(BIN / "dagster"), "asset", "materialize", "--select", "journey_report",
                                   "-m", "parcours_pipelines.definitions"],
    }
    row: dict[str, float] = {}
    for name, command in cases.items():
        runs = [_wall(command, env, checkout) for _ in range(repeat)]
        row[name] = round(statistics.median(wall for wall, _ in runs), 2)
        if name == "journey_report rebuild":
            row["step worker start-up"] = round(statistics.median(_step_overhead(log) for _, log in runs), 1)
    return row


def demo_home(home: Path) -> Path:
    """A finished 400-customer demo run under ``home`` (made once)."""
    if not (home / "demo" / "output" / "journey_impact.csv").exists():
        subprocess.run([str(BIN / "parcours"), "demo", "--customers", "400", "--seed", "3", "--home", str(home)],
                       check=True, capture_output=True)
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=HERE.parent, help="the parcours checkout to measure")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--home", type=Path, default=HERE / "data" / "startup-home")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    row = {"label": args.label, **measure(args.checkout.resolve(), demo_home(args.home.resolve()), args.repeat)}
    print(json.dumps(row))
    results = HERE / "results" / "startup.json"
    earlier = json.loads(results.read_text())["rows"] if results.exists() else []
    rows = [r for r in earlier if r["label"] != args.label]
    results.write_text(json.dumps({"rows": [*rows, row]}, indent=2))


if __name__ == "__main__":
    main()
