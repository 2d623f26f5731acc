"""The marketer's deliverables: the journey ranking, and the self-contained HTML report."""

from parcours.report.diagrams import journey_paths
from parcours.report.drift import journey_drift, journey_snapshot
from parcours.report.html import ReportInputs, render_report
from parcours.report.ranking import RANKING_COLUMNS, RankingInputError, rank_journeys

__all__ = ["RANKING_COLUMNS", "RankingInputError", "ReportInputs", "journey_drift", "journey_paths",
           "journey_snapshot", "rank_journeys", "render_report"]
