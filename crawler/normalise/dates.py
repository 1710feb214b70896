"""
Dates and times as job sources write them, read into aware UTC datetimes and calendar days.

Sources give the same fact in very different forms: ISO 8601 with or without an offset (Greenhouse,
Ashby, SmartRecruiters), epoch milliseconds (Lever) or seconds (Eightfold), day-first or
month-first numeric dates (Reed, NHS Jobs), month names ("End Date: November 9, 2026") and relative
phrases that only mean something against the crawl time ("Posted 3 Days Ago", "il y a 2 jours",
"30+ days ago").

The readers are tried from cheapest to dearest, because the normaliser has a budget of a few
microseconds per field: ISO via `datetime.fromisoformat`, epoch numbers, a small regular grammar
for relative phrases in English, French, German and Spanish, numeric day/month/year dates, and
only then dateparser (about a millisecond a call). dateparser sits behind an `lru_cache` keyed on
the text, the languages and the day order; since a cached answer must not depend on `now`, each
text is read against two fixed bases: the same result from both is an absolute date, the same
offset from both is a relative one (cached as the offset), and anything else (a date without a
year, say) is re-read against the real `now`, in a cache of its own keyed on `now` too (one crawl
has one `now`).

Conventions, which a caller needs to know:

- `parse_datetime` always returns an aware UTC datetime; naive input is taken as UTC.
- `parse_date` returns the calendar day as the source wrote it ("2026-09-24T22:00:00-04:00" is
  the 24th), because a posting day is a day in the source's own time zone; epoch numbers have no
  written day and are read in UTC. Relative phrases are resolved against `now` in UTC.
- "30+ days ago" (and "more than 30 days ago") is a bound, not a day: `parse_date` returns None
  and `parse_posted` returns `PostedDate(day=None, before=<now - 30 days>)`. A date that only names
  a month or a year is treated the same way by `parse_posted` (on or before the period's last day).
- An ambiguous numeric date such as "03/04/2025" is read month first only when `day_first` is
  False, or when it is None and the first language is "en" or "en-US"; otherwise (including when
  no language is known) it is read day first, as most of the world writes it. A dotted date
  ("03.04.2025") is day first unless `day_first` says otherwise.
- Without `languages`, dateparser is limited to English, French, German and Spanish: letting it
  detect the language costs about 20 ms a call and guesses wrongly on short strings.
- Numbers below 10**8 are not epoch times (10**8 seconds is March 1973); dates outside the years
  1970-2199 are treated as data errors.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Final

from dateparser.data.languages_info import language_order
from dateparser.date import DateDataParser


@dataclass(frozen=True, slots=True)
class PostedDate:
    """When a posting appeared: a precise day, or only a bound on it."""

    day: date | None
    """The day the posting was published, when the source says it precisely."""
    before: date | None
    """Set instead of `day` when the source only gives a bound: posted on or before this day."""


@dataclass(frozen=True, slots=True)
class _Moment:
    """An absolute reading: independent of `now`, so it can be cached."""

    at: datetime
    """The instant, aware UTC."""
    day: date
    """The calendar day as the source wrote it (before conversion to UTC)."""
    precise: bool = True
    """False when the source named only a month or a year; `day` is then its first day."""
    last_day: date | None = None
    """The last day of the named month or year when `precise` is False."""


@dataclass(frozen=True, slots=True)
class _Ago:
    """A reading relative to `now`: cached as the offset, resolved per call."""

    delta: timedelta = timedelta()
    months: int = 0
    """Calendar months to go back before subtracting `delta` (months have no fixed length)."""
    bound: bool = False
    """True for "30+ days ago": the posting is at least this old, not exactly."""

    def resolve(self, now: datetime) -> datetime | None:
        """`now` moved back by the offset; None when that leaves the plausible years."""
        try:
            moment = _minus_months(now, self.months) - self.delta
        except OverflowError:
            return None
        return moment if _MIN_YEAR <= moment.year <= _MAX_YEAR else None


class _NowDependent:
    """A reading that changes with `now` in a way an offset cannot express ("Nov 9")."""


class _Unrecognised:
    """A reader's answer for text that is not in its format, so the next reader should try."""


