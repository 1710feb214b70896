"""
Pay, read from salary fields, structured ATS values and the sentences of a description.

Sources state pay as structured values (Greenhouse pay ranges, Lever `salaryRange`, Ashby
compensation, Recruitee `salary`, schema.org `baseSalary`) or as text in every local style:
"$120K–$150K", "£40,000 - £50,000 per annum", "45.000 € - 55.000 € brutto/Jahr", "CHF 120'000",
"1,20,000", "12-15 LPA". The reader here is a hand-written scanner rather than price-parser,
because price-parser reads only the first number of a text (so it loses every range), reads
"€45k" as 45, and guesses thousands separators without knowing about ranges. The scanner finds
every number with a quick digit-led pattern, looks at what is written around it (currency mark,
multiplier), joins neighbours into ranges, and then decides which amount is the pay and what
period it is for. Periods and cue words are looked up word by word in dictionaries rather than by
big case-insensitive patterns, which cost Python's `re` tens of microseconds per string.

Rules a caller needs to know:

- An amount counts as money when a currency symbol or code or a multiplier (k, M, lakh, LPA)
  marks it. In a salary field an unmarked number is accepted too (with `default_currency`), but
  `find_salary_in_text` only takes marked amounts in a sentence that talks about pay.
- The period is the one stated nearest after the amounts ("$20 - $22 per hour paid bi-weekly" is
  HOUR), else the nearest before ("The annual OTE is $90,000"). "Bi-weekly" and "semi-monthly"
  are pay frequencies, not periods, and are ignored.
- When no period is stated: `default_period` if given, else YEAR only when the currency is one of
  USD, EUR, GBP, CHF, CAD, AUD, NZD or SGD and the lowest amount is at least 20,000 (monthly pay
  that high is rare in those currencies, hourly pay impossible); otherwise None. A small amount is
  never guessed to be hourly: only the text saying so makes it HOUR.
- YEAR is never kept for amounts below 1,000 (that is an hourly or daily rate labelled wrongly);
  the period becomes None instead.
- A bare "$" is USD unless `default_currency` is another dollar (CAD, AUD...); "¥" is JPY unless
  the default is CNY; "kr" takes the default if it is a krone/krona, else stays unknown. An amount
  in lakhs or crores with no currency is INR.
- "up to X" gives only `max`, "from X" / "X+" only `min`; a single figure fills both. `min` is
  never greater than `max` (the two are swapped), and every amount is positive and finite.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Final, NamedTuple

import pycountry

from crawler.items import Salary, SalaryPeriod

_MAX_FIELD_TEXT: Final = 1000
"""Salary fields are short; longer text is read only up to here."""
_MAX_AMOUNT: Final = 1e12
_YEAR_MINIMUM: Final = 1000.0
_INFER_YEAR_FROM: Final = 20000.0
_INFER_YEAR_CURRENCIES: Final = frozenset({"USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "SGD"})
_DOLLARS: Final = frozenset(
    {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "ARS", "CLP", "COP", "BSD", "JMD"}
)
_KRONER: Final = frozenset({"SEK", "NOK", "DKK", "ISK"})
_YENS: Final = frozenset({"JPY", "CNY"})
_RUPEES: Final = frozenset({"INR", "PKR", "LKR", "NPR"})

_SYMBOLS: Final[dict[str, str | None]] = {
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "AU$": "AUD",
    "A$": "AUD",
    "NZ$": "NZD",
    "S$": "SGD",
    "HK$": "HKD",
    "NT$": "TWD",
    "MX$": "MXN",
    "R$": "BRL",
    "$": None,
    "£": "GBP",
    "€": "EUR",
    "¥": None,
    "￥": None,
    "₹": "INR",
    "Rs.": None,
    "Rs": None,
    "₩": "KRW",
    "₪": "ILS",
    "₽": "RUB",
    "₺": "TRY",
    "₱": "PHP",
    "₫": "VND",
    "฿": "THB",
    "zł": "PLN",
    "Kč": "CZK",
    "kr": None,
    "kr.": None,
}
"""Currency symbols; None means ambiguous, settled by the default currency."""
_AMBIGUOUS_FALLBACK: Final[dict[str, tuple[frozenset[str], str | None]]] = {
    "$": (_DOLLARS, "USD"),
    "¥": (_YENS, "JPY"),
    "￥": (_YENS, "JPY"),
    "Rs.": (_RUPEES, "INR"),
    "Rs": (_RUPEES, "INR"),
    "kr": (_KRONER, None),
    "kr.": (_KRONER, None),
}
_CURRENCY_NAMES: Final[dict[str, str]] = {
    "dollar": "USD",
    "dollars": "USD",
    "us dollar": "USD",
    "us dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "pounds sterling": "GBP",
    "yen": "JPY",
    "rupee": "INR",
    "rupees": "INR",
    "swiss franc": "CHF",
    "swiss francs": "CHF",
}
_CODES_THAT_ARE_WORDS: Final = frozenset(
    {"ALL", "AMD", "BOB", "CHE", "CUP", "DOP", "ERN", "GEL", "MAD", "MOP", "PEN", "SOS", "TOP"}
)
"""ISO codes that are also English words or abbreviations ("TOP 10", "ALL 50 states")."""

_MULTIPLIERS: Final[dict[str, float]] = {
    **dict.fromkeys(("k", "K"), 1e3),
    **dict.fromkeys(("M", "mn", "million", "millions", "Million", "Millionen", "Mio", "Mio."), 1e6),
    **dict.fromkeys(("L", "LPA", "lpa", "lakh", "lakhs", "Lakh", "Lakhs", "lac", "lacs"), 1e5),
    **dict.fromkeys(("crore", "crores", "Crore", "cr", "Cr"), 1e7),
}
"""Lower-case "m" is not here: after a number it is as often metres or "month" as "million"."""
_INDIAN_MULTIPLIERS: Final = frozenset(m for m, f in _MULTIPLIERS.items() if f in (1e5, 1e7))
_PER_ANNUM_MULTIPLIERS: Final = frozenset({"LPA", "lpa"})
"""Lakhs per annum: the multiplier names the period too."""


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation that tries longer spellings first ("CA$" before "$")."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMBER = re.compile(
    r"(?P<num>\d{1,2}(?:,\d{2})+,\d{3}"  # Indian grouping: 1,20,000
    r"|\d{1,3}(?P<sep>[,.'’ ])\d{3}(?:(?P=sep)\d{3})*"  # 120,000 / 45.000 / 120'000 / 50 000
    r"|\d+)"
    r"(?P<dec>[.,]\d{1,2}(?!\d))?(?!\d)"
)
"""A number. It starts with a digit so that `re` can skip ahead quickly; the currency mark before
it is looked at separately."""
_AFTER_NUMBER = re.compile(
    rf"(?: ?(?P<mult>{_alternation(_MULTIPLIERS)})(?![A-Za-z]))?"
    rf"(?: ?(?P<post>{_alternation(_SYMBOLS)}|[A-Z]{{3}})(?![A-Za-z]))?"
)
_SYMBOLS_BY_LAST_CHAR: Final[dict[str, tuple[str, ...]]] = {
    last: tuple(sorted((s for s in _SYMBOLS if s[-1] == last), key=len, reverse=True))
    for last in {s[-1] for s in _SYMBOLS}
}
_NUMBER_CONTINUES: Final = frozenset("0123456789.,'’")
_NOT_PAY = re.compile(r"401 ?\(?[kK]\b")
_PERCENT = re.compile(r" ?%")
"""The US retirement plan, which the scanner would otherwise read as 401,000."""
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|−|~|to|till|until|bis|à|a|au|et|and|und|y)\s*")
"""What may stand between the two ends of a range (matched on lower-cased text)."""
_UP_TO: Final = ("up to", "upto", "max", "max.", "maximum", "bis zu", "jusqu'à", "hasta")
_FROM: Final = (
    *("from", "starting at", "starting from", "starts at", "min", "min.", "minimum", "at least"),
    *("ab", "à partir de", "a partir de", "desde", "dès"),
)
"""Words before a single figure that make it only a cap ("up to $90,000") or a floor ("from €45k")."""
_DIGIT = re.compile(r"\d")
_TAG = re.compile(r"<[^<>]{0,500}>")
_SPACES = re.compile(r"\s+")

_PERIOD_SINGLE_WORDS: Final[dict[str, SalaryPeriod]] = {
    **dict.fromkeys(("hourly", "stundenlohn", "stündlich", "horaire", "l'heure"), "HOUR"),
    **dict.fromkeys(("daily", "tagessatz", "journalier", "tjm"), "DAY"),
    **dict.fromkeys(("weekly", "wöchentlich", "hebdomadaire", "semanal"), "WEEK"),
    **dict.fromkeys(("monthly", "monatlich", "monatsgehalt", "mensuel", "mensuelle"), "MONTH"),
    **dict.fromkeys(("mensual", "mensuales", "mensal"), "MONTH"),
    **dict.fromkeys(("yearly", "annual", "annually", "annum", "p.a", "pa", "lpa"), "YEAR"),
    **dict.fromkeys(("jährlich", "jahresgehalt", "annuel", "annuelle", "anual", "anuales"), "YEAR"),
}
"""Words that name a period on their own ("bi-weekly" stays one word, so it is not "weekly")."""
_PERIOD_UNITS: Final[dict[str, SalaryPeriod]] = {
    **dict.fromkeys(("hour", "hr", "h", "std", "stunde", "heure", "hora"), "HOUR"),
    **dict.fromkeys(("day", "d", "tag", "jour", "j", "día", "dia"), "DAY"),
    **dict.fromkeys(("week", "wk", "woche", "semaine", "semana"), "WEEK"),
    **dict.fromkeys(
        ("month", "mo", "mth", "monat", "mois", "mes", "mån", "månad", "måned"), "MONTH"
    ),
    **dict.fromkeys(("year", "yr", "jahr", "an", "année", "año", "år"), "YEAR"),
}
"""Unit words that name a period after "per", "a", "/", "pro", "par", "por"..."""
_PERIOD_PREPOSITIONS: Final = frozenset(
    {"/", "per", "a", "an", "each", "pro", "im", "par", "por", "al", "la", "x", "pr", "i"}
)
_SINGLE_LETTER_UNITS: Final = frozenset({"h", "d", "j"})
_PERIOD_FILLERS: Final = frozenset(
    {"per", "a", "every", "1", "salary", "wage", "rate", "pro", "im", "par", "por", "al"}
)
_PERIOD_CODES: Final[dict[str, SalaryPeriod]] = {
    **dict.fromkeys(("hours", "pt1h"), "HOUR"),
    **dict.fromkeys(("days", "p1d"), "DAY"),
    **dict.fromkeys(("weeks", "w", "p1w"), "WEEK"),
    **dict.fromkeys(("months", "m", "p1m"), "MONTH"),
    **dict.fromkeys(("years", "y", "p1y"), "YEAR"),
}
"""How structured period fields spell periods beyond the words above ("1 YEAR", "P1M")."""
_WORD_SPLITTER: Final = str.maketrans(
    {"/": " / ", ",": " ", ";": " ", "(": " ", ")": " ", "*": " ", "|": " ", "•": " "}
)
_WORD_EDGES: Final = ".:!?\"'“”«»[]{}-–—"

_SYMBOL_HINT = re.compile(r"[$£€¥￥₹₩₪₽₺₱₫฿]")
_NUMBER_MARK_HINT = re.compile(r"[0-9] ?(?:[kK]|[A-Z]{3}|LPA|lakhs?|kr|zł|Kč)(?![A-Za-z])")
_CODE_NUMBER_HINT = re.compile(r"(?:[A-Z][A-Z][A-Z]|Rs|kr)\.? ?[0-9]")
"""Signs that a line may hold a marked amount. Three simple patterns cost Python's `re` less than
half of what one alternation of them does."""
_PAY_WORDS: Final = frozenset(
    {"salary", "salaries", "wage", "wages", "pay", "paying", "paid", "compensation", "earnings"}
    | {"remuneration", "earn", "ote", "on-target", "rate", "gehalt", "vergütung", "salaire"}
    | {"rémunération", "sueldo", "salario", "retribución", "lpa"}
)
_STRONG_PAY_WORDS: Final = frozenset(
    {"salary", "wage", "wages", "ote", "gehalt", "salaire", "sueldo", "salario", "lpa"}
)
_STRONG_PAY_PHRASES: Final = ("pay range", "base pay", "pay rate", "rate of pay", "hourly rate")
_NOT_SALARY_WORDS: Final = frozenset(
    {"stipend", "allowance", "budget", "bonus", "reimbursement", "reimbursed", "reimburse"}
    | {"raised", "funding", "revenue", "valuation", "referral", "relocation", "sign-on"}
    | {"signing", "equity", "insurance", "tuition", "credit", "gift", "donation", "donate"}
    | {"hra", "fsa", "hsa", "fertility", "wellness", "childcare", "commuter"}
)
"""Words of sentences about money that is not pay ("$1,000 learning budget", "signing bonus")."""
_SENTENCE_BREAK = re.compile(r"(?<=[.!?]) +(?=[A-Z¿¡\"“(])")
_LABEL_LINE_MAX: Final = 200
_HEADING_MAX: Final = 60
_BARE_PREFIX_MAX: Final = 12
"""A sentence whose amount comes within this many characters of its start ("RN: $33.00 - $38.00
an hour") is a pay line in itself, even without a word such as "salary"."""


class _Amount(NamedTuple):
    """One number in the text, with what marks it as money."""

    value: float
    start: int
    end: int
    currency_mark: str | None
    """The symbol or ISO code written next to the number, if any."""
    multiplier: str | None
    raw_number: float
    """The value before the multiplier, to decide whether "40-50k" means 40k-50k."""


class _Pay(NamedTuple):
    """A single figure or a range: the candidate readings of a text."""

    low: _Amount
    high: _Amount | None
    """The upper end of a range; None for a single figure."""

    @property
    def amounts(self) -> tuple[_Amount, ...]:
        return (self.low,) if self.high is None else (self.low, self.high)

    @property
    def marked(self) -> bool:
        return any(a.currency_mark or a.multiplier for a in self.amounts)

    @property
    def start(self) -> int:
        return self.low.start

    @property
    def end(self) -> int:
        return (self.high or self.low).end


class _Found(NamedTuple):
    """A salary read from text, with what `find_salary_in_text` needs to judge the sentence."""

    salary: Salary
    start: int
    """Where the amount starts in the cleaned text."""
    period_stated: bool


def parse_salary(
    text: str | None, *, default_currency: str | None = None, default_period: str | None = None
) -> Salary | None:
    """The pay a salary field states; None when it states none ("DOE", "Competitive")."""
    if not text:
        return None
    found = _parse(text[:_MAX_FIELD_TEXT], default_currency, default_period, marked_only=False)
    return None if found is None else found.salary


def salary_from_fields(
    *,
    min_value: float | str | None,
    max_value: float | str | None,
    currency: str | None,
    period: str | None,
    raw: str | None = None,
) -> Salary | None:
    """
    Pay from an ATS's structured values, with period and currency spelled as ISO/schema codes.

    Greenhouse sends numbers as strings ("320000.0"), Lever spells periods "per-year-salary",
    Ashby "1 YEAR", Recruitee "month", schema.org "HOUR"; all are read here. A multi-unit interval
    such as Ashby's "2 WEEK" has no single-unit equivalent, so its period is left None.
    """
    low = _field_amount(min_value)
    high = _field_amount(max_value)
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        low, high = high, low
    code = currency_code(currency)
    return Salary(
        min=low,
        max=high,
        currency=code,
        period=_settled_period(period_code(period), None, code, low, high),
        raw=raw,
    )


def find_salary_in_text(text: str | None, *, default_currency: str | None = None) -> Salary | None:
    """
    The pay stated by the first sentence of a plain-text description that talks about pay.

    Only sentences with a marked amount (currency or multiplier) are read, and only when they, or
    the label line just above them ("The reasonably estimated yearly salary for this role is:"),
    speak of salary, pay, compensation or wages, or when the sentence is just the amount and its
    period ("$23.00 - $26.00 an hour"). Sentences about money that is not pay ("$1,000 learning
    budget", "signing bonus", "up to $10,000 per year" for fertility care) are skipped unless they
    also name a salary or wage.
    """
    if not text:
        return None
    for line_start in _hinted_lines(text):
        line_end = text.find("\n", line_start)
        line = text[line_start : len(text) if line_end == -1 else line_end]
        label = _label_above(text, line_start)
        for sentence in _SENTENCE_BREAK.split(line) if ". " in line else (line,):
            if not _may_hold_pay(sentence):
                continue
            found = _pay_in_sentence(sentence, label, default_currency)
            if found is not None:
                return found
    return None


def currency_code(value: str | None) -> str | None:
    """
    An ISO 4217 code for a currency as sources spell it ("usd", "$", "€", "Euro"), or None.

    A bare "$" is read as USD here, since a structured field has no neighbouring text to say
    otherwise.
    """
    if not value:
        return None
    cleaned = value.strip()
    upper = cleaned.upper()
    if upper in _iso_codes():
        return upper
    if cleaned in _SYMBOLS:
        return _resolve_symbol(cleaned, None)
    return _CURRENCY_NAMES.get(cleaned.casefold())


def period_code(value: str | None) -> SalaryPeriod | None:
    """
    HOUR/DAY/WEEK/MONTH/YEAR for a period as sources spell it, or None.

    Reads "per-year-salary", "per-hour-wage" (Lever), "1 YEAR" (Ashby), "yearly", "annual",
    "per_hour", "monthly", "MONTH" (schema.org unitText) and ISO durations such as "P1Y".
    """
    if not value:
        return None
    words = [w for w in re.split(r"[\s\-_/]+", value.strip().casefold()) if w]
    if any(w.isdigit() and w != "1" for w in words):
        return None
    meaningful = [w for w in words if w not in _PERIOD_FILLERS]
    if len(meaningful) == 2 and meaningful[0] == "an":  # "an hour"; a lone "an" is French
        meaningful = meaningful[1:]
    if len(meaningful) != 1:
        return None
    word = meaningful[0]
    return _PERIOD_CODES.get(word) or _PERIOD_SINGLE_WORDS.get(word) or _PERIOD_UNITS.get(word)


def _parse(
    text: str,
    default_currency: str | None,
    default_period: str | None,
    *,
    marked_only: bool,
    context: str = "",
) -> _Found | None:
    """The pay in `text`; `context` is a label line read before it, for the period only."""
    clean = _plain(text)
    if _DIGIT.search(clean) is None:
        return None
    lowered = _lowered(clean)
    pay = _choose(_pay_candidates(clean, lowered), marked_only=marked_only)
    if pay is None:
        return None
    low, high = _bounds(lowered, pay)
    if low is None and high is None:
        return None
    currency = _currency_of(pay, default_currency)
    stated = _stated_period(lowered, pay, _lowered(context))
    salary = Salary(
        min=low,
        max=high,
        currency=currency,
        period=_settled_period(stated, period_code(default_period), currency, low, high),
        raw=text.strip(),
    )
    return _Found(salary, pay.start, stated is not None)


def _lowered(text: str) -> str:
    """Lower case with every character kept in place, so offsets stay valid ("İ" stays "İ")."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


def _plain(text: str) -> str:
    """Text without tags and entities, on one line ("<span>$320,000</span>&mdash;...")."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return _SPACES.sub(" ", text).strip()


def _pay_candidates(text: str, lowered: str) -> list[_Pay]:
    """Every single figure or range in `text`, in order; neighbours joined by "-", "to", "bis"..."""
    amounts = _amounts(text)
    candidates: list[_Pay] = []
    index = 0
    while index < len(amounts):
        current = amounts[index]
        following = amounts[index + 1] if index + 1 < len(amounts) else None
        if following is not None and _RANGE_JOIN.fullmatch(lowered, current.end, following.start):
            candidates.append(_range(current, following))
            index += 2
        else:
            candidates.append(_Pay(current, None))
            index += 1
    return candidates


def _amounts(text: str) -> list[_Amount]:
    found: list[_Amount] = []
    for match in _NUMBER.finditer(text):
        start = match.start()
        if (start and text[start - 1] in _NUMBER_CONTINUES) or _NOT_PAY.match(text, start):
            continue
        if _PERCENT.match(text, match.end()):
            continue  # "0.5% equity", "10% bonus": a share, not an amount of money
        amount = _amount(text, match)
        if amount is not None:
            found.append(amount)
    return found


def _amount(text: str, number_match: re.Match[str]) -> _Amount | None:
    number = _number(number_match["num"], number_match["sep"], number_match["dec"])
    after = _AFTER_NUMBER.match(text, number_match.end())
    multiplier = after["mult"] if after else None
    value = number * _MULTIPLIERS[multiplier] if multiplier else number
    if not math.isfinite(value) or value <= 0 or value > _MAX_AMOUNT:
        return None
    after_mark = _currency_mark(after["post"]) if after else None
    before_mark, start = _mark_before(text, number_match.start())
    if after is None:
        end = number_match.end()
    elif after_mark:
        end = after.end()
    else:
        end = max(number_match.end(), after.end("mult"))
    return _Amount(value, start, end, after_mark or before_mark, multiplier, number)


def _number(digits: str, separator: str | None, decimals: str | None) -> float:
    """The value of a matched number: group separators dropped, the decimal part kept."""
    whole = digits.replace(separator, "") if separator else digits.replace(",", "")
    fraction = decimals[1:] if decimals else "0"
    return float(f"{whole}.{fraction}")


def _mark_before(text: str, position: int) -> tuple[str | None, int]:
    """The currency symbol or ISO code written just before a number, and where it starts."""
    end = position - 1 if position and text[position - 1] == " " else position
    if end <= 0:
        return None, position
    for symbol in _SYMBOLS_BY_LAST_CHAR.get(text[end - 1], ()):
        begin = end - len(symbol)
        if begin < 0 or not text.startswith(symbol, begin):
            continue
        if symbol[0].isalpha() and _letter_at(text, begin - 1):
            continue  # "kr" inside a word
        if symbol == "$":  # "CAD$90,000", "CAD $90,000"
            for gap in (0, 1):
                if text[begin - gap : begin] == " " * gap:
                    code = _iso_code_before(text, begin - gap)
                    if code:
                        return code, begin - gap - 3
        return symbol, begin
    code = _iso_code_before(text, end)
    return (code, end - 3) if code else (None, position)


def _iso_code_before(text: str, end: int) -> str | None:
    """An ISO code ending at `end` ("USD 85,000"), not the tail of a longer word."""
    begin = end - 3
    if begin < 0 or _letter_at(text, begin - 1):
        return None
    letters = text[begin:end]
    return _currency_mark(letters) if letters.isalpha() and letters.isupper() else None


def _letter_at(text: str, index: int) -> bool:
    return index >= 0 and text[index].isalpha()


def _currency_mark(text: str | None) -> str | None:
    """A written symbol or a real ISO code ("OTE" next to a number is not a currency)."""
    if not text:
        return None
    if text in _SYMBOLS:
        return text
    if text in _iso_codes() and text not in _CODES_THAT_ARE_WORDS:
        return text
    return None


def _range(low: _Amount, high: _Amount) -> _Pay:
    """Two joined amounts, with a multiplier written only on the upper end ("40-50k") shared."""
    if low.multiplier is None and high.multiplier and low.raw_number < high.raw_number:
        factor = _MULTIPLIERS[high.multiplier]
        low = low._replace(value=low.raw_number * factor, multiplier=high.multiplier)
    return _Pay(low, high)


def _choose(candidates: list[_Pay], *, marked_only: bool) -> _Pay | None:
    """The first figure marked as money; in a salary field, else the first that is not a year."""
    for pay in candidates:
        if pay.marked:
            return pay
    if marked_only:
        return None
    for pay in candidates:
        if not _looks_like_year(pay):
            return pay
    return None


def _looks_like_year(pay: _Pay) -> bool:
    return pay.high is None and pay.low.value.is_integer() and 1900 <= pay.low.value <= 2100


def _bounds(lowered: str, pay: _Pay) -> tuple[float | None, float | None]:
    """(min, max) of the chosen pay, honouring "up to", "from" and a trailing "+"."""
    if pay.high is not None:
        low, high = pay.low.value, pay.high.value
        if low * 20 < high and not (pay.low.currency_mark or pay.low.multiplier):
            return high, high  # "Band 5 - £30,000": the lower number was not pay
        return (low, high) if low <= high else (high, low)
    value = pay.low.value
    before = lowered[max(0, pay.start - 24) : pay.start].rstrip(" :")
    if _ends_with_word(before, _UP_TO):
        return None, value
    if _ends_with_word(before, _FROM) or lowered.startswith("+", pay.end):
        return value, None
    return value, value


def _ends_with_word(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether `text` ends with one of `phrases` as whole words ("from", not "aufrom")."""
    for phrase in phrases:
        if text.endswith(phrase) and not _letter_at(text, len(text) - len(phrase) - 1):
            return True
    return False


def _currency_of(pay: _Pay, default_currency: str | None) -> str | None:
    """An ISO code written with the amounts wins over a symbol, which wins over the default."""
    marks = [a.currency_mark for a in pay.amounts if a.currency_mark]
    default = currency_code(default_currency)
    for mark in marks:
        if mark not in _SYMBOLS:
            return mark
    for mark in marks:
        resolved = _resolve_symbol(mark, default)
        if resolved is not None:
            return resolved
    if marks:
        return None
    if default is None and any(a.multiplier in _INDIAN_MULTIPLIERS for a in pay.amounts):
        return "INR"
    return default


def _resolve_symbol(symbol: str, default: str | None) -> str | None:
    code = _SYMBOLS[symbol]
    if code is not None:
        return code
    family, fallback = _AMBIGUOUS_FALLBACK[symbol]
    return default if default in family else fallback


def _stated_period(lowered: str, pay: _Pay, context: str) -> SalaryPeriod | None:
    """The period written nearest after the amounts, else nearest before them (or in `context`)."""
    if any(a.multiplier in _PER_ANNUM_MULTIPLIERS for a in pay.amounts):
        return "YEAR"
    after = next(_periods(_words(lowered[pay.end :])), None)
    if after is not None:
        return after
    before = list(_periods(_words(f"{context} {lowered[: pay.start]}")))
    return before[-1] if before else None


def _words(text: str) -> list[str]:
    """Lower-cased words with edge punctuation removed, and "/" as a word of its own."""
    return [w.strip(_WORD_EDGES) or w for w in text.translate(_WORD_SPLITTER).split()]


def _periods(words: list[str]) -> Iterator[SalaryPeriod]:
    """The periods these words name, in order: "hourly", "per hour", "/Jahr", "par mois"..."""
    previous = ""
    for word in words:
        single = _PERIOD_SINGLE_WORDS.get(word)
        if single is not None:
            yield single
        elif previous in _PERIOD_PREPOSITIONS and _is_unit_after(previous, word):
            yield _PERIOD_UNITS[word]
        previous = word


def _is_unit_after(preposition: str, word: str) -> bool:
    """Single-letter units ("h", "d", "j") count only after a slash ("€50/h"), not in "a d"."""
    return word in _PERIOD_UNITS and (preposition == "/" or word not in _SINGLE_LETTER_UNITS)


def _settled_period(
    stated: SalaryPeriod | None,
    fallback: SalaryPeriod | None,
    currency: str | None,
    low: float | None,
    high: float | None,
) -> SalaryPeriod | None:
    """The stated period, else the fallback, else a careful YEAR guess; never YEAR for < 1,000."""
    period = stated or fallback
    known = [v for v in (low, high) if v is not None]
    if period is None and currency in _INFER_YEAR_CURRENCIES and min(known) >= _INFER_YEAR_FROM:
        period = "YEAR"
    if period == "YEAR" and max(known) < _YEAR_MINIMUM:
        return None
    return period


def _field_amount(value: float | str | None) -> float | None:
    """A structured amount: a number, or a numeric string such as "320000.0" or "120,000"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(value.strip())
        except ValueError:
            amounts = _amounts(_plain(value))
            if not amounts:
                return None
            number = amounts[0].value
    if not math.isfinite(number) or number <= 0 or number > _MAX_AMOUNT:
        return None
    return number


def _hinted_lines(text: str) -> list[int]:
    """
    Start offsets, in text order, of the lines that may hold a marked amount.

    Pay needs a digit, and finding one character with `str.find` is far cheaper than any pattern
    over a whole description (a single regular-expression pass over 8 kB costs some 50 µs), so
    the lines are located digit by digit and only then checked with patterns.
    """
    lines: dict[int, int] = {}
    for digit in "0123456789":
        position = text.find(digit)
        while position != -1:
            line_start = text.rfind("\n", 0, position) + 1
            line_end = text.find("\n", position)
            lines[line_start] = len(text) if line_end == -1 else line_end
            position = -1 if line_end == -1 else text.find(digit, line_end)
    return [start for start in sorted(lines) if _may_hold_pay(text, start, lines[start])]


def _may_hold_pay(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether `text[start:end]` may hold a marked amount (a currency mark or a multiplier)."""
    end = len(text) if end is None else end
    return (
        _SYMBOL_HINT.search(text, start, end) is not None
        or _NUMBER_MARK_HINT.search(text, start, end) is not None
        or _CODE_NUMBER_HINT.search(text, start, end) is not None
    )


def _label_above(text: str, line_start: int) -> str:
    """
    The nearest non-empty line above, when it reads as a label for the figures below it.

    Descriptions often put the words on one line and the figures on the next ("The reasonably
    estimated yearly salary for this role at Datadog is:" / "$320,000 — $400,000 USD"). A label
    ends with a colon, or is a short heading about pay without figures of its own ("Compensation").
    """
    end = line_start - 1
    for _ in range(3):
        if end <= 0:
            return ""
        start = text.rfind("\n", 0, end) + 1
        previous = text[start:end].strip()
        if previous:
            return previous if _is_label(previous) else ""
        end = start - 1
    return ""


def _is_label(line: str) -> bool:
    if len(line) > _LABEL_LINE_MAX:
        return False
    if line.endswith(":"):
        return True
    heading = len(line) <= _HEADING_MAX and _DIGIT.search(line) is None
    return heading and not _PAY_WORDS.isdisjoint(_words(_lowered(line)))


def _pay_in_sentence(sentence: str, label: str, default_currency: str | None) -> Salary | None:
    """The pay in one sentence, if it is about pay (see `find_salary_in_text`)."""
    sentence = sentence.strip()
    cue_text = _lowered(f"{label} {sentence}" if label else sentence)
    word_list = _words(cue_text)
    words = set(word_list)
    strong = not _STRONG_PAY_WORDS.isdisjoint(words) or any(
        phrase in cue_text for phrase in _STRONG_PAY_PHRASES
    )
    if not strong and not _NOT_SALARY_WORDS.isdisjoint(words):
        return None
    talks_of_pay = strong or not _PAY_WORDS.isdisjoint(words)
    if not talks_of_pay and next(_periods(word_list), None) is None:
        return None
    found = _parse(sentence, default_currency, None, marked_only=True, context=label)
    if found is None:
        return None
    if talks_of_pay or (found.period_stated and found.start <= _BARE_PREFIX_MAX):
        return found.salary
    return None


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    """Every ISO 4217 code pycountry knows, loaded once."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)
