"""The report's language: its words from one catalogue of messages, its numbers, money and dates from Babel.

The messages are written in English in the template and in :mod:`parcours.report.words` (``_("...")``
and ``gettext("...")``, gettext's convention); ``messages/<language>.po`` holds each language's
translations (a gettext catalogue any translation tool opens), read as it is, with no compile step.
Numbers, money, percentages and dates are formatted by Babel for the language's locale (CLDR), never by
hand: "€163K" in English, "163 k €" in French.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from babel import Locale
from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
    get_plus_sign_symbol,
)

#: The languages the report is written in; English is the catalogue's source.
LANGUAGES = ("en", "fr")
#: Currency symbols a user may write in ``report.currency``, and their ISO 4217 codes.
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "CHF": "CHF"}
MISSING = "–"


class UnknownLanguageError(ValueError):
    """The report was asked for a language it has no catalogue for."""


@cache
def catalogue(language: str) -> dict[str, str]:
    """The translations of one language, ``{English message: translation}``; empty for English."""
    if language not in LANGUAGES:
        raise UnknownLanguageError(f"report.language={language!r}: the report is written in {', '.join(LANGUAGES)}")
    if language == "en":
        return {}
    path = files("parcours.report").joinpath("messages", f"{language}.po")
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language)
    return {m.id: m.string for m in messages if m.id and m.string and not m.fuzzy}


def currency_code(currency: str) -> str:
    """``€`` → ``EUR``; an ISO 4217 code is kept; empty (counts, not money) stays empty."""
    return SYMBOLS.get(currency.strip(), currency.strip().upper())


@dataclass(frozen=True)
class ReportLocale:
    """How the report writes words, numbers, money and dates.

    Parameters
    ----------
    language
        One of :data:`LANGUAGES`.
    currency
        An ISO 4217 code (``EUR``), or empty when values are counts (conversions), not money.
    """

    language: str = "en"
    currency: str = "EUR"

    def __post_init__(self) -> None:
        catalogue(self.language)  # a language without a catalogue fails here, not in the middle of a page

    def gettext(self, message: str, **values) -> str:
        """``message`` in the report's language, its ``{name}`` fields filled with ``values``."""
        text = catalogue(self.language).get(message, message)
        return text.format(**values) if values else text

    def money(self, value: float | None, signed: bool = False) -> str:
        """An amount, shortened above 10,000 (``€163K``, ``€1.2M``); counts when there is no currency.

        Examples
        --------
        >>> english, french = ReportLocale("en"), ReportLocale("fr")
        >>> english.money(-163_000), english.money(77.38), english.money(12.0, signed=True), english.money(None)
        ('-€163K', '€77', '+€12', '–')
        >>> french.money(1_234_567) == "1,2\\xa0M\\xa0€"
        True
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return MISSING
        size = abs(value)
        digits = 1 if size >= 1e6 else 0
        if self.currency:
            text = (format_compact_currency(value, self.currency, locale=self.language, fraction_digits=digits)
                    if size >= 1e4 else format_currency(round(value), self.currency, locale=self.language,
                                                        format=self._whole_currency_pattern(), currency_digits=False))
        else:
            text = (format_compact_decimal(value, locale=self.language, fraction_digits=digits) if size >= 1e4
                    else format_decimal(round(value), locale=self.language))
        return (get_plus_sign_symbol(self.language) + text) if signed and value > 0 else text

    def unit(self) -> str:
        """What amounts are counted in, for an axis: the currency's symbol (``€``), or ``conversions``."""
        if not self.currency:
            return self.gettext("conversions")
        return get_currency_symbol(self.currency, locale=self.language)

    def number(self, value: float | None) -> str:
        """A whole number with the locale's grouping: ``1,266`` / ``1 266``."""
        return MISSING if _missing(value) else format_decimal(round(value), locale=self.language)

    def share(self, value: float | None) -> str:
        """A share as a whole percentage: ``79%`` / ``79 %``."""
        return MISSING if _missing(value) else format_percent(value, locale=self.language)

    def decimal(self, value: float | None, digits: int = 2) -> str:
        """A number with ``digits`` decimals: ``0.98`` / ``0,98``."""
        if _missing(value):
            return MISSING
        return format_decimal(value, format=f"#,##0.{'0' * digits}", locale=self.language)

    def significant(self, value: float | None) -> str:
        """A small number to two significant digits (q-values): ``0.0015`` / ``0,0015``."""
        return MISSING if _missing(value) else format_decimal(float(f"{value:.2g}"), format="#,##0.##########",
                                                              locale=self.language)

    def day(self, value: str | date | None) -> str:
        """An ISO date in the locale's medium form: ``Apr 27, 2025`` / ``27 avr. 2025``."""
        if not value:
            return MISSING
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        return format_date(day, format="medium", locale=self.language)

    def days(self, value: float | None) -> str:
        """A duration in days: ``2 h`` below a day, ``3.0 days`` above, ``under 1 h`` below half an hour."""
        if _missing(value):
            return MISSING
        if value < 0.5 / 24:
            return self.gettext("under 1 h")
        if value < 1:
            return self.gettext("{hours} h", hours=format_decimal(round(value * 24), locale=self.language))
        return self.gettext("{days} days", days=format_decimal(value, format="#,##0.0", locale=self.language))

    def _whole_currency_pattern(self) -> str:
        """The locale's currency pattern without decimals: ``¤#,##0`` / ``#,##0 ¤``."""
        pattern = Locale.parse(self.language).currency_formats["standard"].pattern
        return pattern.split(";")[0].replace("0.00", "0")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
