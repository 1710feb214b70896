"""
Location texts read into structured places, and the remote / hybrid / on-site reading of a job.

Sources write places in a few shapes: "City, ST" (United States, Canada), "City, Region, Country"
(Greenhouse offices, Recruitee, Phenom), "Country, Region, City" (Workday, Microsoft on
Eightfold), "Country - Region - City" (Workday) and "CC-ST-City" (Taleo), lists joined by "|",
";", "/", "•" or " or ", and workplace words mixed in ("Remote - US", "Hybrid - London", "Office -
London"). A text is split into places, each place into tokens, and the tokens are read by what
they name (a country, a US state or Canadian province, a world area, or something else, taken as
the city) rather than by position alone, because the same position means different things in
different sources.

Decisions that shape the data, so that callers know what to expect:

- `country` is set only from what the text says: a country name, alias or ISO code; a US state,
  Canadian province, Australian or Indian state, or a nation of the United Kingdom; or, for a
  city written without a region or country, the short table `_MAJOR_CITIES` of cities whose lone
  name means one place in job postings ("London" is London, UK: a posting for London, Ontario
  writes "London, ON"). Any other city gets `country` None; nothing is guessed.
- World areas ("EMEA", "Europe", "North America", "LATAM") are not countries. They are kept in
  `region`, with no city or country, and only when the place names nothing more precise;
  "Anywhere", "Worldwide" and "Global" are no place at all. Counts ("3 Locations") are not places.
- A two-letter code that is both a US state or Canadian province and a country code ("DE", "IN",
  "CA", "NL") is read as the state after a city ("Wilmington, DE"), as the "City, ST" form is the
  North American convention, unless the city is in `_MAJOR_CITIES` for that country ("Berlin,
  DE"). Alone, or last of three tokens, it is the country. Two- and three-letter codes count only
  in capitals, so words such as "in", "or" and "me" are never countries.
- US states and Canadian provinces are written as their two-letter code in `region`, so that
  "Durham, North Carolina" and "Durham, NC" are the same place; other regions are kept as written.
- Places are de-duplicated, and a place is dropped when another one in the same answer says the
  same and more: "Paris, France" next to "Paris, Paris, France", "London" next to "London,
  England, United Kingdom". Country-only places ("Remote - US") are kept next to cities, since
  they say the job may be done anywhere in that country.
- `detect_remote`: a structured flag decides first. A job that may be done remotely is "remote"
  (so "New York, NY or Remote" is remote); otherwise "hybrid" beats "onsite". A negative flag
  (False, "false", "0") only says "not remote": the texts may still make it hybrid. "Office -
  London" is the name of an office (Greenhouse), not a statement that the job is on site.

Speed: pycountry is read once into plain dicts (its fuzzy search is never used), and each distinct
text and token is read once (`lru_cache`); a cached call costs well under a microsecond.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import pycountry

from crawler.items import Location, RemoteKind

_MAX_TEXT_CHARS: Final = 2000
"""Longer text is not a location field (a description passed by mistake): read as no place."""
_MAX_TOKEN_WORDS: Final = 8
"""A comma-separated piece with more words than this is a sentence, not a place name."""

# Names that pycountry lacks, in the folded form of `_fold` (lower case, no accents, no dots).
_COUNTRY_ALIASES_BY_COUNTRY: Final[dict[str, str]] = {
    "GB": (
        "uk|u k|great britain|britain|the uk|the united kingdom|vereinigtes konigreich|"
        "grossbritannien|royaume uni|reino unido"
    ),
    "US": (
        "usa|the us|the usa|the united states|united states of america|vereinigte staaten|"
        "estados unidos|etats unis"
    ),
    "AE": "uae|emirates",
    "RU": "russia|россия",
    "KR": "korea",
    "TR": "turkey",
    "CZ": "czech republic|cesko|ceska republika",
    "NL": "holland|the netherlands|nederland|niederlande",
    "DE": "deutschland|allemagne|alemania",
    "AT": "osterreich",
    "CH": "schweiz|suisse|svizzera",
    "ES": "espana|spanien|espagne",
    "IT": "italia|italien",
    "FR": "frankreich",
    "BE": "belgique|belgie",
    "LU": "luxemburg",
    "PL": "polska|polen",
    "SE": "sverige",
    "NO": "norge",
    "DK": "danmark",
    "FI": "suomi",
    "HU": "magyarorszag",
    "GR": "ελλαδα",
    "BR": "brasil",
    "IE": "eire|republic of ireland",
    "CI": "ivory coast",
    "MK": "macedonia",
    "CV": "cape verde",
    "SZ": "swaziland",
    "MM": "burma",
    "PS": "palestine",
    "VA": "vatican|vatican city",
    "BN": "brunei",
    "MO": "macau",
    "HK": "hong kong sar",
    "CD": "dr congo|drc|democratic republic of the congo",
    "JP": "日本",
    "CN": "中国",
}
_COUNTRY_ALIASES: Final[dict[str, str]] = {
    name: country
    for country, names in _COUNTRY_ALIASES_BY_COUNTRY.items()
    for name in names.split("|")
}
_CODE_ALIASES: Final[dict[str, str]] = {"UK": "GB", "UAE": "AE", "KSA": "SA"}

# Lone city names that mean one place in job postings (see the module docstring); folded keys.
_MAJOR_CITIES_BY_COUNTRY: Final[dict[str, str]] = {
    "US": (
        "new york|new york city|nyc|san francisco|los angeles|seattle|chicago|boston|austin|"
        "denver|atlanta|miami|dallas|houston|philadelphia|salt lake city|san diego|washington dc|"
        "mountain view|palo alto|menlo park|sunnyvale|santa clara"
    ),
    "CA": "toronto|vancouver|montreal|ottawa|calgary",
    "GB": "london|manchester|edinburgh|glasgow|belfast|leeds",
    "IE": "dublin",
    "DE": (
        "berlin|munich|munchen|hamburg|frankfurt|frankfurt am main|cologne|koln|stuttgart|"
        "dusseldorf|leipzig"
    ),
    "FR": "paris|lyon|toulouse",
    "NL": "amsterdam|rotterdam|utrecht|the hague|eindhoven",
    "BE": "brussels|bruxelles",
    "CH": "zurich|geneva|geneve|basel|lausanne",
    "AT": "vienna|wien",
    "ES": "madrid|barcelona",
    "PT": "lisbon|lisboa|porto",
    "IT": "milan|milano",
    "SE": "stockholm|gothenburg|goteborg|malmo",
    "DK": "copenhagen|kobenhavn",
    "NO": "oslo",
    "FI": "helsinki",
    "PL": "warsaw|warszawa|krakow|wroclaw",
    "CZ": "prague|praha",
    "SK": "bratislava",
    "HU": "budapest",
    "RO": "bucharest|bucuresti",
    "IL": "tel aviv|jerusalem|haifa",
    "TR": "istanbul",
    "AE": "dubai|abu dhabi",
    "IN": (
        "bengaluru|bangalore|mumbai|hyderabad|pune|chennai|new delhi|delhi|gurugram|gurgaon|noida"
    ),
    "JP": "tokyo|osaka",
    "KR": "seoul",
    "CN": "beijing|shanghai|shenzhen",
    "TW": "taipei",
    "VN": "ho chi minh|ho chi minh city|hanoi",
    "PH": "manila",
    "ID": "jakarta",
    "TH": "bangkok",
    "MY": "kuala lumpur",
    "AU": "sydney|melbourne|brisbane|perth",
    "NZ": "auckland",
    "BR": "sao paulo|rio de janeiro",
    "MX": "mexico city|ciudad de mexico|guadalajara",
    "AR": "buenos aires",
    "CO": "bogota",
    "PE": "lima",
    "GE": "tbilisi",
    "ZA": "cape town|johannesburg",
    "NG": "lagos",
    "KE": "nairobi",
    "EG": "cairo",
}
_MAJOR_CITIES: Final[dict[str, str]] = {
    city: country
    for country, cities in _MAJOR_CITIES_BY_COUNTRY.items()
    for city in cities.split("|")
}

_WORLD_AREAS: Final = frozenset(
    (  # noqa: SIM905 (a list literal would take one line per name)
        "africa|amer|americas|amers|anz|apac|apj|asia|asia pacific|asia-pacific|balkans|"
        "baltics|benelux|caribbean|cee|central america|central europe|dach|east coast|"
        "eastern europe|eea|emea|eu|europe|european union|gcc|latam|latin america|mena|"
        "middle east|midwest|nordic countries|nordics|north america|oceania|scandinavia|"
        "south america|southeast asia|uk&i|uki|west coast|western europe"
    ).split("|")
)
"""Parts of the world that are not countries (folded)."""

# Region names read without a country: first-level subdivisions of these countries.
_REGION_NAME_COUNTRIES: Final = ("US", "CA", "AU", "IN")
_CODED_REGION_COUNTRIES: Final = ("US", "CA")
"""Countries whose regions are written by code ("CA", "ON"), and stored that way."""
_GB_NATIONS: Final = ("england", "scotland", "wales", "northern ireland")
_REGION_ALIASES: Final[dict[str, tuple[str, str | None]]] = {
    "washington dc": ("US", "DC"),
    "washington d c": ("US", "DC"),
    "newfoundland": ("CA", "NL"),
    "nsw": ("AU", None),
    "qld": ("AU", None),
    "vic": ("AU", None),
    "tas": ("AU", None),
    "orissa": ("IN", None),
}

_SPACES = re.compile(r"\s+")
_MORE = re.compile(r"\+\s*\d+\s*(?:more|others?|locations?)\b", re.IGNORECASE)
_COUNT = re.compile(
    r"^\s*(?:\d+\s+(?:locations?|offices?|sites?|standorte|lieux|ubicaciones)"
    r"|(?:multiple|various|several|many|all)\s+(?:locations?|offices?|sites?)"
    r"|multiple|various)\s*$",
    re.IGNORECASE,
)
_PLACE_SEPARATORS = re.compile(r"\s*(?:[|;•·\n/]|\s\bor\b\s)\s*")
_PARENTHESES = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_PARENTHESIS_NOISE = re.compile(
    r"^(?:hq|headquarters|head office|main office|m/w/d|m/f/d|w/m/d|f/m/x|all genders)$",
    re.IGNORECASE,
)
_WORKPLACE_WORDS = re.compile(
    r"\b(?:(?:fully|full|100\s*%|100\s*percent)\s+)?remote(?:ly)?"
    r"(?:[- ](?:first|friendly|only|ok))?\b"
    r"|\bhybrid\w*|\bh[ií]brid[oa]\b|\bon[- ]?site\b|\bin[- ]office\b"
    r"|\b(?:main\s+|head\s+)?office(?:[- ]based)?\b|\bhq\b|\bheadquarters\b"
    r"|\bhome[- ]?(?:based|office)\b|\bwork(?:ing)?\s+from\s+home\b|\bwfh\b"
    r"|\btélétravail\b|\bteletrabajo\b|\bremot[oa]\b|\btelecommut\w*|\btelework\w*"
    r"|\banywhere\b|\bworldwide\b|\bglobal(?:ly)?\b|\beverywhere\b|\bflexible\b",
    re.IGNORECASE,
)
_COMMA = re.compile(r"[,:]")
_HIERARCHY_DASH = re.compile(r"\s+[-–—]+\s+")
_TALEO_FORM = re.compile(r"^([A-Z]{2,3})-([A-Z]{2,3})-(\S.*)$")
_POSTAL_CODE = re.compile(r"\b\d{4}\s?[A-Z]{2}\b|\b\d{3,}(?:-\d{3,})?\b")
_LEADING_FILLER = re.compile(
    r"^(?:(?:based|located)\s+)?(?:in|within|from|across|throughout)\s+(?:the\s+)?", re.IGNORECASE
)
_TRAILING_FILLER = re.compile(r"(?:\s+|-)(?:only|based)$", re.IGNORECASE)
_TIME_ZONE = re.compile(
    r"\b(?:utc|gmt|cet|cest|est|edt|pst|pdt|cst|mst|time\s?zones?|timezones?|hours?|overlap)\b"
    r"|\b(?:eastern|pacific|central|mountain|atlantic)\s+(?:standard\s+)?time\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^(?:unavailable|n/?a|tbd|tba|none|null|unknown|not specified|undefined|other"
    r"|(?:all|multiple|various|several) locations)$",
    re.I,
)
_TOKEN_EDGES = " \t-–—,:;/\\()[]{}*+&\"'"  # noqa: S105 (characters, not a password)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    """pycountry's countries and the needed subdivisions, as plain dicts for O(1) look-ups."""

    country_names: dict[str, str]
    """Folded country name, official name, common name or alias -> alpha-2."""
    country_codes: dict[str, str]
    """Alpha-2, alpha-3 or alias code (capitals) -> alpha-2."""
    region_codes: dict[str, str]
    """US state and Canadian province codes -> country."""
    region_names: dict[str, tuple[str, str | None]]
    """Folded region name -> (country, code to write it as, or None to keep it as written)."""


