"""Reading, validating, stitching and cutting event logs into journey instances."""

from parcours.eventlog.errors import EventLogSchemaError
from parcours.eventlog.ingest import IngestResult, IngestSummary, ingest_events, resolve_input
from parcours.eventlog.read import RawEvents, check_columns, read_events, resolve_event_files

__all__ = [
    "EventLogSchemaError",
    "IngestResult",
    "IngestSummary",
    "RawEvents",
    "check_columns",
    "ingest_events",
    "read_events",
    "resolve_event_files",
    "resolve_input",
]
