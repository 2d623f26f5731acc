"""Reading, validating, stitching and cutting event logs into journey instances."""

from parcours.eventlog.errors import EventLogSchemaError
from parcours.eventlog.ingest import IngestResult, IngestSummary, ingest_events
from parcours.eventlog.read import RawEvents, read_events, resolve_event_files

__all__ = [
    "EventLogSchemaError",
    "IngestResult",
    "IngestSummary",
    "RawEvents",
    "ingest_events",
    "read_events",
    "resolve_event_files",
]