@dataclass(frozen=True, slots=True)
class _Token:
    """One comma-separated piece of a place, with what it could name."""

    text: str
    country: str | None = None
    """Alpha-2 when the token names a country."""
    region_country: str | None = None
    """The country when the token names a region that implies it (US state, province...)."""
    region_code: str | None = None
    """How to write the region: its code for US states and Canadian provinces."""
    city_country: str | None = None
    """The country of a major city of that name (`_MAJOR_CITIES`)."""
    area: bool = False
    """The token names a part of the world that is not a country."""

    @property
    def region_text(self) -> str:
        return self.region_code or self.text


def _fold(text: str) -> str:
    """The comparison key of a name: no accents, no dots, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace(".", "").replace(" & ", " and ").casefold().split())


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Built on first use, because reading pycountry's data takes some 30 ms."""
    names: dict[str, str] = {}
    codes: dict[str, str] = dict(_CODE_ALIASES)
    for country in pycountry.countries:
        codes[country.alpha_2] = country.alpha_2
        codes[country.alpha_3] = country.alpha_2
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names.setdefault(_fold(value), country.alpha_2)
    names.update(_COUNTRY_ALIASES)
    region_codes: dict[str, str] = {}
    region_names: dict[str, tuple[str, str | None]] = {}
    for subdivision in pycountry.subdivisions:
        country_code = subdivision.country_code
        if country_code not in _REGION_NAME_COUNTRIES or subdivision.parent_code:
            continue
        if subdivision.type == "Outlying area":
            continue  # Puerto Rico, Guam...: countries in ISO 3166-1
        code = subdivision.code.split("-", 1)[1]
        written = code if country_code in _CODED_REGION_COUNTRIES else None
        if written:
            region_codes[code] = country_code
        region_names[_fold(subdivision.name)] = (country_code, written)
    for nation in _GB_NATIONS:
        region_names[nation] = ("GB", None)
    region_names.update(_REGION_ALIASES)
    return _Gazetteer(names, codes, region_codes, region_names)


