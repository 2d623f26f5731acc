"""Stage 8, report: the marketer's deliverables, the journey ranking and the self-contained HTML report.

Names load on first use (:func:`parcours.facade.lazy_facade`).
"""

from typing import TYPE_CHECKING

from parcours.facade import lazy_facade

if TYPE_CHECKING:
    from parcours.report.audit import money_problems
    from parcours.report.diagrams import journey_paths
    from parcours.report.drift import journey_drift, journey_snapshot
    from parcours.report.html import ReportInputs, render_report, report_locale
    from parcours.report.ranking import (
        RANKING_COLUMNS,
        RankingInputError,
        rank_journeys,
        ranking_problems,
        run_description,
    )

__all__, __getattr__, __dir__ = lazy_facade(__name__)
