"""Validated domain settings, read from ``conf/*.yaml`` (one file per section).

Every section is a pydantic model that forbids unknown keys, so a renamed or misspelt key fails
loudly when the settings are loaded (and in a test), not in a nightly run. Any value can be
overridden with a dotted key, as the CLI's ``--set section.key=value`` does.
"""

from __future__ import annotations

import codecs
import difflib
import hashlib
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import Field, ValidationError, field_validator

from parcours.settings.sections import (
    CatalogueAction,
    ImpactSettings,
    JourneySettings,
    MiningSettings,
    PrivacySettings,
    ReportSettings,
    TriggerSettings,
    ValueSettings,
    _Section,
)

__all__ = ["CatalogueAction", "ColumnMapping", "ConfigError", "DemoSettings", "EpisodeSettings", "IdentitySettings",
           "ImpactSettings", "IngestSettings", "JourneySettings", "MiningSettings", "PrivacySettings", "ReportSettings",
           "ScheduleSettings", "Settings", "TriggerSettings", "ValueSettings", "load_settings", "parse_assignments"]


class ConfigError(ValueError):
    """A configuration file or override is missing, unreadable or invalid."""


class ColumnMapping(_Section):
    """Which input column feeds each canonical column (DESIGN.md §3)."""

    customer_id: str = Field("customer_id", description="Input column with the customer (or device) id.")
    ts: str = Field("ts", description="Input column with the event time.")
    activity: str = Field("activity", description="Input column with what happened.")
    channel: str | None = Field("channel", description="Input column with the channel; null if the log has none.")
    revenue: str | None = Field("revenue", description="Input column with money on the event; null if none.")


class IdentitySettings(_Section):
    """An optional identity table linking device ids, cookies or e-mail hashes to customers."""

    path: str = Field(description="CSV or Parquet file with one link per row.")
    identifier_column: str = Field("identifier", description="Column with the device id, cookie or hash.")
    customer_column: str = Field("customer_id", description="Column with the customer it belongs to.")


