"""Stage 2, instances: the ingested event log cut into journey instances, one customer's ordered steps up to a gap
or a goal.

Every later stage reads the instances' ``tokens`` or their per-event ``token``. The settings are the
``episodes`` section (:class:`parcours.settings.EpisodeSettings`). Names load on first use
(:func:`parcours.facade.lazy_facade`).
"""

from typing import TYPE_CHECKING

from parcours.facade import lazy_facade

if TYPE_CHECKING:
    from parcours.instances.cut import (
        TOKEN,
        EpisodeSettingsError,
        count_covered_events,
        customer_ranges,
        describe_instances,
        episode_steps,
        event_tokens,
        journey_instances,
        journey_instances_in_passes,
    )

__all__, __getattr__, __dir__ = lazy_facade(__name__)