_NOW_DEPENDENT: Final = _NowDependent()
_UNRECOGNISED: Final = _Unrecognised()

_MIN_YEAR: Final = 1970
_MAX_YEAR: Final = 2199
_MIN_EPOCH: Final = 10**8
_MAX_TEXT: Final = 120
"""Longer strings are prose, not dates; dateparser would only waste time on them."""
_DEFAULT_LANGUAGES: Final = ("en", "fr", "de", "es")
_MONTH_FIRST_LANGUAGES: Final = frozenset({"en", "en-us"})
_KNOWN_LANGUAGES: Final = frozenset(language_order)
_FUTURE_TOLERANCE: Final = timedelta(days=1)
_PLACEHOLDERS: Final = frozenset({"", "n/a", "na", "none", "null", "-", "--", "tbd", "unknown"})

_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")
_UTC_SUFFIX = re.compile(r"\s*(?:utc|gmt)$", re.IGNORECASE)
_NUMBER_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_COMPACT_DATE = re.compile(r"(?:19|2[01])\d{6}")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})")
_YEAR_FIRST_DATE = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
_POSTED_PREFIX = re.compile(
    r"^(?:date\s+posted|(?:re)?posted|active|updated|published|publi[ée]e?|mise?\s+en\s+ligne|"
    r"mise?\s+à\s+jour|veröffentlicht|aktualisiert|publicad[oa]|actualizad[oa])"
    r"(?:\s*(?:on|le|am|el)\b)?[\s:]*"
)
_LABEL_PREFIX = re.compile(r"^[^\W\d_][^\d:]{0,40}:\s*")
_SPACES = re.compile(r"\s+")

_UNIT_NAMES: Final = (
    ("s sec secs second seconds seconde secondes sekunde sekunden segundo segundos", "seconds"),
    ("m min mins minute minutes minuten minuto minutos", "minutes"),
    ("h hr hrs hour hours heure heures stunde stunden hora horas", "hours"),
    ("d day days jour jours tag tage tagen día días dia dias", "days"),
    ("w wk wks week weeks semaine semaines woche wochen semana semanas", "weeks"),
    ("mo mos month months mois monat monate monaten mes meses", "months"),
    ("y yr yrs year years an ans année années jahr jahre jahren año años ano anos", "years"),
)


def _unit_table() -> dict[str, tuple[timedelta, int]]:
    """Each unit word in the four languages, as (fixed step, calendar months)."""
    table: dict[str, tuple[timedelta, int]] = {}
    for names, unit in _UNIT_NAMES:
        if unit == "months":
            step = (timedelta(), 1)
        elif unit == "years":
            step = (timedelta(), 12)
        else:
            step = (timedelta(**{unit: 1}), 0)
        table.update(dict.fromkeys(names.split(), step))
    return table


_UNITS: Final = _unit_table()
_ONE_WORDS: Final = frozenset(
    {"a", "an", "one", "un", "une", "ein", "eine", "einem", "einer", "una", "uno"}
)
_MORE_THAN = r"(?:(?P<more>over|more than|plus de|mehr als|über|más de|mas de)\s)?"
_COUNT = r"(?P<n>\d{1,4}|an?|one|une?|eine[mr]?|ein|una?|uno)(?P<plus>\+)?\s?(?P<unit>[^\W\d_]+)"
_AGO_SUFFIX = re.compile(_MORE_THAN + _COUNT + r"\sago")
_AGO_PREFIX = re.compile(r"(?:il y a|vor|hace)\s" + _MORE_THAN + _COUNT)
_DAYS_BACK_WORDS: Final[dict[str, int]] = {
    "today": 0,
    "just now": 0,
    "just posted": 0,
    "aujourd'hui": 0,
    "à l'instant": 0,
    "a l'instant": 0,
    "heute": 0,
    "gerade eben": 0,
    "soeben": 0,
    "hoy": 0,
    "ahora": 0,
    "ahora mismo": 0,
    "yesterday": 1,
    "hier": 1,
    "gestern": 1,
    "ayer": 1,
    "avant-hier": 2,
    "vorgestern": 2,
    "anteayer": 2,
}


