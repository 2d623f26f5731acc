"""Ingest: read, validate, stitch and de-duplicate event files into the canonical event log.

Every input row ends in exactly one place: the clean event log, the quarantine (with a reason), or
the duplicate count. :class:`IngestSummary` says how many went where and why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.engine import iso_instant, temporary_table
from parcours.ingest.database import is_database
from parcours.ingest.errors import EventLogSchemaError
from parcours.ingest.identity import UNSTITCHED_ID, IdentityMap, read_identity_links, resolve_identities, stitch
from parcours.ingest.raw import extra_columns, table_ids
from parcours.ingest.read import RawEvents, read_events
from parcours.ingest.validate import classify
from parcours.paths import default_events_path, demo_dir
from parcours.schema import (
    ACTIVITY,
    CHANNEL,
    CUSTOMER_ID,
    EVENT_LOG_COLUMNS,
    EVENT_SEQ,
    INPUT_COLUMNS,
    LINE,
    QUARANTINE_COLUMNS,
    REASON,
    REASONS,
    REVENUE,
    SOURCE,
    TIMESTAMP,
)
from parcours.settings import IdentitySettings, IngestSettings

_DUPLICATE_KEY = (CUSTOMER_ID, TIMESTAMP, ACTIVITY, CHANNEL, REVENUE)


@dataclass(frozen=True)
class IngestSummary:
    """Where every input row went, and what was read."""

    rows_in: int
    clean: int
    quarantined: int
    duplicates: int
    by_reason: dict[str, int]
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    customers: int = 0
    first_ts: str | None = None
    last_ts: str | None = None
    has_channel: bool = True
    has_revenue: bool = True
    identities: dict[str, int] | None = None
    fingerprint: str = ""
    duplicates_policy: str = "drop"
    #: Usable rows (duplicates included) whose local time the clocks skipped or repeated, read by one rule.
    wall_clock: dict[str, int] = field(default_factory=lambda: {"skipped": 0, "repeated": 0})
    #: Events kept without their revenue (``ingest.unreadable_revenue: keep_event``): count and examples.
    revenues_unread: dict[str, Any] = field(default_factory=lambda: {"count": 0, "examples": []})

    @property
    def accounts_for_every_row(self) -> bool:
        """Whether ``rows_in == clean + quarantined + duplicates``."""
        return self.rows_in == self.clean + self.quarantined + self.duplicates

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the content of ``ingest_summary.json``)."""
        return asdict(self)


@dataclass(frozen=True)
class RowAccounting:
    """Whether the rows read equal the rows written plus the duplicates dropped, and the rows the file's lines.

    ``lines_in_files`` are the CSV files' physical lines, counted on their bytes apart from the parse;
    ``lines_accounted`` the lines the parse put somewhere (the header, each row's lines, blank lines).
    When they differ, the parser lost lines that ``rows_in`` cannot show.
    """

    rows_in: int
    clean: int
    quarantined: int
    duplicates: int
    lines_in_files: int = 0
    lines_accounted: int = 0

    @property
    def ok(self) -> bool:
        """``rows_in == clean + quarantined + duplicates`` and every physical line accounted for."""
        return (self.rows_in == self.clean + self.quarantined + self.duplicates
                and self.lines_in_files == self.lines_accounted)

    @property
    def unaccounted(self) -> int:
        """Rows read but found nowhere (negative: rows found that were never read)."""
        return self.rows_in - self.clean - self.quarantined - self.duplicates


def account_for_rows(summary: dict[str, Any], events: ir.Table, quarantine: ir.Table) -> RowAccounting:
    """Count the rows actually stored in the event log and the quarantine against the rows read.

    Parameters
    ----------
    summary
        The ingest summary (``rows_in`` and ``duplicates`` come from it).
    events, quarantine
        The stored outputs, counted anew.
    """
    csv_files = [s for s in summary.get("sources") or [] if isinstance(s, dict) and s.get("lines") is not None]
    return RowAccounting(  # a summary without its counts accounts for nothing: the check fails, it does not raise
        rows_in=int(summary.get("rows_in") or 0),
        clean=int(events.count().to_pyarrow().as_py()),
        quarantined=int(quarantine.count().to_pyarrow().as_py()),
        duplicates=int(summary.get("duplicates") or 0),
        lines_in_files=sum(int(s["lines"]) for s in csv_files),
        lines_accounted=sum(int(s.get("lines_accounted") or 0) for s in csv_files),
    )


