"""A stage that the log cannot support is skipped with a reason, and the run goes on.

Stages raise :class:`StageSkipped` (or a subclass that says which stage) when the log lacks what they
need: no revenue and no conversion, too few customers, too short a span. The pipeline turns it into a
typed empty (or "not estimated") output whose reason the CLI summary, the Dagster UI and the report
show. A broken input or a bug is never a skip: those still raise their own errors.
"""

from __future__ import annotations

#: The metadata key (Dagster) and run-summary key under which a skipped stage's reason is recorded.
SKIPPED = "parcours/skipped"


class StageSkipped(ValueError):  # noqa: N818 -- the run goes on: a skip, not an error of the run
    """The log cannot support this stage; ``str(error)`` is the plain reason a user reads."""