@lru_cache(maxsize=16384)
def _classify(text: str) -> _Token:
    """What a cleaned token may name; cached because the same few names recur endlessly."""
    gazetteer = _gazetteer()
    folded = _fold(text)
    bare = text.replace(".", "").replace(" ", "")
    if bare.isalpha() and bare.isupper() and len(bare) in (2, 3):
        country = gazetteer.country_codes.get(bare)
        region_country = gazetteer.region_codes.get(bare)
        return _Token(
            text,
            country=country,
            region_country=region_country,
            region_code=bare if region_country else None,
            city_country=_MAJOR_CITIES.get(folded),
            area=folded in _WORLD_AREAS,
        )
    region = gazetteer.region_names.get(folded)
    return _Token(
        text,
        country=gazetteer.country_names.get(folded),
        region_country=region[0] if region else None,
        region_code=region[1] if region else None,
        city_country=_MAJOR_CITIES.get(folded),
        area=folded in _WORLD_AREAS or folded.endswith(" region"),
    )


def _clean_token(token: str) -> str:
    """The place name in a token, without postal codes, connecting words or stray punctuation."""
    token = _POSTAL_CODE.sub(" ", token)
    token = token.strip(_TOKEN_EDGES)
    token = _LEADING_FILLER.sub("", token)
    token = _TRAILING_FILLER.sub("", token)
    token = _SPACES.sub(" ", token).strip(_TOKEN_EDGES)
    if not _LETTER.search(token) or _TIME_ZONE.search(token) or _PLACEHOLDER.match(token):
        return ""
    if len(token.split()) > _MAX_TOKEN_WORDS:
        return ""
    return token


