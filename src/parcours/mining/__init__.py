"""Stage 3, mining: directly-follows graphs, variants, process models, temporal profiles and paths.

The relational steps run on the engine; the process models (pm4py) and their pictures (graphviz) load
only when one of their names is first used (:func:`parcours.facade.lazy_facade`).
"""

from typing import TYPE_CHECKING

from parcours.facade import lazy_facade

if TYPE_CHECKING:
    from parcours.mining.discovery import (
        END,
        START,
        count_consistency,
        describe_process_map,
        describe_variants,
        directly_follows,
        filter_variants,
        variants,
    )
    from parcours.mining.figures import draw_model, draw_process_map
    from parcours.mining.models import (
        ProcessModel,
        ReplayFitness,
        describe_model,
        discover_process_model,
        fits_its_variants,
        journey_models,
        model_documents,
        replay_fitness,
    )
    from parcours.mining.paths import compare_segments, funnel, step_matrix
    from parcours.mining.temporal import journey_temporal_profile, label_instances
    from parcours.mining.timing import timing_by_journey, timing_summary

__all__, __getattr__, __dir__ = lazy_facade(__name__)
