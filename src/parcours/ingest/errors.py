"""Exceptions raised while reading event logs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from parcours.errors import InputError


class EventLogSchemaError(InputError):
    """An event file cannot be read, or a mapped column is missing from it."""

    @classmethod
    def missing_column(
        cls, path: str | Path, canonical: str, column: str, existing: Iterable[str]
    ) -> EventLogSchemaError:
        """Build the error for a mapped column that the file does not have."""
        have = ", ".join(existing) or "(none)"
        return cls(
            f"{path}: mapped column {column!r} (for {canonical}) is missing; the file has columns: {have}. "
            f"Map it with --column {canonical}=<column>."
        )