def _drop_noise_parenthesis(match: re.Match[str]) -> str:
    """Drop "(HQ)" and "(m/w/d)" before splitting at "/"; keep other parentheses."""
    return " " if _PARENTHESIS_NOISE.match(match.group(1).strip()) else match.group(0)


def _split_places(text: str) -> list[str]:
    """The separately listed places of a text, parentheses turned into trailing tokens."""
    text = _PARENTHESES.sub(_drop_noise_parenthesis, text)
    places: list[str] = []
    for chunk in _PLACE_SEPARATORS.split(text):
        extras = [inner.strip() for inner in _PARENTHESES.findall(chunk) if inner.strip()]
        chunk = _PARENTHESES.sub(" ", chunk)
        chunk = ", ".join([chunk, *extras]) if extras else chunk
        chunk = _WORKPLACE_WORDS.sub(" ", chunk)
        chunk = _SPACES.sub(" ", chunk).strip(_TOKEN_EDGES)
        if not chunk:
            continue
        segments = _HIERARCHY_DASH.split(chunk)
        if len(segments) > 1 and any("," in segment for segment in segments):
            places.extend(segments)
        else:
            places.append(chunk)
    return places


def _tokens_of(place: str) -> list[_Token]:
    """The classified pieces of one place; Taleo's "US-CA-San Jose" is split at its hyphens."""
    taleo = _TALEO_FORM.match(place)
    if taleo:
        pieces = list(taleo.groups())
    else:
        pieces = [
            part for segment in _HIERARCHY_DASH.split(place) for part in _COMMA.split(segment)
        ]
    tokens: list[_Token] = []
    for piece in pieces:
        cleaned = _clean_token(piece)
        if not cleaned:
            continue
        token = _classify(cleaned)
        if not _is_known(token) and (" & " in cleaned or " and " in cleaned):
            tokens.extend(_split_conjunction(token))
        else:
            tokens.append(token)
    return tokens