class IngestSettings(_Section):
    """How event files are read and validated."""

    path: str | None = Field(None, description=(
        "Event file, folder or glob. null = the demo log under $PARCOURS_HOME/demo (run `parcours demo`)."
    ))
    format: Literal["auto", "csv", "parquet", "xes"] = Field(
        "auto", description=(
            "auto (by extension), csv, parquet or xes"
        )
    )
    columns: ColumnMapping = Field(default_factory=ColumnMapping, description=(
        "Input column → canonical column. On the CLI: --column customer_id=user --column activity=action. "
        "channel and revenue are optional: null for a log without them (a default name that the file lacks is "
        "read as \"no such column\"). For XES the default names mean the XES standard keys (case:concept:name, "
        "time:timestamp, concept:name)."
    ))
    delimiter: str | None = Field(None, description=(
        "CSV delimiter; null lets DuckDB's sniffer detect it."
    ))
    quote: str = Field(
        '"', min_length=1, max_length=1,
        description=(
            "CSV quote character (doubled inside a quoted field to escape it). Fixed rather than sniffed: a "
            "sniffed single quote would merge rows that contain names like O'Brien."
        ),
    )
    encoding: str = Field("auto", description=(
        "Text encoding of CSV files: auto reads a file as UTF-8 when every byte of it is UTF-8, else as "
        "Windows-1252 (what Excel and most Windows tools write, Latin-1's characters and €); or any Python "
        "codec name (latin-1, cp1252, iso-8859-15, ...). UTF-16 files are refused with the command that "
        "converts them."
    ))
    timezone: str = Field("UTC", description=(
        "Time zone of timestamps written without an offset (\"2024-03-01 10:00\"). Z and offsets are honoured."
    ))
    time_format: str | None = Field(None, description=(
        "strptime format of the time column; null parses ISO 8601."
    ))
    min_time: datetime | None = Field(
        datetime(1990, 1, 1, tzinfo=UTC), description=(
            "Times before min_time or after max_time are quarantined (time_out_of_range)."
        )
    )
    max_time: datetime | None = Field(None, description="Events after this instant are quarantined.")
    future_tolerance_seconds: int = Field(0, ge=0, description=(
        "Times later than now + this many seconds are quarantined (future_time)."
    ))
    vocabulary: list[str] | None = Field(None, description=(
        "Known activities; others are quarantined (unknown_activity). null = accept any activity."
    ))
    identity: IdentitySettings | None = Field(None, description=(
        "Identity table for cross-device stitching, e.g. identity: {path: /data/identities.csv, "
        "identifier_column: device_id, customer_column: customer_id}. null = none (the demo log uses the demo's"
        " own identities.csv)."
    ))
    duplicates: Literal["drop", "keep"] = Field(
        "drop", description=(
            "Rows identical on every mapped column (same customer, instant, activity, channel and revenue): "
            "drop keeps the first and counts the others as duplicates; keep makes each one an event (a repeated"
            " \"Resolve ticket\" in a case log, as pm4py reads it). The summary says which was done."
        )
    )
    decimal: Literal[".", ","] = Field(".", description=(
        "Decimal separator of the revenue column: \".\" (1234.50), or \",\" (1234,50 or 1.234,50, as much "
        "of Europe writes money; dots and spaces are then thousands separators)."
    ))
    unreadable_revenue: Literal["quarantine", "keep_event"] = Field("quarantine", description=(
        "A revenue that is not a finite number: quarantine puts the row in the quarantine (bad_revenue); "
        "keep_event keeps the event without its revenue, and the summary counts them (revenues_unread, "
        "with examples)."
    ))
    examples_per_reason: int = Field(5, ge=0, description="Quarantined rows shown per reason in the summary.")
    max_quarantine_share: float = Field(
        0.05, ge=0, le=1, description=(
            "A non-blocking check warns above this share of quarantined rows."
        )
    )

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value == "auto":
            return value
        try:
            return codecs.lookup(value).name
        except LookupError:
            raise ValueError(f"unknown encoding {value!r} (use a Python codec name such as 'latin-1' or 'cp1252')"
                             ) from None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as 'Europe/Paris')")
        return value

    @field_validator("min_time", "max_time")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class EpisodeSettings(_Section):
    """How a customer's events become journey instances, and their events tokens."""

    inactivity_gap_days: float | None = Field(
        30.0, gt=0, description=(
            "A gap longer than this starts a new journey instance. null = one instance per customer (or case)."
        )
    )
    session_column: str | None = Field(None, description=(
        "An event attribute (an input column outside the mapping, kept in event_log.parquet as it is named, "
        "e.g. session_id) whose change from one event to the next starts a new journey instance, in place "
        "of the inactivity gap: each web session, visit or case of a customer is one instance. null = the "
        "inactivity gap."
    ))
    abstraction: dict[str, str] = Field(
        default_factory=dict, description=(
            "Coarser tokens: keys without \"@\" map activities, keys with \"@\" map whole activity@channel tokens, "
            "e.g. abstraction: {add_to_cart: cart, \"view_item@app\": browse@app}"
        )
    )
    max_activities: int | None = Field(40, ge=2, description=(
        "Journeys are read by people: a log with more distinct activities than this has them folded (URLs "
        "without host, query and ids; then all but the most frequent max_activities - 1, and the purchases, "
        "become \"other\"). null: never fold."
    ))
    activity_folding: dict[str, Any] | Literal["auto"] = Field("auto", description=(
        "The fold applied to activities: fold_urls (true/false) and keep (the activities kept, the rest "
        "\"other\"; null: all). auto: chosen from the log's profile by max_activities (nothing is folded when "
        "episodes.abstraction is set)."
    ))
    collapse_repeats: bool = Field(False, description=(
        "Fold immediate repeats of the same token into one (view, view, order → view, order)."
    ))
    use_channel: bool = Field(True, description=(
        "Tokens are activity@channel when the log has a channel column."
    ))
    missing_channel: str = Field("unknown", description=(
        "Channel used in tokens for events without one."
    ))
    conversion_activities: list[str] | Literal["auto"] = Field(
        "auto", description=(
            "Activities that count as a conversion: each instance gets the time from its start to the first. "
            "auto: the purchase activities (value.purchase_activities, as resolved from the log)."
        )
    )


class DemoSettings(_Section):
    """The synthetic omnichannel demo log of ``parcours demo`` (:mod:`parcours.synthetic`)."""

    customers: int = Field(10_000, ge=10, description="Number of customers generated.")
    seed: int = Field(7, description="Seed of every random draw of the generator.")
    start: datetime = Field(datetime(2024, 1, 1, tzinfo=UTC), description="First day of the pre-period.")
    dirty_share: float = Field(0.01, ge=0, le=0.5, description=(
        "Dirty rows added on purpose (missing ids, bad dates, duplicates, malformed lines, ...)."
    ))


