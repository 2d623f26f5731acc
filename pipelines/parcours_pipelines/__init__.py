"""Dagster definitions of the parcours pipeline: thin assets over the ``parcours`` library."""
