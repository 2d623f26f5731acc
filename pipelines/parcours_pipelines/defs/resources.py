"""The one ``@dg.definitions`` under ``defs/``: the resources every asset uses."""

import dagster as dg

from parcours_pipelines.resources import build_resources


@dg.definitions
def resources() -> dg.Definitions:
    """Settings, engine, MLflow and the output folder, with defaults under ``PARCOURS_HOME``."""
    return dg.Definitions(resources=build_resources())