class ScheduleSettings(_Section):
    """Nightly operations: when the run starts, the input folder watched for new files, drift warnings.

    Turn the schedule and the sensor on in the Dagster UI (Automation), with the Dagster daemon running
    (``dagster dev`` starts one).
    """

    cron: str = Field("0 2 * * *", description=(
        "When the nightly run starts (parcours_nightly_schedule)."
    ))
    timezone: str = Field("UTC", description="Time zone the cron expression is read in.")
    inbox: str | None = Field(None, description=(
        "The parcours_inbox_sensor: a run whenever new or changed event files land in this folder; the run "
        "reads the whole folder (ingest.path = inbox). null: the sensor skips and says why."
    ))
    inbox_patterns: list[str] = Field(
        default_factory=lambda: ["*.csv", "*.csv.gz", "*.parquet", "*.xes", "*.xes.gz"],
        description="File names in the inbox that count as event files.",
    )
    settle_seconds: float = Field(
        60.0, ge=0, description=(
            "A file counts once it has not changed for this long (not while it is still being copied in)."
        )
    )
    sensor_interval_seconds: int = Field(60, ge=10, description="How often the sensor looks at the inbox.")
    drift_max_size_change: float = Field(
        0.25, gt=0, description=(
            "Drift between runs (warning checks on journey_ranking): a journey whose customers change by more "
            "than this share, or whose effect moves by more than drift_effect_z standard errors of the "
            "difference."
        )
    )
    drift_effect_z: float = Field(
        3.0, gt=0, description="Warn when a journey's effect moves by more than this many standard errors."
    )

    @field_validator("timezone")
    @classmethod
    def _known_schedule_timezone(cls, value: str) -> str:
        return IngestSettings._known_timezone(value)


