"""The ``parcours`` command: runs, profiles and settings on the command line, over the Dagster runner."""

from parcours_pipelines.cli.app import ExitCode, app, main

__all__ = ["ExitCode", "app", "main"]
