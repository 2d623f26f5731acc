"""The settings: one validated section per stage, read from ``conf/*.yaml`` and ``--set`` overrides.

The sections follow the flow: ``ingest``, ``episodes`` (the journey instances), ``mining``, ``journeys``,
``value``, ``impact``, ``triggers``, ``report``; then ``privacy``, ``demo`` and ``schedule``. The model
and loading are in :mod:`parcours.settings.model`, the later stages' sections in
:mod:`parcours.settings.sections`.
"""

from parcours.settings.model import (
    ColumnMapping,
    ConfigError,
    DemoSettings,
    EpisodeSettings,
    IdentitySettings,
    IngestSettings,
    ScheduleSettings,
    Settings,
    load_settings,
    parse_assignments,
    read_section,
    settings_digest,
    typed_value,
)
from parcours.settings.sections import (
    CatalogueAction,
    ImpactSettings,
    JourneySettings,
    MiningSettings,
    PrivacySettings,
    ReportSettings,
    TriggerSettings,
    ValueSettings,
)

__all__ = [
    "CatalogueAction",
    "ColumnMapping",
    "ConfigError",
    "DemoSettings",
    "EpisodeSettings",
    "IdentitySettings",
    "ImpactSettings",
    "IngestSettings",
    "JourneySettings",
    "MiningSettings",
    "PrivacySettings",
    "ReportSettings",
    "ScheduleSettings",
    "Settings",
    "TriggerSettings",
    "ValueSettings",
    "load_settings",
    "parse_assignments",
    "read_section",
    "settings_digest",
    "typed_value",
]