def parse_datetime(
    value: str | int | float | None,
    *,
    now: datetime,
    languages: Sequence[str] | None = None,
    day_first: bool | None = None,
) -> datetime | None:
    """
    The instant `value` names, as aware UTC; None for non-dates and for bounds ("30+ days ago").

    Relative phrases resolve to `now` minus the offset, so "Today" is `now` itself.
    """
    now = _as_utc(now)
    reading = _read(value, now, languages, day_first)
    if isinstance(reading, _Moment):
        return reading.at if reading.precise else None
    if isinstance(reading, _Ago) and not reading.bound:
        return reading.resolve(now)
    return None


def parse_date(
    value: str | int | float | None,
    *,
    now: datetime,
    languages: Sequence[str] | None = None,
    day_first: bool | None = None,
) -> date | None:
    """
    The calendar day `value` names; None for non-dates, bounds and month- or year-only dates.

    Neutral about the future: a deadline is expected to lie ahead.
    """
    now = _as_utc(now)
    reading = _read(value, now, languages, day_first)
    if isinstance(reading, _Moment):
        return reading.day if reading.precise else None
    if isinstance(reading, _Ago) and not reading.bound:
        resolved = reading.resolve(now)
        return None if resolved is None else resolved.date()
    return None


def parse_posted(
    value: str | int | float | None,
    *,
    now: datetime,
    languages: Sequence[str] | None = None,
    day_first: bool | None = None,
) -> PostedDate:
    """
    When a posting appeared, as a precise day or a bound.

    A posting date more than a day after `now` is a source error (or a misread day order), so it
    is dropped rather than stored as fact.
    """
    now = _as_utc(now)
    latest_plausible = (now + _FUTURE_TOLERANCE).date()
    reading = _read(value, now, languages, day_first)
    if isinstance(reading, _Ago):
        resolved = reading.resolve(now)
        if resolved is None or resolved.date() > latest_plausible:  # "+ 12 days": no past
            return PostedDate(None, None)
        day = resolved.date()
        return PostedDate(None, day) if reading.bound else PostedDate(day, None)
    if isinstance(reading, _Moment):
        if reading.precise:
            return PostedDate(reading.day if reading.day <= latest_plausible else None, None)
        if reading.day <= latest_plausible:
            return PostedDate(None, reading.last_day)
    return PostedDate(None, None)