def _is_known(token: _Token) -> bool:
    return bool(token.country or token.region_country or token.area)


def _split_conjunction(token: _Token) -> list[_Token]:
    """Read "US & Canada" as two places, but only when every part is a country, region or area."""
    parts = [_classify(part.strip()) for part in re.split(r"\s+(?:&|and)\s+", token.text)]
    if all(_is_known(part) for part in parts):
        return parts
    return [token]


def _is_country(token: _Token) -> bool:
    """A country and nothing else: "DE" after a city may be Delaware, "Germany" may not."""
    return token.country is not None and token.region_country is None


def _city_place(city: _Token, region: _Token | None, country: str | None) -> Location:
    """A place led by a city; its country from the text, else the region, else the city table."""
    if country is None and region is not None:
        country = region.region_country
    if country is None:
        country = city.city_country
    region_text = None
    if region is not None:
        coded = region.region_code if region.region_country == country else None
        region_text = coded or region.text
    return Location(city=city.text, region=region_text, country=country)


def _single_place(token: _Token) -> Location:
    if token.city_country and token.region_country:
        return Location(city=token.text, country=token.city_country)  # "New York", "Delhi"
    if token.country:
        return Location(country=token.country)
    if token.region_country:
        return Location(region=token.region_text, country=token.region_country)
    if token.area:
        return Location(region=token.text)
    return Location(city=token.text, country=token.city_country)


