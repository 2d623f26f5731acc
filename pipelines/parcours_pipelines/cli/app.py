"""The ``parcours`` command: ``demo``, ``run``, ``report``, ``validate``, ``ui``, ``mlflow``, ``config``, ``triggers``.

``run`` and ``demo`` materialise the Dagster asset graph in this process, on the same Dagster
instance as the UI (``$PARCOURS_HOME/dagster``), so CLI runs show up in the UI and the reverse.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from enum import IntEnum, StrEnum
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated

import typer

from parcours import paths
from parcours.settings import ConfigError, Settings, load_settings, parse_assignments
from parcours_pipelines.cli.summary import print_profile, print_summary
from parcours_pipelines.cli.triggers import triggers_app

app = typer.Typer(help="Discover customer journeys, their effect on lifetime value, and trigger rules.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(triggers_app, name="triggers")
config_app = typer.Typer(help="The settings: the conf/*.yaml files and the values in effect.", no_args_is_help=True)
app.add_typer(config_app, name="config")

Home = Annotated[Path | None, typer.Option(help="PARCOURS_HOME: data, Dagster instance, MLflow store.",
                                           envvar="PARCOURS_HOME", show_default=False)]
Conf = Annotated[Path | None, typer.Option(help="Folder of conf/*.yaml files.", show_default=False)]
Sets = Annotated[list[str] | None, typer.Option("--set", help="Override a setting: section.key=value (repeatable).")]
class EngineKind(StrEnum):
    """The engines ``parcours run`` runs on."""

    duckdb = "duckdb"
    spark = "spark"


Engine = Annotated[EngineKind, typer.Option(
    help="Where the relational work runs: duckdb (embedded, the default) or spark (see --spark-master).",
    envvar="PARCOURS_ENGINE")]
SparkMaster = Annotated[str, typer.Option(
    help="With --engine spark: local[N] for N local cores, or a cluster URL (spark://host:7077, yarn, k8s://...).",
    envvar="PARCOURS_SPARK_MASTER")]
Columns = Annotated[list[str] | None, typer.Option(
    "--column", help="Map an input column: canonical=input, e.g. customer_id=user (repeatable).")]


class ExitCode(IntEnum):
    """What a ``parcours`` command's exit status means, the same in every command."""

    OK = 0
    BUG = 1
    """An unexpected error, printed with its traceback: a bug to report."""
    USAGE = 2
    """A command-line option or a setting is wrong (a conf file or ``--set``); click's own usage errors too."""
    INPUT = 3
    """The data cannot be used as given: the events as mapped, a rule set, attributes, an earlier run's outputs."""
    RUN_FAILED = 4
    """The run started and a step or a blocking check failed (the Dagster run id is printed)."""


class CliError(Exception):
    """A problem to report on one line, with its exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


def _version(shown: bool) -> None:
    if shown:
        typer.echo(f"parcours {package_version('parcours')}")
        raise typer.Exit()


@app.callback(epilog="Exit status: 0 done, 1 a bug (with its traceback), 2 a wrong option or setting, "
                     "3 data that cannot be used as given, 4 a run that failed.")
def _main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Discover customer journeys, their effect on lifetime value, and trigger rules."""


def _overrides(events: str | None, columns: list[str] | None, sets: list[str] | None) -> list[str]:
    """Turn --events, --column and --set into ``section.key=value`` overrides (validated)."""
    from parcours.ingest import is_database, parse_database
    from parcours.schema import INPUT_COLUMNS

    overrides = []
    if events is not None and is_database(events):  # a table: its columns are checked before the run starts
        overrides.append(f"ingest.path={events}")
        parse_database(events)
    elif events is not None:
        path = Path(events)
        if not path.exists() and not any(c in events for c in "*?["):
            raise CliError(f"--events {events}: no such file or folder", ExitCode.USAGE)
        overrides.append(f"ingest.path={path.resolve() if path.exists() else events}")
    for item in columns or []:
        canonical, sep, column = item.partition("=")
        if not sep or canonical.strip() not in INPUT_COLUMNS:
            raise CliError(f"--column {item!r}: expected canonical=input with canonical one of "
                           f"{', '.join(INPUT_COLUMNS)}", ExitCode.USAGE)
        overrides.append(f"ingest.columns.{canonical.strip()}={column.strip()}")
    overrides.extend(sets or [])
    return overrides


def _settings(conf: Path | None, overrides: list[str]) -> Settings:
    """The settings of ``conf`` (default: the project's) with ``section.key=value`` overrides."""
    return load_settings(conf or paths.conf_dir(), parse_assignments(overrides))


def _preflight(conf: Path | None, overrides: list[str]) -> None:
    """Fail fast, in one line, on bad settings or a mapping the input files do not satisfy."""
    from parcours.engine import connect
    from parcours.ingest import check_columns

    settings = _settings(conf, overrides)
    if settings.ingest.path:
        check_columns(connect(), settings.ingest, settings.ingest.path)