@dataclass(frozen=True)
class IngestResult:
    """The clean event log and the quarantine as Ibis tables, with the summary."""

    events: ir.Table
    quarantine: ir.Table
    summary: IngestSummary


def resolve_input(settings: IngestSettings, home: Path | None = None) -> tuple[Path | str, IngestSettings]:
    """Return the event path to read and the settings to read it with.

    Without a configured ``ingest.path`` the input is the demo log under ``PARCOURS_HOME``, read
    with the demo's identity table unless another is configured.

    Raises
    ------
    EventLogSchemaError
        If no path is configured and the demo log has not been generated.
    """
    if settings.path:
        return (settings.path if is_database(settings.path) else Path(settings.path)), settings
    path, identities = default_events_path(home), demo_dir(home) / "identities.csv"
    if not path.exists():
        raise EventLogSchemaError(
            f"{path}: no ingest.path is configured and the demo log does not exist; "
            "run `parcours demo` or pass --events PATH"
        )
    if settings.identity is None and identities.exists():
        settings = settings.model_copy(update={"identity": IdentitySettings(path=str(identities))})
    return path, settings


def ingest_events(
    con: ibis.BaseBackend, settings: IngestSettings, path: str | Path, *, now: datetime | None = None
) -> IngestResult:
    """Read, validate, stitch and de-duplicate the event files under ``path``.

    Parameters
    ----------
    con
        The Ibis DuckDB connection; intermediate tables are materialised there as temporary tables.
    settings
        Mapping, time zone, validation rules and the optional identity table.
    path
        An event file, folder or glob.
    now
        The instant after which times count as future; default: the current time.

    Returns
    -------
    IngestResult
        ``events`` (canonical columns of DESIGN.md §3; ``event_seq`` is ``file index · 2³² + line``,
        so ordering by ``(ts, event_seq)`` keeps source order among ties),
        ``quarantine`` (original values as text, ``source``, ``line``, ``reason``, ``detail``) and
        the summary.

    Raises
    ------
    EventLogSchemaError
        If a file cannot be read or lacks a mapped column.
    """
    now = now or datetime.now(UTC)
    raw = read_events(con, settings, path)
    identity_map = resolve_identities(read_identity_links(settings.identity)) if settings.identity else None
    staged = temporary_table(con, f"_parcours_staged_{next(table_ids)}", stage_rows(raw.table, settings, now,
                                                                                     identity_map))
    clean = staged.filter(staged[REASON].isnull())
    kept, firsts = drop_duplicates(clean) if settings.duplicates == "drop" else (clean, clean)
    events = _with_source(kept, raw).select(*EVENT_LOG_COLUMNS, *extra_columns(kept)).order_by(EVENT_SEQ)  # source
    # order, so identical inputs write identical files; runs once, when written
    quarantine = _quarantine_view(_with_source(staged, raw))
    identities = _identity_report(identity_map, clean) if identity_map is not None else None
    summary = _summarise(raw, staged, firsts, quarantine, settings.examples_per_reason, identities)
    summary = replace(summary, duplicates_policy=settings.duplicates)
    return IngestResult(events=events, quarantine=quarantine, summary=summary)


def stage_rows(raw: ir.Table, settings: IngestSettings, now: datetime,
               identities: IdentityMap | None = None) -> ir.Table:
    """Every raw row with its canonical typed columns, its quarantine ``reason`` (null when usable) and,
    given an identity map, its stitched customer.

    Engine-portable (DuckDB, Spark): the readers are engine-specific, this is not.

    Parameters
    ----------
    raw
        The raw table of :func:`parcours.ingest.read.read_events` (or the same shape read by another engine).
    settings
        Time zone, time range, vocabulary.
    now
        The instant after which a time counts as future.
    identities
        The resolved identity table, or ``None``.

    Returns
    -------
    ibis.expr.types.Table
        See :func:`parcours.ingest.validate.classify`; with identities, ``customer_id`` is the stitched id.
    """
    staged = classify(raw, settings, now)
    return stitch(staged, identities) if identities is not None else staged