def _read(
    value: str | float | None,
    now: datetime,
    languages: Sequence[str] | None,
    day_first: bool | None,
) -> _Moment | _Ago | None:
    """Try the readers from cheapest to dearest; the first that recognises `value` decides."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = _SPACES.sub(" ", value).strip()
    if len(text) > _MAX_TEXT or text.casefold() in _PLACEHOLDERS:
        return None
    if _ISO_START.match(text):
        iso = _from_iso(text)
        if not isinstance(iso, _Unrecognised):
            return iso
    if _NUMBER_TEXT.fullmatch(text):
        return _from_digits(text)
    phrase = _normalised_phrase(text)
    relative = _relative_phrase(phrase)
    if relative is not None:
        return relative
    langs = _dateparser_languages(languages)
    prefer_day_first = _prefers_day_first(languages, day_first)
    numeric = _numeric_date(phrase, prefer_day_first, day_first)
    if not isinstance(numeric, _Unrecognised):
        return numeric
    if not any(ch.isalnum() for ch in phrase):
        return None
    reading = _dateparser_cached(_LABEL_PREFIX.sub("", phrase), langs, prefer_day_first)
    if isinstance(reading, _NowDependent):
        return _dateparser_against(_LABEL_PREFIX.sub("", phrase), langs, prefer_day_first, now)
    return reading


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _moment(at: datetime) -> _Moment | None:
    """An absolute reading of `at` (naive means UTC), or None outside the plausible years."""
    if not _MIN_YEAR <= at.year <= _MAX_YEAR:
        return None
    written_day = at.date()
    return _Moment(_as_utc(at), written_day)


def _from_iso(text: str) -> _Moment | _Unrecognised | None:
    """
    ISO 8601 text, tolerating a trailing " UTC" (Recruitee writes "2026-09-18 12:55:59 UTC").

    Text that starts like ISO but is not ("2026-09-23 to 2026-10-01") is `_UNRECOGNISED`, for the
    slower readers; valid ISO outside the plausible years is simply None.
    """
    cleaned = _UTC_SUFFIX.sub("+00:00", text)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        return _UNRECOGNISED
    return _moment(parsed)


def _from_digits(text: str) -> _Moment | None:
    """A digits-only string: a compact YYYYMMDD date or an epoch number."""
    if _COMPACT_DATE.fullmatch(text):
        return _calendar_day(int(text[:4]), int(text[4:6]), int(text[6:]))
    return _from_epoch(float(text))


def _from_epoch(number: float) -> _Moment | None:
    """
    Epoch seconds, milliseconds or microseconds, told apart by magnitude.

    A seconds value of 10**11 would be the year 5138, so anything that large is milliseconds;
    likewise for microseconds. Small numbers are not taken as dates at all.
    """
    if not math.isfinite(number) or number < _MIN_EPOCH:
        return None
    for divisor in (1.0, 1e3, 1e6, 1e9):
        seconds = number / divisor
        if seconds < 1e11:
            break
    try:
        return _moment(datetime.fromtimestamp(seconds, UTC))
    except (OverflowError, OSError, ValueError):
        return None


def _calendar_day(year: int, month: int, day: int) -> _Moment | None:
    try:
        return _moment(datetime(year, month, day, tzinfo=UTC))
    except ValueError:
        return None


def _normalised_phrase(text: str) -> str:
    """
    Lower case, one kind of apostrophe, and without a leading "Posted"/"Publiée" label.

    The label is removed even when glued on ("Postedil y a 15 jours" from Indeed FR), because
    dateparser gives up on "Posted 3 days ago" as a whole.
    """
    phrase = text.casefold().replace("’", "'").replace("`", "'").rstrip(" .!")
    for _ in range(2):  # "PostedPubliée à l'instant" carries two labels
        stripped = _POSTED_PREFIX.sub("", phrase)
        if not stripped or stripped == phrase:
            break
        phrase = stripped
    return phrase


def _relative_phrase(phrase: str) -> _Ago | None:
    """Relative phrases: "3 days ago", "il y a 30+ jours", "vor 3 Tagen", "hace 2 días", "Today"."""
    days_back = _DAYS_BACK_WORDS.get(phrase)
    if days_back is not None:
        return _Ago(delta=timedelta(days=days_back))
    match = _AGO_SUFFIX.fullmatch(phrase) or _AGO_PREFIX.fullmatch(phrase)
    if match is None:
        return None
    unit = _UNITS.get(match["unit"])
    if unit is None:
        return None
    count_text = match["n"]
    count = 1 if count_text in _ONE_WORDS else int(count_text)
    step, months = unit
    bound = bool(match["plus"] or match["more"])
    return _Ago(delta=step * count, months=months * count, bound=bound)


def _dateparser_languages(languages: Sequence[str] | None) -> tuple[str, ...]:
    """Language tags as dateparser knows them ("de-DE" becomes "de"), in the caller's order."""
    if not languages:
        return _DEFAULT_LANGUAGES
    known: list[str] = []
    for tag in languages:
        cleaned = tag.strip().replace("_", "-")
        for candidate in (cleaned, cleaned.split("-")[0].lower()):
            if candidate in _KNOWN_LANGUAGES:
                if candidate not in known:
                    known.append(candidate)
                break
    return tuple(known) or _DEFAULT_LANGUAGES


def _prefers_day_first(languages: Sequence[str] | None, day_first: bool | None) -> bool:
    if day_first is not None:
        return day_first
    if not languages:
        return True
    return languages[0].strip().replace("_", "-").lower() not in _MONTH_FIRST_LANGUAGES


def _numeric_date(
    phrase: str, prefer_day_first: bool, day_first: bool | None
) -> _Moment | _Unrecognised | None:
    """Numeric dates ("03/04/2025", "04.11.2020", "2025/03/04"); values > 12 settle the order."""
    match = _YEAR_FIRST_DATE.fullmatch(phrase)
    if match is not None:
        return _calendar_day(int(match[1]), int(match[3]), int(match[4]))
    match = _NUMERIC_DATE.fullmatch(phrase)
    if match is None:
        return _UNRECOGNISED
    first, separator, second, year_text = int(match[1]), match[2], int(match[3]), match[4]
    year = int(year_text) if len(year_text) == 4 else _expand_two_digit_year(int(year_text))
    if first > 12 or (second <= 12 and _day_first_for(separator, prefer_day_first, day_first)):
        return _calendar_day(year, second, first)
    return _calendar_day(year, first, second)