class Settings(_Section):
    """All domain settings, one attribute per ``conf/<section>.yaml`` file."""

    ingest: IngestSettings = Field(default_factory=IngestSettings)
    episodes: EpisodeSettings = Field(default_factory=EpisodeSettings)
    mining: MiningSettings = Field(default_factory=MiningSettings)
    journeys: JourneySettings = Field(default_factory=JourneySettings)
    value: ValueSettings = Field(default_factory=ValueSettings)
    impact: ImpactSettings = Field(default_factory=ImpactSettings)
    triggers: TriggerSettings = Field(default_factory=TriggerSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    demo: DemoSettings = Field(default_factory=DemoSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)


def load_settings(conf_dir: str | Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Read ``conf_dir/<section>.yaml`` files, apply dotted overrides, and validate.

    Parameters
    ----------
    conf_dir
        Folder with one YAML file per section (``ingest.yaml``, ``episodes.yaml``, ...). A missing
        file means the section's defaults.
    overrides
        Dotted keys to values, e.g. ``{"ingest.timezone": "Europe/Paris"}``.

    Returns
    -------
    Settings
        The validated settings.

    Raises
    ------
    ConfigError
        If the folder is missing, a file is not a YAML mapping, a key is unknown or a value invalid.

    Examples
    --------
    >>> from parcours.paths import conf_dir
    >>> load_settings(conf_dir(), {"episodes.inactivity_gap_days": 7}).episodes.inactivity_gap_days
    7.0
    """
    conf_dir = Path(conf_dir)
    if not conf_dir.is_dir():
        raise ConfigError(f"configuration folder {conf_dir} does not exist")
    raw: dict[str, Any] = {}
    for name in Settings.model_fields:
        raw[name] = read_section(conf_dir / f"{name}.yaml")
    for key, value in (overrides or {}).items():
        _set_dotted(raw, key, value)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, conf_dir, overrides or {})) from exc


def settings_digest(settings: Settings) -> str:
    """A short hash of every setting's value: two runs with the same digest ran with the same settings.

    Examples
    --------
    >>> settings_digest(Settings()) == settings_digest(Settings())
    True
    >>> settings_digest(Settings()) == settings_digest(Settings.model_validate({"report": {"title": "Weekly"}}))
    False
    """
    return hashlib.sha256(settings.model_dump_json().encode()).hexdigest()[:16]


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """Turn ``["section.key=value", ...]`` into overrides typed by the settings models, never re-read as YAML.

    The text after ``=`` stays text for a text setting (a path with ``#``, a delimiter ``,``, a
    time format ``%d/%m/%Y``, a column called ``yes``); ``null`` (or nothing) is None where a
    setting may be null; a list setting takes ``a,b`` or a flow list ``[a, b]``, a mapping a flow
    mapping ``{a: b}``. Numbers, booleans and dates are left to the models' validation.

    Raises
    ------
    ConfigError
        If an assignment has no ``=`` or no section, or a list or mapping value does not parse.

    Examples
    --------
    >>> parse_assignments(["ingest.delimiter=,", "ingest.columns.channel=null", "value.purchase_activities=a,b"])
    {'ingest.delimiter': ',', 'ingest.columns.channel': None, 'value.purchase_activities': ['a', 'b']}
    """
    overrides: dict[str, Any] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or "." not in key:
            raise ConfigError(f"--set {item!r}: expected section.key=value, e.g. ingest.timezone=Europe/Paris")
        overrides[key] = typed_value(key, value)
    return overrides


def typed_value(key: str, text: str) -> Any:
    """The value of the text ``text`` for the dotted setting ``key``, by the setting's declared type."""
    kinds = _field_kinds(key.split("."))
    stripped = text.strip()
    if type(None) in kinds and stripped.lower() in ("", "null", "none", "~"):
        return None
    if stripped in kinds:  # a literal choice such as "auto"
        return stripped
    if kinds & {list, dict} and stripped[:1] in ("[", "{"):
        try:
            return yaml.safe_load(stripped)
        except yaml.YAMLError as exc:
            raise ConfigError(f"--set {key}={text}: not a valid list or mapping ({str(exc).splitlines()[0]})") from exc
    if list in kinds:
        return [part.strip() for part in stripped.split(",") if part.strip()]
    return text if str in kinds else stripped


def _field_kinds(parts: list[str]) -> set[Any]:
    """The plain types (``str``, ``list``, ``dict``, ``NoneType``, literal values, ...) a dotted setting accepts."""
    model: Any = Settings
    kinds: set[Any] = {str}
    for part in parts:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return {str}  # unknown: validation names the key
        kinds = _flatten(fields[part].annotation)
        model = _section_model(kinds)
    return kinds


def _section_model(kinds: set[Any]) -> Any:
    """The settings model among a setting's accepted types (a section), or None for a plain value."""
    return next((k for k in kinds if isinstance(k, type) and hasattr(k, "model_fields")), None)


def _flatten(annotation: Any) -> set[Any]:
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return set().union(*(_flatten(a) for a in get_args(annotation)))
    if origin is Literal:
        return set(get_args(annotation))
    return {origin or annotation}


def read_section(path: Path) -> dict[str, Any]:
    """The keys a section file sets (empty when the file is missing or empty)."""
    if not path.exists():
        return {}
    try:
        content = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(content, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values, got {type(content).__name__}")
    return content


def _set_dotted(raw: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = raw
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ConfigError(f"--set {key}: {part!r} is a value, not a section")
        node = child
    node[parts[-1]] = value


def _describe(exc: ValidationError, conf_dir: Path, overrides: dict[str, Any]) -> str:
    """One line per problem: the setting, where its value came from (a conf file or the command line), what is
    wrong, and for an unknown key the nearest known one."""
    problems = []
    for err in exc.errors():
        parts = [str(p) for p in err["loc"]]
        key = ".".join(parts)
        given = next((k for k in overrides if key == k or key.startswith(f"{k}.") or k.startswith(f"{key}.")), None)
        source = (f"{given}={overrides[given]} (from the command line)" if given is not None
                  else f"{key} (in {conf_dir / parts[0]}.yaml)")
        if err["type"] == "extra_forbidden":
            near = difflib.get_close_matches(parts[-1], _known_keys(parts[:-1]), n=1, cutoff=0.6)
            hint = f"; did you mean {'.'.join([*parts[:-1], near[0]])}?" if near else ""
            problems.append(f"{source}: no such setting{hint}")
        else:
            problems.append(f"{source}: {err['msg']}")
    return ("invalid setting " if len(problems) == 1 else "invalid settings: ") + "; ".join(problems)


def _known_keys(parts: list[str]) -> list[str]:
    """The setting names under the dotted section ``parts`` (the sections themselves for an empty one)."""
    model = _section_model(_field_kinds(parts)) if parts else Settings
    return list(getattr(model, "model_fields", {}))