def _pair_place(first: _Token, second: _Token) -> list[Location]:
    """Two tokens: "City, Country", "City, ST", "Region, Country", "Country, City"..."""
    if _is_country(second):
        if first.country == second.country:
            return [Location(city=first.text, country=second.country)]  # "Singapore, Singapore"
        if _is_country(first):
            return [Location(country=first.country), Location(country=second.country)]
        if first.region_country == second.country and not first.city_country:
            return [Location(region=first.region_text, country=second.country)]
        return [_city_place(first, None, second.country)]
    if second.region_country:
        if _is_country(first) and second.region_country == first.country:
            return [Location(region=second.region_text, country=first.country)]  # "US, CA"
        if second.country and first.city_country == second.country:
            return [Location(city=first.text, country=second.country)]  # "Berlin, DE"
        return [_city_place(first, second, None)]
    if _is_country(first):
        return [Location(city=second.text, country=first.country)]  # "Israel, Yokneam"
    return [_city_place(first, second, None)]


def _triple_place(first: _Token, middle: _Token, last: _Token) -> list[Location] | None:
    """Three tokens read as one place, either way round, or None when they are a list."""
    if last.country:
        return [_city_place(first, middle, last.country)]
    if _is_country(first) and not last.region_country:
        return [_city_place(last, middle, first.country)]  # "Canada, Ontario, Toronto"
    return None


def _group_places(group: list[_Token]) -> list[Location]:
    if len(group) == 1:
        return [_single_place(group[0])]
    if len(group) == 2:
        return _pair_place(group[0], group[1])
    return [_city_place(group[0], group[1], group[2].country)]


def _list_places(tokens: list[_Token]) -> list[Location]:
    """Several places in one comma list ("Austin, TX, Chicago, IL"), read left to right."""
    places: list[Location] = []
    index = 0
    while index < len(tokens):
        head = tokens[index]
        group = [head]
        index += 1
        following = tokens[index] if index < len(tokens) else None
        lone_region = head.region_country is not None and (
            following is None or (not following.region_country and not _is_country(following))
        )
        if not _is_country(head) and not lone_region:
            if following is not None and following.region_country:
                group.append(following)
                index += 1
            if index < len(tokens) and _is_country(tokens[index]):
                group.append(tokens[index])
                index += 1
        places.extend(_group_places(group))
    return places


def _places_from_tokens(tokens: list[_Token]) -> list[Location]:
    precise = [token for token in tokens if not token.area]
    if not precise:
        return [Location(region=token.text) for token in tokens]
    if len(precise) > 2 and all(_is_country(token) for token in precise):
        return [Location(country=token.country) for token in precise]
    if len(precise) == 1:
        return [_single_place(precise[0])]
    if len(precise) == 2:
        return _pair_place(precise[0], precise[1])
    if len(precise) == 3:
        triple = _triple_place(*precise)
        if triple is not None:
            return triple
    return _list_places(precise)


_PlaceKey = tuple[str | None, str | None, str | None]


def _key(place: Location) -> _PlaceKey:
    """Plain tuples compare and hash far faster than pydantic models."""
    return (place.city, place.region, place.country)


def _subsumes(wider: _PlaceKey, narrower: _PlaceKey) -> bool:
    """Does `wider` say all that `narrower` says, and more? Only for places with a city."""
    wider_city, wider_region, wider_country = wider
    city, region, country = narrower
    if city is None or wider_city is None or wider == narrower:
        return False
    return (
        wider_city.casefold() == city.casefold()
        and region in (None, wider_region)
        and country in (None, wider_country)
    )


