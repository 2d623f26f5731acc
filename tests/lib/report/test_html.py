import re

from plotly.offline import get_plotlyjs

from parcours.paths import conf_dir
from parcours.report import ReportInputs, rank_journeys, render_report
from parcours.report.locale import ReportLocale
from parcours.settings import load_settings
from tests.lib.report.conftest import render_with
from tests.money_figures import assert_money_adds_up, kpis, ranked_rows


def test_the_report_needs_nothing_from_the_network(html) -> None:
    assert html.count(get_plotlyjs()) == 1  # inline, once
    page = html.replace(get_plotlyjs(), "")  # (plotly.js's own logo link is never loaded)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page) and "<link" not in page


def test_every_journey_has_a_card_in_rank_order(html) -> None:
    assert re.findall(r'<section class="card[^"]*" id="journey-(\d+)"', html) == ["0", "1", "2", "3", "4"]


def test_the_overview_and_each_step_flow_are_plotted(html) -> None:
    assert html.replace(get_plotlyjs(), "").count("Plotly.newPlot(") == 2 + 5


def test_journeys_not_measured_are_folded_into_one_table_with_their_reason(html) -> None:
    apart = html[html.index('id="not-measured"'):html.index("The journeys, one by one")]
    assert "store → return" in apart and "tiny journey" in apart and "web cart → web order" not in apart
    assert "ways the estimate could not adjust for" in apart and "at least 50 are needed" in apart


def test_the_ranked_table_holds_the_measured_journeys_in_their_state(html) -> None:
    assert [(row["journey"], row["kind"]) for row in ranked_rows(html)] == [(0, "gain"), (1, "loss"), (2, "unclear")]


def test_an_effect_that_could_be_zero_is_grey_and_has_no_value_at_stake(html) -> None:
    unclear = next(row for row in ranked_rows(html) if row["kind"] == "unclear")
    assert unclear["value_at_stake"][1] == "–" and unclear["interval"][1] == "-€10 to €16"


def test_every_money_figure_is_recomputed_from_the_numbers_beside_it(html) -> None:
    assert_money_adds_up(html)
    assert kpis(html)["pos"][1] == "€80K" and kpis(html)["neg"][1] == "-€46K"  # 1000 × 80; 380 × −120


def test_the_effect_is_said_in_plain_words(html) -> None:
    assert "Customers who go through this journey bring €80 more net revenue (returns deducted)" in html


def test_the_body_carries_no_configuration_key_nor_q_value(html) -> None:
    body = html[html.index("<main>"):html.index('id="method"')]
    assert not re.search(r"\b(impact|triggers|privacy|report)\.[a-z_]+|q-value|conf/", body)


def test_published_rules_read_as_sentences_and_left_out_ones_say_why(html) -> None:
    card = html[html.index('id="journey-0"'):html.index('id="journey-1"')]
    assert "When a customer does web add to cart, send “Nudge to order” by email 2 h later: right 500 times in 510" \
        in card
    assert "Left out: overlaps j0-r1." in card


def test_names_are_escaped(ranking, paths, rules, impact) -> None:
    hostile = ranking.assign(name=ranking.name.where(ranking.journey_id != 0, "<script>alert(1)</script>"))
    html = render_with(hostile, paths, rules, impact)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cards_beyond_the_setting_are_left_to_the_csv(ranking, paths, rules, impact) -> None:
    html = render_with(ranking, paths, rules, impact, cards=2, currency="$")
    assert html.count('<section class="card') == 2 and "3 more journeys are in journey_ranking.csv." in html
    assert "$80K" in html


def test_an_empty_ranking_still_renders(journeys, impact, paths, rules) -> None:
    empty = rank_journeys(journeys.iloc[:0], impact.iloc[:0])
    html = render_with(empty, paths.iloc[:0], rules.iloc[:0], impact.iloc[:0])
    assert "No journey&#39;s effect could be measured on this log." in html


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


def test_an_unhealthy_value_model_is_named_with_the_numbers_it_would_have_fed(ranking, paths, rules, impact) -> None:
    settings = load_settings(conf_dir(), {})
    facts = {"events": 1, "customers": 1, "value_model": {"healthy": False, "problems": "dropout at its edge"}}
    html = render_report(ReportInputs(ranking, paths, rules, impact, facts), settings)
    warning = html[html.index('id="value-model-warning"'):html.index('id="summary"')]
    assert "dropout at its edge" in warning and "effect_clv" in warning
    clv = render_report(ReportInputs(ranking, paths, rules, impact.assign(outcome="clv"), facts), settings)
    assert "treat every amount in this report as unconfirmed" in clv


def test_a_healthy_value_model_says_nothing(ranking, paths, rules, impact) -> None:
    facts = {"events": 1, "customers": 1, "value_model": {"healthy": True, "problems": "healthy"}}
    assert 'id="value-model-warning"' not in render_report(ReportInputs(ranking, paths, rules, impact, facts),
                                                           load_settings(conf_dir(), {}))


def test_the_report_is_written_in_french_when_asked(ranking, paths, rules, impact) -> None:
    settings = load_settings(conf_dir(), {"report.language": "fr"})
    html = render_report(ReportInputs(ranking, paths, rules, impact, {"events": 1234, "customers": 99}), settings)
    assert '<html lang="fr">' in html and "Parcours classés" in html and "gain prouvé" in html
    assert "Ranked journeys" not in html and "proven gain" not in html
    assert_money_adds_up(html, ReportLocale("fr"))
