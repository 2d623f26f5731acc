"""Stage 1, ingest: reading, validating and stitching the event log, its profile and the ``auto`` settings it resolves.

Every public name is listed once below, under ``TYPE_CHECKING``, and imported on first use
(:func:`parcours.facade.lazy_facade`).
"""

from typing import TYPE_CHECKING

from parcours.facade import lazy_facade

if TYPE_CHECKING:
    from parcours.ingest.database import describe_input, is_database, parse_database
    from parcours.ingest.errors import EventLogSchemaError
    from parcours.ingest.ingest import (
        IngestResult,
        IngestSummary,
        account_for_rows,
        drop_duplicates,
        ingest_events,
        resolve_input,
        stage_rows,
    )
    from parcours.ingest.profile import LogProfile, profile_log
    from parcours.ingest.read import RawEvents, check_columns, read_events, resolve_event_files
    from parcours.ingest.resolve import PROFILED, apply_resolutions, describe_log, settled, value_measured

__all__, __getattr__, __dir__ = lazy_facade(__name__)