def _merge(places: Iterable[Location]) -> tuple[Location, ...]:
    """De-duplicated, less specific repeats dropped, first-seen order kept."""
    unique: dict[_PlaceKey, Location] = {}
    for place in places:
        unique.setdefault(_key(place), place)
    same_city: dict[str, list[_PlaceKey]] = {}
    for key in unique:
        if key[0] is not None:
            same_city.setdefault(key[0].casefold(), []).append(key)
    return tuple(
        place
        for key, place in unique.items()
        if key[0] is None
        or not any(_subsumes(other, key) for other in same_city[key[0].casefold()])
    )


# "Greater Paris Area", "San Francisco Bay Area", "Atlanta Metro": the city the area is named for.
# A bare "Area" is dropped only after "Greater": "Bay Area" and "Tri-State Area" name no city.
_METRO_PREFIX = re.compile(r"(?:^|(?<=,)\s*)greater\s+(?=\w)", re.I)
_METRO_SUFFIX = re.compile(
    r"(?<=\w)\s+(?:bay\s+area|metro(?:politan)?(?:\s+area)?)(?=\s*(?:,|$))", re.I
)
_AREA_SUFFIX = re.compile(r"(?<=\w)\s+area(?=\s*(?:,|$))", re.I)


def _without_metro_words(place: str) -> str:
    stripped = _METRO_PREFIX.sub("", place)
    if stripped != place:
        stripped = _AREA_SUFFIX.sub("", stripped)
    return _METRO_SUFFIX.sub("", stripped)


@lru_cache(maxsize=65536)
def _parse_cached(text: str) -> tuple[Location, ...]:
    text = _MORE.sub(" ", _SPACES.sub(" ", text)).strip()
    if not text or len(text) > _MAX_TEXT_CHARS or _COUNT.match(text):
        return ()
    places: list[Location] = []
    for place in _split_places(text):
        tokens = _tokens_of(_without_metro_words(place))
        if tokens:
            places.extend(_places_from_tokens(tokens))
    return _merge(places)


def parse_location(text: str | None) -> list[Location]:
    """The places in one location text (several when it lists several); empty when none."""
    if not text:
        return []
    return list(_parse_cached(text))


def parse_locations(texts: Sequence[str | None]) -> list[Location]:
    """The places in several location texts, de-duplicated, in first-seen order."""
    return list(_parse_many_cached(tuple(text for text in texts if text)))


@lru_cache(maxsize=16384)
def _parse_many_cached(texts: tuple[str, ...]) -> tuple[Location, ...]:
    """Cached as a whole, since a board repeats the same office lists across its postings."""
    return _merge(place for text in texts for place in _parse_cached(text))


# --- remote / hybrid / on-site ---------------------------------------------------------------

_FLAG_KINDS: Final[dict[str, RemoteKind]] = {
    "remote": "remote",
    "fullyremote": "remote",
    "fullremote": "remote",
    "telecommute": "remote",
    "telework": "remote",
    "true": "remote",
    "yes": "remote",
    "1": "remote",
    "hybrid": "hybrid",
    "hybridremote": "hybrid",
    "flexible": "hybrid",
    "2": "hybrid",
    "onsite": "onsite",
    "office": "onsite",
    "inoffice": "onsite",
    "inperson": "onsite",
    "onpremise": "onsite",
    "onpremises": "onsite",
}
"""Structured values, keyed by their lower-case letters and digits: Lever and Ashby workplaceType,
Workday remoteType, Workable workplace, Eightfold workLocationOption, schema.org TELECOMMUTE,
booleans as text, and BambooHR locationType ("0" on-site, "1" remote, "2" hybrid)."""
_FLAG_NOT_REMOTE: Final = frozenset({"false", "no", "0"})
_FLAG_UNKNOWN: Final = frozenset(
    {"", "unspecified", "none", "null", "na", "unknown", "notspecified"}
)
_FLAG_KEY = re.compile(r"[^a-z0-9]")

