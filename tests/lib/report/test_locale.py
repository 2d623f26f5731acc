import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

import parcours.impact.status as status
from parcours.report.locale import LANGUAGES, ReportLocale, UnknownLanguageError, catalogue, currency_code

REPORT = Path(__file__).parents[3] / "src" / "parcours" / "report"
SOURCES = (("jinja2.ext:babel_extract", REPORT / "templates" / "report.html.j2"), ("python", REPORT / "words.py"),
           ("python", REPORT / "locale.py"), ("python", REPORT / "html.py"), ("python", REPORT / "figures.py"))
#: Messages that reach the report as data (a journey's state, its reason), not as literals in its code.
AS_DATA = (*status.STATES, status.NO_COMPARISON, status.UNLIKE_EVERYONE, status.NOT_ADJUSTED, status.PLACEBO_FAILED,
           status.CANNOT_TELL, status.TOO_FEW, "no effect was estimated for this journey")


def _messages() -> list[str]:
    found = [message for method, path in SOURCES
             for _, message, _, _ in extract_from_file(method, path, keywords={"_": None, "gettext": None})]
    return list(dict.fromkeys([*found, *AS_DATA]))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_message_of_the_report_is_translated_with_its_placeholders(language: str) -> None:
    translations = catalogue(language)
    missing = [m for m in _messages() if m not in translations]
    assert missing == []
    fields = {m: (set(re.findall(r"{(\w+)}", m)), set(re.findall(r"{(\w+)}", translations[m]))) for m in _messages()}
    assert {m: pair for m, pair in fields.items() if pair[0] != pair[1]} == {}


def test_money_numbers_and_dates_follow_the_locale() -> None:
    english, french = ReportLocale("en"), ReportLocale("fr")
    assert (english.money(-45_600), english.money(80_000, signed=True), english.money(77.38)) == \
        ("-€46K", "+€80K", "€77")
    assert french.money(-45_600).replace("\u00a0", " ") == "-46 k €" and french.money(77.38).replace("\u00a0", " ") \
        == "77 €"
    assert (english.day("2025-04-27"), french.day("2025-04-27")) == ("Apr 27, 2025", "27 avr. 2025")
    assert french.share(0.79).replace("\u00a0", " ") == "79 %" and french.number(1266).replace("\u202f", " ") == \
        "1 266"


def test_counts_are_written_without_a_currency() -> None:
    assert ReportLocale("en", currency="").money(12_345) == "12K"


def test_a_currency_symbol_becomes_its_code() -> None:
    assert (currency_code("€"), currency_code("$"), currency_code("chf"), currency_code("")) == \
        ("EUR", "USD", "CHF", "")


def test_a_language_without_a_catalogue_is_refused() -> None:
    with pytest.raises(UnknownLanguageError, match="report.language='de'"):
        ReportLocale("de")