def _day_first_for(separator: str, prefer_day_first: bool, day_first: bool | None) -> bool:
    """Dotted dates are a day-first convention (de, fr, ru...) unless the caller said otherwise."""
    if separator == "." and day_first is None:
        return True
    return prefer_day_first


def _expand_two_digit_year(year: int) -> int:
    return 2000 + year if year < 70 else 1900 + year


_BASE_A: Final = datetime(2001, 3, 15, 10, 0)
_BASE_B: Final = datetime(2013, 9, 20, 17, 30)


@lru_cache(maxsize=8192)
def _dateparser_cached(
    phrase: str, langs: tuple[str, ...], prefer_day_first: bool
) -> _Moment | _Ago | _NowDependent | None:
    """
    The dateparser reading of `phrase`, in a form that does not depend on `now`.

    Reading against two distant bases tells absolute dates (same result), fixed offsets (same
    distance from the base) and everything else apart, so only the first two are worth caching.
    """
    first = _dateparser_raw(phrase, langs, prefer_day_first, _BASE_A)
    if first is None:
        return None
    second = _dateparser_raw(phrase, langs, prefer_day_first, _BASE_B)
    if second is None:
        return _NOW_DEPENDENT
    (at_a, precision_a), (at_b, _) = first, second
    if at_a == at_b:
        return _reading_with_precision(at_a, precision_a)
    offset = _BASE_A.replace(tzinfo=UTC) - _as_utc(at_a)
    if offset == _BASE_B.replace(tzinfo=UTC) - _as_utc(at_b) and precision_a not in (
        "month",
        "year",
    ):
        return _Ago(delta=offset)
    return _NOW_DEPENDENT


@lru_cache(maxsize=1024)
def _dateparser_against(
    phrase: str, langs: tuple[str, ...], prefer_day_first: bool, now: datetime
) -> _Moment | None:
    """The reading of a text whose date depends on `now` ("Nov 9"); cached per `now` only."""
    parsed = _dateparser_raw(phrase, langs, prefer_day_first, now.replace(tzinfo=None))
    return None if parsed is None else _reading_with_precision(*parsed)


def _reading_with_precision(at: datetime, precision: str) -> _Moment | None:
    moment = _moment(at)
    if moment is None or precision not in ("month", "year"):
        return moment
    if precision == "month":
        last = calendar.monthrange(at.year, at.month)[1]
        last_day = date(at.year, at.month, last)
    else:
        last_day = date(at.year, 12, 31)
    return _Moment(moment.at, moment.day, precise=False, last_day=last_day)


def _dateparser_raw(
    phrase: str, langs: tuple[str, ...], prefer_day_first: bool, base: datetime
) -> tuple[datetime, str] | None:
    """The dateparser date and precision ("day", "month", "year"...) of `phrase` against `base`."""
    try:
        data = _date_data_parser(langs, prefer_day_first, base).get_date_data(phrase)
    except (ValueError, OverflowError, TypeError):
        return None
    if data.date_obj is None:
        return None
    return data.date_obj, data.period or "day"


@lru_cache(maxsize=64)
def _date_data_parser(langs: tuple[str, ...], prefer_day_first: bool, base: datetime) -> Any:
    """One configured parser per combination; building one costs tens of microseconds."""
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": "UTC",
        "DATE_ORDER": "DMY" if prefer_day_first else "MDY",
    }
    return DateDataParser(languages=list(langs), settings=settings)


def _minus_months(moment: datetime, months: int) -> datetime:
    """`moment` moved back by whole calendar months, clamping the day (31 March - 1 = 28/29 Feb)."""
    if months == 0:
        return moment
    years_back, month_index = divmod(moment.month - 1 - months, 12)
    year = moment.year + years_back
    if year < 1:
        raise OverflowError("date before year 1")
    month = month_index + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