_NOT_REMOTE_WORK = re.compile(
    r"\b(?:not|no|non)[- ]remote\b"
    r"|\bremote[- ](?:sensing|support|monitoring|access|control|pilot)\b",
    re.IGNORECASE,
)
_HYBRID_REMOTE = re.compile(
    r"\bhybrid[- ]remote\b|\bremote[- ]hybrid\b|\b(?:partial(?:ly)?|partly|part|semi)[- ]remote\b"
    r"|\btélétravail\s+partiel\b|\bteletrabajo\s+parcial\b",
    re.IGNORECASE,
)
_TEXT_SIGNALS: Final[tuple[tuple[RemoteKind, re.Pattern[str]], ...]] = (
    (
        "remote",
        re.compile(
            r"\bremote(?:ly)?\b|\btélétravail\b|\bteletrabajo\b|\bremot[oa]\b|\bhome[- ]?office\b"
            r"|\bhome[- ]based\b|\bwork(?:ing)?[- ]from[- ]home\b|\bwfh\b|\btelecommut\w*"
            r"|\btelework\w*|\bzdaln\w*|\banywhere\b|\ba\s+distanza\b|\bà\s+distance\b"
            r"|\ba\s+distancia\b",
            re.IGNORECASE,
        ),
    ),
    ("hybrid", re.compile(r"\bhybrid\w*|\bh[ií]brid[oa]\b|\bibrid[oa]\b|\bhybrydow\w*", re.I)),
    (
        "onsite",
        re.compile(
            r"\bon[- ]?site\b|\bin[- ]office\b|\boffice[- ]based\b|\bin[- ]person\b|\bvor\s+ort\b"
            r"|\bpresencial\b|\bprésentiel\b|\bsur\s+site\b|\bin\s+sede\b|\bstacjonarn\w*",
            re.IGNORECASE,
        ),
    ),
)


_KIND_PRIORITY: Final[tuple[RemoteKind, ...]] = ("remote", "hybrid", "onsite")
_NEGATED_REMOTE = re.compile(r"\b(?:not|no|non)[- ]remote\b", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _text_signals(text: str) -> frozenset[RemoteKind]:
    """Which workplace kinds a text mentions."""
    if len(text) > _MAX_TEXT_CHARS:
        text = text[:_MAX_TEXT_CHARS]
    found: set[RemoteKind] = set()
    if _NOT_REMOTE_WORK.search(text):
        if _NEGATED_REMOTE.search(text):
            found.add("onsite")
        text = _NOT_REMOTE_WORK.sub(" ", text)
    if _HYBRID_REMOTE.search(text):
        found.add("hybrid")
        text = _HYBRID_REMOTE.sub(" ", text)
    for kind, pattern in _TEXT_SIGNALS:
        if pattern.search(text):
            found.add(kind)
    return frozenset(found)


def _signals_of(texts: Iterable[str | None]) -> set[RemoteKind]:
    found: set[RemoteKind] = set()
    for text in texts:
        if text:
            found |= _text_signals(text)
    return found


def _from_texts(texts: Iterable[str | None]) -> RemoteKind | None:
    """A job that may be done remotely is remote; otherwise hybrid beats on-site."""
    found = _signals_of(texts)
    for kind in _KIND_PRIORITY:
        if kind in found:
            return kind
    return None


def _not_remote(texts: Sequence[str | None]) -> RemoteKind:
    """A flag that only says "not remote" leaves hybrid open to the texts."""
    return "hybrid" if "hybrid" in _signals_of(texts) else "onsite"


def detect_remote(
    *, flag: str | bool | None = None, texts: Sequence[str | None] = ()
) -> RemoteKind | None:
    """`remote`, `hybrid` or `onsite`: the source's flag first, then its texts; None if untold."""
    if isinstance(flag, bool):
        return "remote" if flag else _not_remote(texts)
    if flag is not None:
        key = _FLAG_KEY.sub("", flag.casefold())
        if key in _FLAG_KINDS:
            return _FLAG_KINDS[key]
        if key in _FLAG_NOT_REMOTE:
            return _not_remote(texts)
        if key not in _FLAG_UNKNOWN:
            from_flag_text = _from_texts([flag])
            if from_flag_text is not None:
                return from_flag_text
    return _from_texts(texts)