def _writable(folder: Path, what: str) -> None:
    """Fail before the run starts, in one line, when ``folder`` cannot be created or written to."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".parcours-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CliError(f"{what} {folder}: cannot write there ({exc.strerror or exc})", ExitCode.USAGE) from exc


def _home(home: Path | None) -> Path:
    home = (home or paths.parcours_home()).resolve()
    os.environ["PARCOURS_HOME"] = str(home)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")
    return home


def _run(home: Path, out: Path, conf: Path | None, overrides: list[str], engine: str = "duckdb",
         spark_master: str = "local[2]", *, command: str) -> dict:
    from parcours_pipelines.runner import run_pipeline  # imports Dagster: only when a run is asked for

    result = run_pipeline(home=home, out_dir=out.resolve(), conf_dir=conf, overrides=overrides, engine_kind=engine,
                          spark_master=spark_master, command=command)
    _succeeded(result)
    summary_path = out / "ingest_summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return {**summary, "skipped": result.skipped, "warnings": result.warnings}


def _succeeded(result) -> None:
    """Raise the run's failure as a one-line error (:attr:`ExitCode.RUN_FAILED`)."""
    if not result.success:
        reason = result.error or f"blocking checks failed: {', '.join(result.failed_checks)}"
        raise CliError(f"run {result.run_id} failed: {reason}", ExitCode.RUN_FAILED)


@app.command()
def demo(
    customers: Annotated[int | None, typer.Option(min=10, help="Customers to generate (conf: demo.customers).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the generator (conf: demo.seed).")] = None,
    home: Home = None, conf: Conf = None, set_: Sets = None,
) -> None:
    """Generate the demo log and run the whole pipeline on it."""
    from parcours.synthetic import generate_demo_log

    home = _home(home)
    overrides = list(set_ or [])
    if customers is not None:
        overrides.append(f"demo.customers={customers}")
    if seed is not None:
        overrides.append(f"demo.seed={seed}")
    settings = _settings(conf, overrides)
    folder = paths.demo_dir(home)
    typer.echo(f"generating the demo log: {settings.demo.customers:,} customers, seed {settings.demo.seed}")
    log = generate_demo_log(settings.demo.customers, settings.demo.seed, settings.demo.start, settings.demo.dirty_share)
    written = log.write(folder)
    typer.echo(f"  events:  {written['events.csv']} ({log.truth['expected_ingest']['rows_in']:,} rows)")
    typer.echo(f"  truth:   {written['truth.json']}")
    out = paths.default_output_dir(home)
    if out.exists():
        shutil.rmtree(out)
    summary = _run(home, out, conf, overrides, command="demo")
    typer.echo("parcours demo: done")
    print_summary(summary, out)
    typer.echo("  the same data in the Dagster UI: make ui")


@app.command()
def run(
    events: Annotated[str, typer.Option(help=(
        "Event file, folder or glob (CSV, Parquet, XES), or a database table as a URL: "
        "postgresql://user@host:5432/db?table=events (the password in PGPASSWORD, not in the URL)."))],
    out: Annotated[Path, typer.Option(help="Output folder (created if missing).")],
    column: Columns = None, conf: Conf = None, set_: Sets = None, home: Home = None,
    engine: Engine = EngineKind.duckdb, spark_master: SparkMaster = "local[2]",
) -> None:
    """Run the whole pipeline on an event log and write the outputs to --out."""
    home = _home(home)
    overrides = _overrides(events, column, set_)
    _preflight(conf, overrides)
    _writable(out, "--out")
    _writable(home, "--home (PARCOURS_HOME)")
    summary = _run(home, out, conf, overrides, engine.value, spark_master, command="run")
    typer.echo("parcours run: done")
    print_summary(summary, out)


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="Output folder of an earlier run (default: the demo's).")] = None,
    conf: Conf = None, set_: Sets = None, home: Home = None,
) -> None:
    """Rebuild journey_ranking.csv and report.html from an earlier run's outputs (after editing conf/report.yaml)."""
    from parcours_pipelines.runner import run_pipeline

    home = _home(home)
    out = (out or paths.default_output_dir(home)).resolve()
    overrides = list(set_ or [])
    _settings(conf, overrides)  # bad settings fail here in one line, not in the run's report step
    if not (out / "journey_impact.csv").exists():
        raise CliError(f"{out}: no journey_impact.csv here; run `parcours run --out {out}` (or `parcours demo`) first",
                       ExitCode.INPUT)
    result = run_pipeline(home=home, out_dir=out, conf_dir=conf, overrides=overrides, selection="group:report",
                          command="report")
    _succeeded(result)
    typer.echo("parcours report: done")
    summary_path = out / "ingest_summary.json"
    print_summary(json.loads(summary_path.read_text()) if summary_path.exists() else {}, out)


