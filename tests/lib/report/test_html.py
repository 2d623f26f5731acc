import re
from datetime import UTC, datetime

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from parcours.config import load_settings
from parcours.paths import conf_dir
from parcours.report import ReportInputs, rank_journeys, render_report


@pytest.fixture
def paths() -> pd.DataFrame:
    return pd.DataFrame({"journey_id": [0, 0, 1, 2, 3, 4], "variant": ["add_to_cart@web → order@web", "order@web",
                         "delivery_issue@web → complaint@phone", "click@social", "order@store", "search@web"],
                         "count": [800, 400, 400, 900, 300, 20], "instances": [1200, 1200, 400, 900, 300, 20]})


def _render(ranking, paths, rules, impact, **overrides) -> str:
    settings = load_settings(conf_dir(), {f"report.{k}": v for k, v in overrides.items()})
    return render_report(ReportInputs(ranking, paths, rules, impact, {"events": 1234, "customers": 99}), settings,
                         generated_at=datetime(2026, 11, 23, tzinfo=UTC))


@pytest.fixture
def html(ranking, paths, rules, impact) -> str:
    return _render(ranking, paths, rules, impact)


def test_the_report_needs_nothing_from_the_network(html) -> None:
    assert html.count(get_plotlyjs()) == 1  # inline, once
    page = html.replace(get_plotlyjs(), "")  # (plotly.js's own logo link is never loaded)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page) and "<link" not in page


def test_every_journey_has_a_card_in_rank_order(html) -> None:
    assert re.findall(r'<section class="card[^"]*" id="journey-(\d+)"', html) == ["0", "1", "2", "3", "4"]


def test_the_overview_and_each_step_flow_are_plotted(html) -> None:
    assert html.replace(get_plotlyjs(), "").count("Plotly.newPlot(") == 2 + 5


def test_a_failed_estimate_is_listed_apart(html) -> None:
    apart = html[html.index('id="not-yet-trustworthy"'):html.index("The journeys, one by one")]
    assert "store → return" in apart and "web cart → web order" not in apart


def test_the_effect_is_said_in_plain_words(html) -> None:
    assert "Customers who go through this journey bring €80 more net revenue (returns deducted)" in html


def test_candidate_rules_show_their_backtest_and_why_not_published(html) -> None:
    card = html[html.index('id="journey-0"'):html.index('id="journey-1"')]
    assert "Nudge to order" in card and "no: overlaps j0-r1" in card and "0.98" in card


def test_names_are_escaped(ranking, paths, rules, impact) -> None:
    hostile = ranking.assign(name=ranking.name.where(ranking.journey_id != 0, "<script>alert(1)</script>"))
    html = _render(hostile, paths, rules, impact)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cards_beyond_the_setting_are_left_to_the_csv(ranking, paths, rules, impact) -> None:
    html = _render(ranking, paths, rules, impact, cards=2, currency="$")
    assert html.count('<section class="card') == 2 and "3 more journeys are in journey_ranking.csv." in html
    assert "$72k" in html


def test_an_empty_ranking_still_renders(journeys, impact, paths, rules) -> None:
    empty = rank_journeys(journeys.iloc[:0], impact.iloc[:0])
    html = _render(empty, paths.iloc[:0], rules.iloc[:0], impact.iloc[:0])
    assert "No journey has an estimate that passed its checks yet." in html


def test_the_report_opens_on_the_journey_families(journeys, impact, timing, rules, paths) -> None:
    """Families come first, largest first, each with its journeys as links; their shares add up."""
    families = journeys.assign(conversion_share=0.5, family_id=[0, 1, 0, 1, 0],
                               family=["buying", "after sales", "buying", "after sales", "buying"])
    ranking = rank_journeys(families, impact, timing, rules)
    discovery = {"coverage": 0.93, "noise_distance": 0.75, "representativeness": 0.31,
                 "representativeness_kmedoids": 0.31}
    settings = load_settings(conf_dir(), {})
    html = render_report(ReportInputs(ranking, paths, rules, impact, {"events": 1, "customers": 1,
                                                                      "discovery": discovery}), settings)
    section = html[html.index('id="families"'):html.index('id="ranking"')]
    assert "5 journeys in 2 families" in section and "They hold 93% of the paths" in section
    assert section.index("buying") < section.index("after sales")
    assert ">71%<" in section and ">23%<" in section  # 0.4 + 0.3 + 0.007 and 0.13 + 0.1
    assert section.count('href="#journey-') == 5


def test_a_ranking_without_families_has_no_family_section(html) -> None:
    assert 'id="families"' not in html
