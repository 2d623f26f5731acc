"""Entry point of the code location: everything under ``defs/`` plus the executor."""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    """All parcours definitions; two concurrent steps match the 2-core machines and keep SQLite calm."""
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(executor=dg.multiprocess_executor.configured({"max_concurrent": 2})),
    )