@app.command()
def validate(
    path: Annotated[str, typer.Argument(help="Event file, folder or glob, or a database table as a URL.")],
    column: Columns = None, conf: Conf = None, set_: Sets = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole summary as JSON.")] = False,
) -> None:
    """Ingest only: read and validate an event log and print where every row went."""
    from parcours.ingest import describe_input

    settings = _settings(conf, _overrides(path, column, set_))
    summary, profile = _profiled(settings)
    if as_json:
        typer.echo(json.dumps({**summary, "profile": profile}, indent=2, default=str))
        return
    typer.echo(f"{describe_input(path)}: {summary['rows_in']:,} rows, {summary['customers']:,} customers, "
               f"{summary['first_ts']} … {summary['last_ts']}")
    for key in ("clean", "quarantined", "duplicates"):
        typer.echo(f"  {key:<12}{summary[key]:>12,}")
    for reason, n in summary["by_reason"].items():
        if n:
            example = summary["examples"].get(reason, [{}])[0]
            where = f"line {example.get('line', '?')} of {example.get('source', '?')}"
            typer.echo(f"    {reason:<22}{n:>8,}   e.g. {where}")
    print_profile(profile)


def _profiled(settings: Settings) -> tuple[dict, dict]:
    """The ingest summary of ``settings.ingest.path`` and the profile of its clean log (``auto`` resolved)."""
    from parcours.engine import connect
    from parcours.ingest import describe_log, ingest_events

    ingested = ingest_events(connect(), settings.ingest, settings.ingest.path)
    summary = ingested.summary.to_dict()
    return summary, describe_log(ingested.events, summary, settings)


@config_app.command("show")
def config_show(
    events: Annotated[str | None, typer.Option(
        help="Resolve the auto settings from this log's profile (it is ingested, nothing is written).")] = None,
    column: Columns = None, conf: Conf = None, set_: Sets = None,
) -> None:
    """Print the settings in effect: the models' defaults, the conf files' overrides, then --set."""
    from parcours.ingest import apply_resolutions
    from parcours_pipelines.cli.conf_files import show_settings

    settings = _settings(conf, _overrides(events, column, set_))
    resolutions = _profiled(settings)[1]["resolved"] if events is not None else []
    typer.echo(show_settings(apply_resolutions(settings, resolutions), resolutions), nl=False)


@config_app.command("init")
def config_init(
    conf: Annotated[Path | None, typer.Option(help="Folder to (re)write; default: the project's conf.",
                                              show_default=False)] = None,
) -> None:
    """(Re)write conf/*.yaml from the settings models: every default documented and commented out, overrides kept."""
    from parcours_pipelines.cli.conf_files import write_conf

    for path in write_conf(conf or paths.conf_dir()):
        typer.echo(f"wrote {path}")


@app.command()
def ui(
    home: Home = None,
    port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
) -> None:
    """Open the Dagster UI on the same instance and data as the CLI."""
    from parcours_pipelines.runner import prepare_instance

    home = _home(home)
    prepare_instance(home)
    dg = Path(sys.executable).with_name("dg")
    os.chdir(paths.PROJECT_ROOT / "pipelines")  # dg.toml: the code location "parcours", as in pipelines/workspace.yaml
    os.execv(dg, [str(dg), "dev", "-p", str(port)])


@app.command()
def mlflow(
    home: Home = None,
    port: Annotated[int, typer.Option(help="Port of the MLflow UI (the outputs' MLflow links point at 5000).")] = 5000,
) -> None:
    """Open the MLflow UI on the runs' tracking store, where the outputs' MLflow links point."""
    home = _home(home)
    command = mlflow_ui_command(home, port)
    if command is None:
        typer.echo(f"the runs are tracked on the server {os.environ['MLFLOW_TRACKING_URI']}: open it there")
        return
    os.environ.setdefault("DO_NOT_TRACK", "1")
    typer.echo(f"the MLflow UI of {home}: http://127.0.0.1:{port}")
    os.execv(command[0], command)


def mlflow_ui_command(home: Path, port: int) -> list[str] | None:
    """``mlflow ui`` on the home's SQLite store at ``port``; ``None`` when runs go to a tracking server instead
    (``MLFLOW_TRACKING_URI``, as the runs read it), which serves its own UI."""
    tracking_uri = paths.tracking_uri(home)
    if paths.is_tracking_server(tracking_uri):
        return None
    executable = str(Path(sys.executable).with_name("mlflow"))
    return [executable, "ui", "--backend-store-uri", tracking_uri, "--host", "127.0.0.1", "--port", str(port)]


def main() -> None:
    """Entry point: one-line errors for bad input, tracebacks only for bugs."""
    from parcours.errors import InputError  # not the stages that raise it: --help stays quick

    try:
        app()
    except CliError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(int(exc.code))
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(int(ExitCode.USAGE))
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(int(ExitCode.INPUT))