def drop_duplicates(clean: ir.Table) -> tuple[ir.Table, ir.Table]:
    """Keep the first (lowest ``event_seq``) of each group of exact duplicates among usable rows.

    A hash aggregate and a semi-join rather than a sorting window; ``event_seq`` is unique, so the
    semi-join on it alone is exact (and safe with null keys). Engine-portable.

    Returns
    -------
    tuple of ibis.expr.types.Table
        The kept rows, and one row per group (its key columns and ``event_seq``), for the counts.
    """
    key = [*_DUPLICATE_KEY, *extra_columns(clean)]  # identical on every input column, the attributes included
    firsts = clean.group_by(key).aggregate(**{EVENT_SEQ: clean[EVENT_SEQ].min()})
    return clean.semi_join(firsts, EVENT_SEQ), firsts


def _with_source(table: ir.Table, raw: RawEvents) -> ir.Table:
    """Join each row's file path back from its ``file_idx``."""
    return table.inner_join(raw.files(), "file_idx")


def _quarantine_view(staged: ir.Table) -> ir.Table:
    bad = staged.filter(staged[REASON].notnull()).order_by(["file_idx", LINE])
    return bad.select(
        **{c: bad[f"{c}_raw"].cast("string") for c in INPUT_COLUMNS},
        **{c: bad[c] for c in QUARANTINE_COLUMNS if c not in INPUT_COLUMNS},
    )


def _summarise(raw: RawEvents, staged: ir.Table, firsts: ir.Table, quarantine: ir.Table, k: int,
               identities: dict[str, int] | None) -> IngestSummary:
    """Counts from the staged rows and from the groups of duplicates (one clean event per group)."""
    counts = staged.group_by(REASON).aggregate(  # with the usable rows' wall-clock and revenue notes: one scan
        n=staged.count(), skipped=staged.count(where=staged._wall_clock == "skipped"),
        repeated=staged.count(where=staged._wall_clock == "repeated"),
        unread=staged.count(where=staged._revenue_unread.notnull())).to_pyarrow().to_pylist()
    clock = next((row for row in counts if row[REASON] is None), {"skipped": 0, "repeated": 0, "unread": 0})
    by_reason = {r: 0 for r in REASONS} | {row[REASON]: row["n"] for row in counts if row[REASON] is not None}
    usable = sum(row["n"] for row in counts if row[REASON] is None)
    stats = firsts.aggregate(
        clean=firsts.count(), customers=firsts[CUSTOMER_ID].nunique(),
        first=firsts[TIMESTAMP].min(), last=firsts[TIMESTAMP].max(),
    ).to_pyarrow().to_pylist()[0]
    unread = staged.filter(staged[REASON].isnull() & staged._revenue_unread.notnull())
    unread_examples = unread.order_by(EVENT_SEQ).limit(k).select(
        "file_idx", LINE, revenue=unread._revenue_unread).to_pyarrow().to_pylist() if clock["unread"] and k else []
    return IngestSummary(
        rows_in=raw.rows_in,
        clean=int(stats["clean"]),
        quarantined=sum(by_reason.values()),
        duplicates=usable - int(stats["clean"]),
        by_reason=by_reason,
        examples=_examples(quarantine, k),
        sources=[asdict(s) for s in raw.sources],
        customers=int(stats["customers"] or 0),
        first_ts=iso_instant(stats["first"]), last_ts=iso_instant(stats["last"]),
        has_channel=raw.has_channel,
        has_revenue=raw.has_revenue,
        identities=identities,
        fingerprint=raw.fingerprint,
        wall_clock={"skipped": int(clock["skipped"]), "repeated": int(clock["repeated"])},
        revenues_unread={"count": int(clock["unread"]), "examples": [
            {"source": raw.sources[e["file_idx"]].path, "line": e[LINE], "revenue": e["revenue"]}
            for e in unread_examples]},
    )


def _examples(quarantine: ir.Table, k: int) -> dict[str, list[dict[str, Any]]]:
    if k == 0:
        return {}
    bad = quarantine.mutate(_k=ibis.row_number().over(group_by=REASON, order_by=[SOURCE, LINE]))
    rows = bad.filter(bad._k < k).drop("_k").order_by([REASON, SOURCE, LINE]).to_pyarrow().to_pylist()
    examples: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        examples.setdefault(row[REASON], []).append({c: v for c, v in row.items() if v is not None})
    return examples


def _identity_report(identity_map: IdentityMap, clean: ir.Table) -> dict[str, int]:
    stitched = clean.filter(clean[UNSTITCHED_ID].notnull())
    return {
        "links": identity_map.n_links,
        "people": identity_map.n_people,
        "merged_identities": int(stitched[UNSTITCHED_ID].nunique().to_pyarrow().as_py()),
        "events_restitched": int(stitched.count().to_pyarrow().as_py()),
    }
