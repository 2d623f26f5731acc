"""Reading a report's money back from its HTML, to recompute every figure from the numbers shown beside it.

Each amount the report shows carries its exact value in a ``data-money`` attribute and each count of
customers in ``data-customers``; the visible text is that value formatted (:meth:`ReportLocale.money`). So
the figures can be checked where the marketer reads them: each value at stake is the customers × the
effect beside it, each tile the sum of the table's rows, and each card says the same count and amount
as its row. The report reads the ranking back from ``journey_ranking.csv``, whose decimals are rounded
to six significant digits (:mod:`parcours.spreadsheet`): products agree to that precision.
"""

from __future__ import annotations

import math
import re
from html import unescape

from parcours.report.locale import ReportLocale

ROW = re.compile(r'<tr class="(gain|loss|unclear)" data-journey="(\d+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td([^>]*)>(.*?)</td>", re.S)
ATTRIBUTE = re.compile(r'data-(field|money|customers)="([^"]*)"')
KPI = re.compile(r'<b class="(pos|neg)" data-money="([^"]*)">(.*?)</b>')
CARD = re.compile(r'id="journey-(\d+)">.*?<span class="meta" data-customers="(\d+)">.*?'
                  r'<p class="sentence" data-customers="(\d+)" data-money="([^"]*)">(.*?)</p>', re.S)
RELATIVE = 1e-5


def ranked_rows(html: str) -> list[dict]:
    """Each row of the ranked table: ``kind`` (gain, loss, unclear), ``journey``, and per field (``customers``,
    ``effect``, ``interval``, ``value_at_stake``) the exact value (``None`` when the cell carries none) and the
    text shown."""
    rows = []
    for kind, journey, cells in ROW.findall(html):
        row: dict = {"kind": kind, "journey": int(journey)}
        for attributes, text in CELL.findall(cells):
            data = dict(ATTRIBUTE.findall(attributes))
            value = data.get("money") or data.get("customers")
            if "field" in data:
                row[data["field"]] = (float(value) if value else None, unescape(re.sub(r"<[^>]+>", "", text)).strip())
        rows.append(row)
    return rows


def kpis(html: str) -> dict[str, tuple[float, str]]:
    """The first screen's two money tiles: ``pos`` (proven gains) and ``neg`` (proven losses), value and text."""
    return {kind: (float(value), unescape(text)) for kind, value, text in KPI.findall(html)}


def card_sentences(html: str) -> list[tuple[int, int, int, float, str]]:
    """Per card stating a value at stake: journey, customers in its header and in its sentence, the amount, and
    the sentence as shown."""
    return [(int(j), int(head), int(said), float(amount), unescape(text))
            for j, head, said, amount, text in CARD.findall(html)]


def money_problems(html: str, locale: ReportLocale | None = None) -> list[str]:
    """Every money figure of a report that its neighbours do not make; empty when they all add up.

    Parameters
    ----------
    html
        ``report.html`` (:func:`parcours.report.render_report`).
    locale
        The language and currency its amounts are written in (English, euros by default).

    Returns
    -------
    list of str
        One line per figure that does not add up, naming the journey or the tile.
    """
    locale = locale or ReportLocale()
    problems, stakes = [], {}
    for row in ranked_rows(html):
        customers, effect = row["customers"][0], row["effect"][0]
        journey = f"journey {row['journey']}"
        if customers is None or effect is None:
            problems.append(f"{journey}: its row shows no customers or no effect")
            continue
        if row["effect"][1] != locale.money(effect, signed=True):
            problems.append(f"{journey}: effect {row['effect'][1]} is not {effect}")
        stake, text = row["value_at_stake"]
        if row["kind"] == "unclear":
            if text != "–":
                problems.append(f"{journey}: an effect that could be zero shows a value at stake ({text})")
            continue
        stakes[row["journey"]] = (customers, effect, stake)
        if stake is None or not _close(stake, customers * effect):
            problems.append(f"{journey}: value at stake {stake} is not {customers:,.0f} customers × {effect}")
        elif text != locale.money(stake, signed=True):
            problems.append(f"{journey}: value at stake reads {text}, not {locale.money(stake, signed=True)}")
    problems += _tile_problems(kpis(html), stakes, locale) + _card_problems(card_sentences(html), stakes, locale)
    return problems


def _tile_problems(tiles: dict, stakes: dict, locale: ReportLocale) -> list[str]:
    sums = {"pos": sum(s for _, e, s in stakes.values() if e >= 0),
            "neg": sum(s for _, e, s in stakes.values() if e < 0)}
    problems = []
    for kind, total in sums.items():
        value, text = tiles.get(kind, (math.nan, ""))
        if not _close(value, total) or text != locale.money(value):
            problems.append(f"the {'gains' if kind == 'pos' else 'losses'} tile reads {text} ({value}), "
                            f"not the sum of its rows {locale.money(total)} ({total})")
    return problems


def _card_problems(sentences: list, stakes: dict, locale: ReportLocale) -> list[str]:
    problems = []
    for journey, head, said, amount, text in sentences:
        if head != said:
            problems.append(f"journey {journey}: {head:,} customers in its card's header, {said:,} in its sentence")
        if journey not in stakes:
            problems.append(f"journey {journey}: its card states a value at stake its row does not")
            continue
        customers, _, stake = stakes[journey]
        if said != customers or not _close(amount, stake):
            problems.append(f"journey {journey}: its card says {said:,} customers and {amount}, its row "
                            f"{customers:,.0f} and {stake}")
        shown = (locale.number(said), locale.money(amount, signed=True))
        if not all(part in text for part in shown):
            problems.append(f"journey {journey}: its sentence does not read {shown[0]} customers and {shown[1]}")
    return problems


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RELATIVE, abs_tol=1e-6)
