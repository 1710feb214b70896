"""Builds the labelled duplicate / distinct pairs from the real recorded postings.

    .venv/bin/python tests/data/dedupe/build_pairs.py [--real ../shared/fixtures/real]

Reads the real responses in `../shared/fixtures/real/` (see its MANIFEST.md), turns each job into a
`RawPosting` (a small mapping per family, below), and writes next to this file:

- `postings.jsonl`: one line per posting, `{"provenance": ..., "posting": <JobPosting fields>}`,
  the real postings and the variants made from them, normalised by `crawler.normalise.normalise`;
- `pairs.jsonl`: one line per labelled pair, `{"pair", "a", "b", "label", "level", "kind",
  "split", "base", "edits"}`.

README.md describes every kind of pair. The output is deterministic: the same inputs give the same
files byte for byte (every random choice is seeded by the base posting's id).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pycountry

from crawler.items import JobPosting, Location, RawPosting
from crawler.normalise import normalise
from crawler.normalise.locations import parse_location

HERE = Path(__file__).parent
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
KEPT_FIELDS = (
    "id", "source", "source_key", "source_id", "url", "title", "company", "locations",
    "location_raw", "remote", "employment_type", "date_posted", "department", "description_text",
    "first_seen",
)  # fmt: skip


# --- real postings -------------------------------------------------------------------------------


@dataclass
class Base:
    """A real posting: what its source said, and where it was recorded."""

    raw: RawPosting
    provenance: str


def _load(real: Path, name: str) -> Any:
    return json.loads((real / name).read_text(encoding="utf-8"))


def greenhouse(real: Path, name: str, board: str) -> Iterator[Base]:
    data = _load(real, name)
    for number, job in enumerate(data.get("jobs", [data])):
        yield Base(
            RawPosting(
                source="greenhouse",
                source_key=board,
                source_id=str(job["id"]),
                url=job["absolute_url"],
                title=job["title"],
                company=job.get("company_name"),
                location_raw=(job.get("location") or {}).get("name"),
                locations_raw=[o["location"] for o in job.get("offices", []) if o.get("location")],
                description_html=html.unescape(job.get("content") or ""),
                date_posted_raw=job.get("first_published"),
                department=(job.get("departments") or [{}])[0].get("name"),
                language=job.get("language"),
            ),
            f"real: {name} jobs[{number}]",
        )


def lever(real: Path, name: str, company: str) -> Iterator[Base]:
    for number, job in enumerate(_load(real, name)):
        lists = "".join(
            f"<h3>{item['text']}</h3><ul>{item['content']}</ul>" for item in job.get("lists", [])
        )
        categories = job.get("categories", {})
        yield Base(
            RawPosting(
                source="lever",
                source_key="spotify",
                source_id=job["id"],
                url=job["hostedUrl"],
                title=job["text"],
                company=company,
                location_raw=categories.get("location"),
                locations_raw=categories.get("allLocations", []),
                remote_raw=job.get("workplaceType"),
                description_html=job.get("description", "") + lists + job.get("additional", ""),
                date_posted_raw=job.get("createdAt") // 1000 if job.get("createdAt") else None,
                department=categories.get("team"),
            ),
            f"real: {name} [{number}]",
        )


def ashby(real: Path, name: str, board: str, company: str) -> Iterator[Base]:
    for number, job in enumerate(_load(real, name)["jobs"]):
        yield Base(
            RawPosting(
                source="ashby",
                source_key=board,
                source_id=job["id"],
                url=job["jobUrl"],
                title=job["title"],
                company=company,
                location_raw=job.get("location"),
                locations_raw=[s["location"] for s in job.get("secondaryLocations", [])],
                remote_raw=job.get("workplaceType"),
                description_html=job.get("descriptionHtml"),
                date_posted_raw=job.get("publishedAt"),
                department=job.get("team"),
            ),
            f"real: {name} jobs[{number}]",
        )


def workday_detail(real: Path, name: str, key: str, company: str) -> Iterator[Base]:
    info = _load(real, name)["jobPostingInfo"]
    yield Base(
        RawPosting(
            source="workday",
            source_key=key,
            source_id=info["jobReqId"],
            url=info["externalUrl"],
            title=info["title"],
            company=company,
            location_raw=info.get("location"),
            locations_raw=info.get("additionalLocations", []),
            remote_raw=info.get("remoteType"),
            description_html=info.get("jobDescription"),
            date_posted_raw=info.get("startDate"),
        ),
        f"real: {name} jobPostingInfo",
    )


def workday_list(real: Path, name: str, key: str, company: str, skip: set[str]) -> Iterator[Base]:
    for number, job in enumerate(_load(real, name)["jobPostings"]):
        if job["bulletFields"][0] in skip:
            continue
        yield Base(
            RawPosting(
                source="workday",
                source_key=key,
                source_id=job["bulletFields"][0],
                url=f"https://{key.split('/')[0]}.wd5.myworkdayjobs.com{job['externalPath']}",
                title=job["title"],
                company=company,
                location_raw=job.get("locationsText"),
            ),
            f"real: {name} jobPostings[{number}]",
        )


def smartrecruiters_list(real: Path, name: str) -> Iterator[Base]:
    for number, job in enumerate(_load(real, name)["content"]):
        yield Base(
            RawPosting(
                source="smartrecruiters",
                source_key=job["company"]["identifier"],
                source_id=job["id"],
                url=f"https://jobs.smartrecruiters.com/{job['company']['identifier']}/{job['id']}",
                title=job["name"],
                company=job["company"]["name"],
                location_raw=job["location"]["fullLocation"],
                date_posted_raw=job.get("releasedDate"),
            ),
            f"real: {name} content[{number}]",
        )


def smartrecruiters_detail(real: Path, name: str) -> Iterator[Base]:
    job = _load(real, name)
    sections = job["jobAd"]["sections"]
    text = "".join(
        f"<h3>{sections[part]['title']}</h3>{sections[part]['text']}"
        for part in (
            "companyDescription",
            "jobDescription",
            "qualifications",
            "additionalInformation",
        )
        if sections.get(part, {}).get("text")
    )
    yield Base(
        RawPosting(
            source="smartrecruiters",
            source_key=job["company"]["identifier"],
            source_id=job["id"],
            url=job["postingUrl"],
            title=job["name"],
            company=job["company"]["name"],
            location_raw=job["location"]["fullLocation"],
            remote_raw="remote" if job["location"].get("remote") else None,
            description_html=text,
            date_posted_raw=job.get("releasedDate"),
        ),
        f"real: {name}",
    )


def recruitee(real: Path, name: str) -> Iterator[Base]:
    for number, job in enumerate(_load(real, name)["offers"]):
        yield Base(
            RawPosting(
                source="recruitee",
                source_key="channable",
                source_id=str(job["id"]),
                url=job["careers_url"],
                title=job["title"],
                company=job["company_name"],
                location_raw=job["location"],
                remote_raw="hybrid" if job.get("hybrid") else None,
                description_html=job["description"] + job.get("requirements", ""),
                date_posted_raw=job.get("published_at"),
                department=job.get("department"),
            ),
            f"real: {name} offers[{number}]",
        )


def workable_widget(real: Path, name: str) -> Iterator[Base]:
    data = _load(real, name)
    for number, job in enumerate(data["jobs"]):
        yield Base(
            RawPosting(
                source="workable",
                source_key="amazing-care",
                source_id=job["shortcode"],
                url=job["url"],
                title=job["title"],
                company=data["name"],
                location_raw=", ".join(p for p in (job["city"], job["state"], job["country"]) if p),
                remote_raw="remote" if job.get("telecommuting") else None,
                description_html=job["description"],
                date_posted_raw=job.get("published_on"),
                department=job.get("department"),
            ),
            f"real: {name} jobs[{number}]",
        )


def workable_detail(real: Path, name: str) -> Iterator[Base]:
    job = _load(real, name)
    place = job["location"]
    yield Base(
        RawPosting(
            source="workable",
            source_key="eupry",
            source_id=job["shortcode"],
            url=f"https://apply.workable.com/eupry/j/{job['shortcode']}",
            title=job["title"],
            company="Eupry",
            location_raw=f"{place['city']}, {place['region']}, {place['country']}",
            remote_raw=job.get("workplace"),
            description_html=job["description"] + job["requirements"] + job["benefits"],
            date_posted_raw=job.get("published"),
        ),
        f"real: {name}",
    )


def personio(real: Path, name: str) -> Iterator[Base]:
    text = (real / name).read_text(encoding="utf-8")
    for number, block in enumerate(re.findall(r"<position>(.*?)</position>", text, re.S)):

        def tag(tag_name: str, block: str = block) -> str:
            found = re.search(rf"<{tag_name}>(.*?)</{tag_name}>", block, re.S)
            return html.unescape(found.group(1).strip()) if found else ""

        yield Base(
            RawPosting(
                source="personio",
                source_key="clark",
                source_id=tag("id"),
                url=f"https://clark.jobs.personio.de/job/{tag('id')}",
                title=tag("name"),
                company=tag("subcompany"),
                location_raw=tag("office"),
                locations_raw=re.findall(r"<office>(.*?)</office>", tag("additionalOffices")),
                date_posted_raw=tag("createdAt"),
                department=tag("department"),
            ),
            f"real: {name} position[{number}]",
        )


def jsonld(real: Path, name: str, company: str | None) -> Iterator[Base]:
    text = (real / name).read_text(encoding="utf-8")
    blocks = [
        json.loads(b)
        for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    ]
    job = next(b for b in blocks if b.get("@type") == "JobPosting")
    places = job.get("jobLocation") or []
    address = (places[0] if isinstance(places, list) else places)["address"]
    parts = [address.get(k) for k in ("addressLocality", "addressRegion", "addressCountry")]
    location = ", ".join(p for p in parts if p and p != "UNAVAILABLE")
    host = re.sub(r"^https?://([^/]+)/.*$", r"\1", job["url"])
    yield Base(
        RawPosting(
            source="jsonld",
            source_key=host,
            source_id=hashlib.blake2b(job["url"].encode(), digest_size=6).hexdigest(),
            url=job["url"],
            title=job["title"],
            company=(job.get("hiringOrganization") or {}).get("name") or company,
            location_raw=location,
            description_html=job.get("description"),
            date_posted_raw=job.get("datePosted"),
        ),
        f"real: {name} JobPosting",
    )


def eightfold(real: Path, name: str, company: str) -> Iterator[Base]:
    for number, job in enumerate(_load(real, name)["data"]["positions"]):
        yield Base(
            RawPosting(
                source="eightfold",
                source_key="microsoft.com",
                source_id=str(job["id"]),
                url=f"https://apply.careers.microsoft.com/careers/job/{job['id']}",
                title=job["name"],
                company=company,
                locations_raw=job.get("locations", []),
                date_posted_raw=job.get("postedTs"),
            ),
            f"real: {name} positions[{number}]",
        )


def real_bases(real: Path) -> list[Base]:
    loaders: list[Iterator[Base]] = [
        greenhouse(real, "greenhouse/lilliban_datadog_jobs_content_full.json", "datadog"),
        greenhouse(real, "greenhouse/hunt_vercel_jobs_content_trimmed.json", "vercel"),
        greenhouse(real, "greenhouse/candidatezero_gong_single_job_trimmed.json", "gongio"),
        greenhouse(real, "greenhouse/aer_databricks_jobs_content_redacted.json", "databricks"),
        lever(real, "lever/lilliban_spotify_postings_full.json", "Spotify"),
        lever(real, "lever/hunt_spotify_postings_trimmed.json", "Spotify"),
        ashby(real, "ashby/hunt_linear_job_board_trimmed.json", "linear", "Linear"),
        ashby(real, "ashby/lilliban_ramp_job_board_full.json", "ramp", "Ramp"),
        workday_detail(
            real,
            "workday/lilliban_nvidia_job_detail.json",
            "nvidia/NVIDIAExternalCareerSite",
            "NVIDIA",
        ),
        workday_detail(
            real, "workday/aer_msd_job_detail_desc_truncated.json", "msd/SearchJobs", "MSD"
        ),
        workday_list(
            real,
            "workday/lilliban_nvidia_jobs_list_trimmed.json",
            "nvidia/NVIDIAExternalCareerSite",
            "NVIDIA",
            {"JR2021705"},
        ),
        workday_list(
            real,
            "workday/hunt_workday_jobs_list_trimmed.json",
            "nvidia/NVIDIAExternalCareerSite",
            "NVIDIA",
            set(),
        ),
        smartrecruiters_list(real, "smartrecruiters/hunt_ubisoft_postings_trimmed.json"),
        smartrecruiters_detail(
            real, "smartrecruiters/aer_guidehealth_posting_detail_truncated.json"
        ),
        recruitee(real, "recruitee/hunt_channable_offers_trimmed.json"),
        workable_widget(real, "workable/lilliban_widget_account_details.json"),
        workable_detail(real, "workable/aer_eupry_job_detail_redacted.json"),
        personio(real, "personio/aer_clark_personio_feed.xml"),
        jsonld(real, "jsonld_html/aer_breezy_highlights_jsonld_basesalary_reduced.html", None),
        jsonld(real, "jsonld_html/aer_icims_fujifilm_jsonld_validthrough_reduced.html", None),
        jsonld(real, "jsonld_html/aer_jazzhr_paradromics_jsonld_reduced.html", "Paradromics, Inc."),
        eightfold(real, "microsoft/charbel_ms_eightfold_pcsx_search_trimmed.json", "Microsoft"),
    ]
    return [base for loader in loaders for base in loader]


# --- edits ---------------------------------------------------------------------------------------

INTROS = (
    "About {company}: we build products that teams around the world rely on every day. We value "
    "curiosity, ownership and plain speaking, and we invest in the growth of every person who "
    "joins us.",
    "Join {company}! Our people work across offices and time zones on hard problems for our "
    "customers. Read on to learn about the role, the team you would join and how we hire.",
    "{company} is hiring. This page describes the responsibilities, the requirements and the "
    "benefits of the role; apply with your resume and we will answer within two weeks.",
)
OUTROS = (
    "{company} is an equal opportunity employer. We do not discriminate on the basis of any "
    "characteristic protected by law, and we provide reasonable accommodations to applicants who "
    "need them during the hiring process.",
    "How to apply: send your application through this page. We read every application and answer "
    "each one. By applying you agree that {company} processes your data for recruiting purposes.",
    "Benefits at a glance: flexible working hours, a learning budget, parental leave and a pension "
    "plan. Details depend on the country of employment.",
)
LEVEL_SWAPS = (
    ("Senior", "Staff"), ("Staff", "Principal"), ("Principal", "Distinguished"),
    ("Distinguished", "Principal"), ("Junior", "Senior"), ("Associate", "Senior"),
    ("Director", "Senior Director"), ("Manager", "Senior Manager"), ("Lead", "Senior"),
    ("Head", "Deputy Head"), (" II", " III"), (" I", " II"), ("Intern", "Associate"),
)  # fmt: skip
"""Level changes for the `other_level` negatives, tried in order; else "Senior " is prefixed."""
TEAM_SWAPS = (
    ("Backend", "Frontend"), ("Frontend", "Backend"), ("Android", "iOS"), ("Cloud", "Network"),
    ("Commercial", "Enterprise"), ("Majors", "Mid-Market"), ("Experience", "Payments"),
    ("Research Engineer", "Research Scientist"), ("Research Scientist", "Research Engineer"),
    ("Security", "Privacy"), ("Mobile", "Web"), ("Analytics", "Data Platform"),
    ("Partnerships", "Marketing"), ("Agency", "Channel"), ("Programmatic", "Retail Media"),
    ("CRM", "SEO"), ("Sales", "Customer Support"), ("Customer Success", "Account Management"),
    ("People & Culture", "Finance"), ("Occupational Therapist", "Physical Therapist"),
    ("LPN", "RN"), ("Field", "Lab"), ("Hardware", "Firmware"), ("Manufacturing", "Finance"),
    ("Patient", "Provider"), ("Behavior Analyst", "Speech Therapist"), ("Security Manager", "Facilities Manager"),
    ("Clinical", "Regulatory"), ("Software", "Hardware"), ("Revenue", "Partner"),
)  # fmt: skip
"""Team or specialisation changes for the `other_team` negatives, tried in order."""
OTHER_CITIES = {
    "US": ("Boston, MA", "Seattle, WA", "Chicago, IL"), "GB": ("Manchester, United Kingdom",),
    "FR": ("Lyon, France",), "JP": ("Osaka, Japan",), "SE": ("Gothenburg, Sweden",),
    "IN": ("Bengaluru, India",), "NL": ("Amsterdam, Netherlands",), "CA": ("Toronto, ON",),
    "DE": ("Munich, Germany",), "IL": ("Tel Aviv, Israel",), "VN": ("Hanoi, Vietnam",),
}  # fmt: skip
GERMAN_SPEAKING = {"DE", "AT", "CH"}
ABBREVIATIONS = (("Senior", "Sr."), ("Junior", "Jr."), ("Engineer", "Eng."), ("Manager", "Mgr."))
US_STATES_AND_PROVINCES = {
    subdivision.code.split("-")[1]
    for subdivision in pycountry.subdivisions
    if subdivision.country_code in ("US", "CA") and not subdivision.parent_code
}
LEGAL_FORMS = (", Inc.", " Inc", " Ltd", " LLC", ", Inc")
YEARS = re.compile(r"\b(\d{1,2})(\+?\s*(?:years|yrs|jahre))", re.I)


@dataclass
class Variant:
    """A posting made from a base by named edits."""

    raw: RawPosting
    edits: list[str] = field(default_factory=list)
    first_seen: datetime = NOW


def rng_for(base: Base, purpose: str) -> random.Random:
    digest = hashlib.blake2b(f"{base.raw.source_id}:{purpose}".encode(), digest_size=8)
    return random.Random(int.from_bytes(digest.digest(), "big"))


def text_lines(posting: JobPosting) -> list[str]:
    return [line for line in (posting.description_text or "").splitlines() if line.strip()]


def render(lines: list[str], style: str) -> str:
    """Lines of a description as HTML in one of the shapes sources use."""
    if style == "paragraphs":
        out: list[str] = []
        bullets: list[str] = []
        for line in [*lines, ""]:
            if line.startswith("- "):
                bullets.append(f"<li>{html.escape(line[2:])}</li>")
                continue
            if bullets:
                out.append("<ul>" + "".join(bullets) + "</ul>")
                bullets = []
            if line.endswith(":") and len(line) < 80:
                out.append(f"<h3>{html.escape(line)}</h3>")
            elif line:
                out.append(f"<p>{html.escape(line)}</p>")
        return "\n".join(out)
    if style == "divs":
        return "".join(
            f"<div>{'• ' + html.escape(line[2:]) if line.startswith('- ') else html.escape(line)}</div>"
            for line in lines
        )
    return "<br>".join(html.escape(line[2:] if line.startswith("- ") else line) for line in lines)


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name if country else code


def place_text(place: Location, style: str) -> str:
    """A place written the way another source writes it."""
    city, region, country = place.city, place.region, place.country
    if style == "long" and city and country:
        middle = f", {region}" if region and len(region) > 2 else ""
        return f"{city}{middle}, {country_name(country)}"
    if style == "code" and city and country:
        if country in ("US", "CA") and region:
            return f"{city}, {region}"
        # "Yokneam, IL" would be Illinois: sources write such countries out.
        code = country if country not in US_STATES_AND_PROVINCES else country_name(country)
        return f"{city}, {code}"
    if style == "reverse" and city and country:
        return f"{country_name(country)} - {city}"
    if country:
        return country_name(country)
    return region or city or ""


def first_place(posting: JobPosting) -> Location | None:
    return next((p for p in posting.locations if p.city or p.country), None)


def new_id(base: Base, kind: str) -> str:
    return str(
        int.from_bytes(
            hashlib.blake2b(f"{base.raw.source_id}:{kind}".encode(), digest_size=5).digest(), "big"
        )
    )


def on_board(raw: RawPosting, source: str, key: str, kind: str, base: Base) -> RawPosting:
    source_id = new_id(base, kind)
    return replace(
        raw,
        source=source,
        source_key=key,
        source_id=source_id,
        url=f"https://{key}/jobs/{source_id}"
        if "." in key
        else f"https://{source}.example/{key}/{source_id}",
    )


def slug(company: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "", (company or "employer").lower())


def careers_title(title: str, place: Location | None) -> tuple[str, str]:
    """The title as a company's own career page writes it."""
    if place and place.country in GERMAN_SPEAKING:
        return f"{title} (m/w/d)", "title: gender marker (m/w/d)"
    if place and place.country == "FR":
        return f"{title} (H/F)", "title: gender marker (H/F)"
    if ", " in title:
        return title.replace(", ", " - ", 1), "title: comma written as dash"
    return title.upper() if len(title) < 40 else title.title(), "title: case changed"


def aggregator_title(title: str, place: Location | None, remote: str | None) -> tuple[str, str]:
    """The title as a job board shows it: abbreviations and a place or workplace suffix."""
    short = title
    for word, abbreviation in ABBREVIATIONS:
        short = re.sub(rf"\b{word}\b", abbreviation, short)
    if remote == "remote":
        return f"{short} (Remote)", "title: abbreviations, (Remote) suffix"
    if place and place.city:
        return f"{short} - {place.city}", "title: abbreviations, city suffix"
    if place and place.country:
        return f"{short}, {country_name(place.country)}", "title: abbreviations, country suffix"
    return short, "title: abbreviations"


def swap(title: str, swaps: tuple[tuple[str, str], ...]) -> str | None:
    for old, new in swaps:
        if re.search(rf"(?<![A-Za-z]){re.escape(old.strip())}(?![a-z])", title):
            return re.sub(
                rf"(?<![A-Za-z]){re.escape(old.strip())}(?![a-z])", new.strip(), title, count=1
            )
    return None


def without_boilerplate(posting: JobPosting, lines: list[str]) -> tuple[list[str], str]:
    """The lines without the employer's about-us and equal-opportunity parts."""
    drop = set(posting.sections.equal_opportunity) | set(posting.sections.about_company)
    kept = [line for line in lines if line.removeprefix("- ") not in drop]
    if len(kept) < len(lines):
        return kept, "description: about-us and equal-opportunity parts removed"
    cut = max(1, len(lines) // 8)
    return lines[:-cut], f"description: last {cut} line(s) removed"


def small_edits(lines: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """A repost's changes: a number moved, two adjacent bullets swapped, a start-date line added."""
    edited = list(lines)
    notes = []
    for index, line in enumerate(edited):
        if YEARS.search(line):
            edited[index] = YEARS.sub(lambda m: f"{int(m.group(1)) + 1}{m.group(2)}", line, count=1)
            notes.append("description: years of experience changed by one")
            break
    bullets = [
        i
        for i in range(len(edited) - 1)
        if edited[i].startswith("- ") and edited[i + 1].startswith("- ")
    ]
    if bullets:
        i = rng.choice(bullets)
        edited[i], edited[i + 1] = edited[i + 1], edited[i]
        notes.append("description: two adjacent bullets swapped")
    edited.append("Start date: as soon as possible.")
    notes.append("description: start-date line added")
    return edited, notes


def level_edits(lines: list[str]) -> list[str]:
    """The description of the next level up: more years, broader scope."""
    raised = [YEARS.sub(lambda m: f"{int(m.group(1)) + 3}{m.group(2)}", line) for line in lines]
    return [
        *raised,
        "- You have led projects that span several teams and set their technical direction.",
    ]


# --- the pairs -----------------------------------------------------------------------------------


@dataclass
class Builder:
    bases: list[Base]
    postings: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    normalised: dict[str, JobPosting] = field(default_factory=dict)

    def posting(self, raw: RawPosting, provenance: str, first_seen: datetime) -> JobPosting:
        posting = normalise(raw, now=NOW).model_copy(update={"first_seen": first_seen})
        record = posting.model_dump(mode="json", include=set(KEPT_FIELDS))
        if posting.id in self.postings and self.postings[posting.id][1] != record:
            raise ValueError(f"{posting.id}: two different postings with one id")
        self.postings[posting.id] = (provenance, record)
        return posting

    def base(self, base: Base) -> JobPosting:
        key = f"{base.raw.source}:{base.raw.source_key}:{base.raw.source_id}"
        if key not in self.normalised:
            self.normalised[key] = self.posting(base.raw, base.provenance, NOW - timedelta(days=40))
        return self.normalised[key]

    def pair(
        self, base: Base, variant: Variant, label: str, level: int, kind: str,
        split: str | None = None,
    ) -> None:  # fmt: skip
        original = self.base(base)
        edits = "; ".join(variant.edits)
        made = self.posting(variant.raw, f"variant of {original.id}: {edits}", variant.first_seen)
        self.add(original, made, label, level, kind, base, variant.edits, split)

    def add(
        self, a: JobPosting, b: JobPosting, label: str, level: int, kind: str, base: Base,
        edits: list[str], split: str | None = None,
    ) -> None:  # fmt: skip
        self.pairs.append(
            {
                "pair": f"p{len(self.pairs) + 1:03d}",
                "a": a.id,
                "b": b.id,
                "label": label,
                "level": level,
                "kind": kind,
                "split": split or split_of(base),
                "base": a.id,
                "edits": edits,
            }
        )

    def described(self, base: Base) -> bool:
        return len((self.base(base).description_text or "").split()) >= 20

    def company_mates(self, base: Base) -> list[Base]:
        company = self.base(base).company
        return [
            other for other in self.bases
            if other is not base and self.described(other)
            and (other.raw.company == base.raw.company or self.base(other).company == company)
        ]  # fmt: skip


def split_of(base: Base) -> str:
    digest = hashlib.blake2b(base.raw.source_id.encode(), digest_size=2).digest()
    return "holdout" if int.from_bytes(digest, "big") % 3 == 0 else "tune"


def careers_variant(builder: Builder, base: Base) -> Variant:
    posting = builder.base(base)
    rng = rng_for(base, "careers")
    place = first_place(posting)
    title, title_note = careers_title(posting.title, place)
    intro = rng.choice(INTROS).format(company=posting.company)
    outro = rng.choice(OUTROS).format(company=posting.company)
    lines = [intro, *text_lines(posting), outro]
    company = (posting.company or "") + rng.choice(LEGAL_FORMS)
    location = place_text(place, "long") if place else posting.location_raw
    raw = replace(
        on_board(base.raw, "jsonld", f"careers.{slug(posting.company)}.com", "careers", base),
        title=title, company=company, location_raw=location, locations_raw=[],
        description_html=render(lines, "paragraphs") if posting.description_text else None,
    )  # fmt: skip
    return Variant(
        raw,
        [title_note, f"company: {company!r}", f"location: {location!r}",
         "description: re-rendered as <p>/<ul>, about-us paragraph and closing paragraph added"],
        NOW - timedelta(days=35),
    )  # fmt: skip


def aggregator_variant(builder: Builder, base: Base) -> Variant:
    posting = builder.base(base)
    place = first_place(posting)
    title, title_note = aggregator_title(posting.title, place, posting.remote)
    lines, cut_note = without_boilerplate(posting, text_lines(posting))
    location = place_text(place, "code") if place else posting.location_raw
    company = (posting.company or "").upper()
    raw = replace(
        on_board(base.raw, "jobboard", "jobboard", "aggregator", base),
        title=title, company=company, location_raw=location, locations_raw=[],
        remote_raw=posting.remote, description_html=render(lines, "plain") if lines else None,
    )  # fmt: skip
    return Variant(
        raw,
        [title_note, f"company: {company!r}", f"location: {location!r}",
         "description: plain text with <br>", cut_note],
        NOW - timedelta(days=30),
    )  # fmt: skip


def sitemap_variant(builder: Builder, base: Base) -> Variant:
    posting = builder.base(base)
    place = first_place(posting)
    location = place_text(place, "reverse") if place else posting.location_raw
    raw = replace(
        on_board(base.raw, "sitemap", f"{slug(posting.company)}-careers", "sitemap", base),
        title=f"  {posting.title} ", location_raw=location, locations_raw=[],
        description_html=render(text_lines(posting), "divs") if posting.description_text else None,
    )  # fmt: skip
    return Variant(
        raw,
        ["title: whitespace around", f"location: {location!r}",
         "description: re-rendered as <div>s with • bullets"],
        NOW - timedelta(days=20),
    )  # fmt: skip


def other_city(builder: Builder, base: Base, board: bool) -> Variant | None:
    """The same job text posted for another city (a separate opening)."""
    posting = builder.base(base)
    place = first_place(posting)
    if place is None or place.country not in OTHER_CITIES or posting.remote == "remote":
        return None
    if any(p.city is None for p in posting.locations):
        return None  # a job open to a whole country is not another city's job
    taken = {p.city for p in posting.locations}
    city = next((c for c in OTHER_CITIES[place.country] if c.split(",")[0] not in taken), None)
    if city is None:
        return None
    source, key = (base.raw.source, base.raw.source_key) if board else (
        "jsonld", f"careers.{slug(posting.company)}.com"
    )  # fmt: skip
    raw = replace(
        on_board(base.raw, source, key, f"city-{board}", base),
        location_raw=city,
        locations_raw=[],
    )
    return Variant(
        raw, [f"location: {city!r} instead of {posting.location_raw!r}"], NOW - timedelta(days=10)
    )


def other_level(builder: Builder, base: Base) -> Variant:
    posting = builder.base(base)
    title = swap(posting.title, LEVEL_SWAPS) or f"Senior {posting.title}"
    lines = level_edits(text_lines(posting))
    raw = replace(
        on_board(base.raw, "jsonld", f"careers.{slug(posting.company)}.com", "level", base),
        title=title,
        description_html=render(lines, "paragraphs") if posting.description_text else None,
    )
    return Variant(
        raw,
        [f"title: {title!r} (another level)",
         "description: years of experience raised by three, a scope requirement added"],
        NOW - timedelta(days=10),
    )  # fmt: skip


def other_team(builder: Builder, base: Base, donor: Base) -> Variant | None:
    """Another team's job from the same template: the middle of the text comes from `donor`."""
    posting = builder.base(base)
    title = swap(posting.title, TEAM_SWAPS)
    if title is None:
        return None
    lines = text_lines(posting)
    donor_lines = text_lines(builder.base(donor))
    start, end = len(lines) // 4, len(lines) - len(lines) // 4
    middle = donor_lines[len(donor_lines) // 4 : len(donor_lines) - len(donor_lines) // 4]
    mixed = [*lines[:start], *middle, *lines[end:]]
    raw = replace(
        on_board(base.raw, "jsonld", f"careers.{slug(posting.company)}.com", "team", base),
        title=title, description_html=render(mixed, "paragraphs"),
    )  # fmt: skip
    return Variant(
        raw,
        [f"title: {title!r} (another team)",
         f"description: middle half replaced by the middle half of {builder.base(donor).id}"],
        NOW - timedelta(days=10),
    )  # fmt: skip


def same_title_other_text(builder: Builder, base: Base, donor: Base, board: bool) -> Variant:
    """Same title and place, the text of another job of the company: two openings, two teams."""
    posting = builder.base(base)
    source, key = (base.raw.source, base.raw.source_key) if board else (
        "jsonld", f"careers.{slug(posting.company)}.com"
    )  # fmt: skip
    raw = replace(
        on_board(base.raw, source, key, f"text-{board}", base),
        description_html=render(text_lines(builder.base(donor)), "paragraphs"),
    )
    return Variant(
        raw,
        [f"description: the text of {builder.base(donor).id} (same title and place)"],
        NOW - timedelta(days=10),
    )


def repost(builder: Builder, base: Base) -> Variant:
    posting = builder.base(base)
    lines, notes = small_edits(text_lines(posting), rng_for(base, "repost"))
    raw = replace(
        on_board(base.raw, base.raw.source, base.raw.source_key, "repost", base),
        description_html=render(lines, "paragraphs"),
    )
    return Variant(raw, ["same board, new id, seen 35 days later", *notes], NOW - timedelta(days=5))


def donor_for(builder: Builder, base: Base) -> Base:
    """Another described job whose text differs (word overlap under a half), of the same company
    when there is one: trimmed fixtures of one employer are sometimes the same intro cut short."""
    words = set((builder.base(base).description_text or "").lower().split())

    def differs(other: Base) -> bool:
        theirs = set((builder.base(other).description_text or "").lower().split())
        return len(words & theirs) < 0.5 * len(words | theirs)

    mates = [mate for mate in builder.company_mates(base) if differs(mate)]
    if mates:
        return mates[0]
    others = [b for b in builder.bases if b is not base and builder.described(b) and differs(b)]
    return others[rng_for(base, "donor").randrange(len(others))]


def build(real: Path) -> Builder:
    bases = real_bases(real)
    builder = Builder(bases)
    for base in bases:
        builder.base(base)
    for base in bases:
        described = builder.described(base)
        builder.pair(base, aggregator_variant(builder, base), "duplicate", 3, "aggregator")
        if described:
            builder.pair(base, careers_variant(builder, base), "duplicate", 3, "careers_page")
            builder.pair(base, sitemap_variant(builder, base), "duplicate", 3, "sitemap_page")
            builder.pair(base, repost(builder, base), "duplicate", 2, "repost")
        for board, level in ((False, 3), (True, 2)):
            city = other_city(builder, base, board)
            if city is not None:
                builder.pair(base, city, "distinct", level, "other_city")
        builder.pair(base, other_level(builder, base), "distinct", 3, "other_level")
        if described:
            donor = donor_for(builder, base)
            team = other_team(builder, base, donor)
            if team is not None:
                builder.pair(base, team, "distinct", 3, "other_team")
            for board, level in ((False, 3), (True, 2)):
                text = same_title_other_text(builder, base, donor, board)
                builder.pair(base, text, "distinct", level, "same_title_other_text")
    real_pairs(builder)
    for base in bases:
        second_round_pairs(builder, base)
    for base in bases:
        fresh_pairs(builder, base)
    return builder


def real_pairs(builder: Builder) -> None:
    """Every two real postings of one employer: distinct jobs, as recorded (level 2), and with one
    of them re-published on the career page (level 3)."""
    for index, base in enumerate(builder.bases):
        for other in builder.bases[index + 1 :]:
            a, b = builder.base(base), builder.base(other)
            if a.company != b.company:
                continue
            if (a.source, a.source_key) == (b.source, b.source_key):
                builder.add(
                    a, b, "distinct", 2, "real_same_board", base, ["both real, as recorded"]
                )
            variant = careers_variant(builder, other)
            made = builder.posting(
                variant.raw, f"variant of {b.id}: " + "; ".join(variant.edits), variant.first_seen
            )
            builder.add(
                a,
                made,
                "distinct",
                3,
                "real_other_job",
                base,
                [f"{b.id} re-published: " + "; ".join(variant.edits)],
            )


# --- the second round of templates -------------------------------------------------------------

SECOND_HEADINGS = (
    ("What You'll Do", "Your tasks"), ("What you'll do", "Your tasks"), ("Who You Are", "Your profile"),
    ("Who you are", "Your profile"), ("Requirements", "What we look for"),
    ("Responsibilities", "Your responsibilities"), ("About the role", "The role"),
    ("Benefits", "What we offer"), ("Qualifications", "Your profile"),
)  # fmt: skip
SECOND_TEAM_NOTES = (
    "About the team: the {team} team owns the systems that our customers touch first. The team "
    "is small, works in two-week cycles, ships every day and sits next to the product designers "
    "and the support engineers it serves.",
)
SECOND_TEAMS = ("Payments", "Growth", "Platform", "Billing", "Onboarding", "Identity")
SECOND_OTHER_COUNTRY = {
    "US": "Toronto, ON", "GB": "Dublin, Ireland", "FR": "Brussels, Belgium", "JP": "Seoul, South Korea",
    "SE": "Oslo, Norway", "IN": "Singapore", "NL": "Antwerp, Belgium", "CA": "Austin, TX",
    "DE": "Vienna, Austria", "IL": "Berlin, Germany", "VN": "Bangkok, Thailand",
}  # fmt: skip


def second_title(title: str, company: str | None, rng: random.Random) -> tuple[str, str]:
    """A career page's or board's title: the employer's name added, "Sr" without a dot, or the
    team moved in front of the role ("Engineer, Backend" -> "Backend Engineer")."""
    options = []
    if company:
        options.append((f"{title} | {company}", "title: | employer suffix"))
        options.append((f"{company} - {title}", "title: employer prefix"))
    if re.search(r"\bSenior\b", title):
        options.append((re.sub(r"\bSenior\b", "Sr", title), "title: Sr without a dot"))
    if ", " in title and title.count(", ") == 1:
        role, team = title.split(", ")
        if not parse_location(team):  # "Contractor, Vietnam" names a place, not a team
            options.append((f"{team} {role}", "title: team moved in front"))
    return rng.choice(options) if options else (title, "title: unchanged")


def board_snippet(builder: Builder, base: Base) -> Variant:
    """A board showing the start of the text and linking to the employer's page."""
    posting = builder.base(base)
    rng = rng_for(base, "round2-snippet")
    title, note = second_title(posting.title, posting.company, rng)
    lines = text_lines(posting)
    kept = lines[: max(3, (len(lines) * 45) // 100)]
    place = first_place(posting)
    location = "Remote" if posting.remote in ("remote", "hybrid") else (
        place_text(place, "long") if place else posting.location_raw
    )  # fmt: skip
    raw = replace(
        on_board(base.raw, "jobfeed", "jobfeed", "round2-snippet", base),
        title=title, location_raw=location, locations_raw=[],
        description_html=render([*kept, "Read the full posting and apply on the employer's site."], "plain"),
    )  # fmt: skip
    return Variant(
        raw,
        [note, f"location: {location!r}",
         "description: first 45% of the lines and a link line (a board's snippet)"],
        NOW - timedelta(days=25),
    )  # fmt: skip


def careers_page_edited(builder: Builder, base: Base) -> Variant:
    """The employer's own page: headings renamed, a pay line added, the equal-opportunity and
    about-us parts left out, the name with "Group"."""
    posting = builder.base(base)
    rng = rng_for(base, "round2-careers")
    title, note = second_title(posting.title, posting.company, rng)
    lines = without_boilerplate(posting, text_lines(posting))[0]
    renamed = []
    for line in lines:
        for old, new in SECOND_HEADINGS:
            if line.rstrip(":").strip() == old:
                line = new + ":"
        renamed.append(line)
    renamed.insert(
        min(2, len(renamed)), "Pay: a competitive salary and equity, reviewed every year."
    )
    company = f"{posting.company} Group"
    raw = replace(
        on_board(base.raw, "pages", f"jobs.{slug(posting.company)}.com", "round2-careers", base),
        title=title, company=company, description_html=render(renamed, "divs"),
    )  # fmt: skip
    return Variant(
        raw,
        [note, f"company: {company!r}",
         "description: headings renamed, a pay line added, about-us and equal-opportunity parts removed"],
        NOW - timedelta(days=25),
    )  # fmt: skip


def repost_update(builder: Builder, base: Base) -> Variant:
    """A repost whose text was touched: an update paragraph added and one bullet dropped."""
    posting = builder.base(base)
    lines = text_lines(posting)
    bullets = [i for i, line in enumerate(lines) if line.startswith("- ")]
    if bullets:
        del lines[bullets[len(bullets) // 2]]
    lines.insert(
        1,
        "Update: we are still looking for the right person for this role and review new applications every week.",
    )
    raw = replace(
        on_board(base.raw, base.raw.source, base.raw.source_key, "round2-repost", base),
        description_html=render(lines, "paragraphs"),
    )
    return Variant(
        raw,
        ["same board, new id", "description: update paragraph added, one bullet removed"],
        NOW - timedelta(days=3),
    )


def other_country(builder: Builder, base: Base) -> Variant | None:
    posting = builder.base(base)
    place = first_place(posting)
    if place is None or place.country not in SECOND_OTHER_COUNTRY or posting.remote == "remote":
        return None
    if any(p.city is None for p in posting.locations):
        return None
    location = SECOND_OTHER_COUNTRY[place.country]
    raw = replace(
        on_board(base.raw, "pages", f"jobs.{slug(posting.company)}.com", "round2-country", base),
        location_raw=location,
        locations_raw=[],
    )
    return Variant(
        raw, [f"location: {location!r}: the same text for another country"], NOW - timedelta(days=8)
    )


def other_level_numeral(builder: Builder, base: Base) -> Variant:
    """The next rung of a ladder written as a numeral: "Engineer" -> "Engineer II"."""
    posting = builder.base(base)
    for old, new in ((" III", " IV"), (" II", " III"), (" I", " II")):
        if posting.title.endswith(old):
            title = posting.title[: -len(old)] + new
            break
    else:
        title = f"{posting.title} II"
    raw = replace(
        on_board(base.raw, "pages", f"jobs.{slug(posting.company)}.com", "round2-numeral", base),
        title=title,
    )
    return Variant(raw, [f"title: {title!r} (a numbered level)"], NOW - timedelta(days=8))


def team_template(builder: Builder, base: Base) -> Variant:
    """The same template for a named team: the team in the title and a team paragraph, one
    responsibility bullet replaced."""
    posting = builder.base(base)
    rng = rng_for(base, "round2-team")
    taken = f"{posting.title} {posting.department or ''}".lower()
    team = rng.choice([team for team in SECOND_TEAMS if team.lower() not in taken])
    lines = text_lines(posting)
    bullets = [i for i, line in enumerate(lines) if line.startswith("- ")]
    if bullets:
        lines[bullets[0]] = (
            f"- Own the {team.lower()} roadmap together with the product manager of the team."
        )
    lines.insert(1, SECOND_TEAM_NOTES[0].format(team=team))
    raw = replace(
        on_board(base.raw, "pages", f"jobs.{slug(posting.company)}.com", "round2-team", base),
        title=f"{posting.title} ({team})", description_html=render(lines, "paragraphs"),
    )  # fmt: skip
    return Variant(
        raw,
        [
            f"title: ({team}) added",
            "description: a team paragraph added, the first bullet replaced",
        ],
        NOW - timedelta(days=8),
    )


def repost_other_team(builder: Builder, base: Base) -> Variant:
    """Another opening on the same board with the same title: the middle third of the text is
    another job's. A text of few lines is cut into sentences first, so that a third is a third."""
    posting = builder.base(base)
    donor = pieces(text_lines(builder.base(donor_for(builder, base))))
    lines = pieces(text_lines(posting))
    third = len(lines) // 3
    mixed = [*lines[:third], *donor[len(donor) // 3 : 2 * len(donor) // 3], *lines[2 * third :]]
    raw = replace(
        on_board(base.raw, base.raw.source, base.raw.source_key, "round2-repost-team", base),
        description_html=render(mixed, "paragraphs"),
    )
    return Variant(
        raw,
        ["same board, new id", "description: middle third from another job"],
        NOW - timedelta(days=3),
    )


def pieces(lines: list[str]) -> list[str]:
    """The lines, or their sentences when there are fewer than six lines."""
    if len(lines) >= 6:
        return lines
    return [part for line in lines for part in re.split(r"(?<=[.!?])\s+", line) if part.strip()]


def second_round_pairs(builder: Builder, base: Base) -> None:
    """The second round of templates (first measured as a held-out split, see README.md)."""
    if not builder.described(base):
        return
    builder.pair(base, board_snippet(builder, base), "duplicate", 3, "board_snippet")
    builder.pair(base, careers_page_edited(builder, base), "duplicate", 3, "careers_page_edited")
    builder.pair(base, repost_update(builder, base), "duplicate", 2, "repost_update")
    country = other_country(builder, base)
    if country is not None:
        builder.pair(base, country, "distinct", 3, "other_country")
    builder.pair(base, other_level_numeral(builder, base), "distinct", 3, "other_level_numeral")
    builder.pair(base, team_template(builder, base), "distinct", 3, "team_template")
    builder.pair(base, repost_other_team(builder, base), "distinct", 2, "repost_other_team")


# --- the fresh split: a third round of templates, written after the rules and thresholds were
# --- frozen, and measured once --------------------------------------------------------------------

FRESH_CITIES = {
    "US": ("Denver, CO", "Atlanta, GA"), "GB": ("Bristol, United Kingdom",), "FR": ("Toulouse, France",),
    "JP": ("Fukuoka, Japan",), "SE": ("Malmö, Sweden",), "IN": ("Pune, India",),
    "NL": ("Rotterdam, Netherlands",), "CA": ("Vancouver, BC",), "DE": ("Hamburg, Germany",),
    "IL": ("Haifa, Israel",), "VN": ("Da Nang, Vietnam",),
}  # fmt: skip
FRESH_ROLE_SWAPS = (
    ("Engineer", "Analyst"), ("Scientist", "Engineer"), ("Architect", "Consultant"),
    ("Executive", "Manager"), ("Specialist", "Coordinator"), ("Lead", "Partner"),
    ("Therapist", "Assistant"), ("LPN", "CNA"), ("Analyst", "Engineer"), ("Manager", "Director"),
    ("Contractor", "Coordinator"), ("Intern", "Apprentice"), ("Consultant", "Advisor"),
    ("Betreuer", "Berater"), ("Technician", "Engineer"),
)  # fmt: skip
FRESH_FOOTER = (
    "Posted by our recruiting partner on behalf of the employer. Questions about this vacancy can "
    "be sent through the contact form; please mention the job title and the location you apply for."
)


def fresh_ats_migration(builder: Builder, base: Base) -> Variant:
    """The same job on the employer's second ATS while it moves: lists written as paragraphs, a
    salary-range line appended, the state written out."""
    posting = builder.base(base)
    place = first_place(posting)
    lines = [line[2:] if line.startswith("- ") else line for line in text_lines(posting)]
    lines.append("Salary range: depends on experience and location; shared during the first call.")
    location = posting.location_raw
    if place and place.city and place.country == "US" and place.region:
        state = pycountry.subdivisions.get(code=f"US-{place.region}")
        location = f"{place.city}, {state.name if state else place.region}"
    target = "lever" if base.raw.source != "lever" else "greenhouse"
    raw = replace(
        on_board(base.raw, target, f"{slug(posting.company)}-new", "fresh-migration", base),
        title=posting.title.replace(" - ", " – ") + ("." if rng_for(base, "dot").random() < 0.3 else ""),
        company=(posting.company or "").lower(), location_raw=location, locations_raw=[],
        description_html=render(lines, "paragraphs"),
    )  # fmt: skip
    return Variant(
        raw,
        ["second ATS of the employer", "title: dashes changed, maybe a trailing dot",
         f"company: {(posting.company or '').lower()!r}", f"location: {location!r}",
         "description: bullets written as paragraphs, a salary-range line added"],
        NOW - timedelta(days=15),
    )  # fmt: skip


def fresh_aggregator_full(builder: Builder, base: Base) -> Variant:
    """A job board with the whole text and its own footer, the place in its "Greater X Area" style."""
    posting = builder.base(base)
    place = first_place(posting)
    location = f"Greater {place.city} Area" if place and place.city else posting.location_raw
    suffix = (
        " (Hybrid)"
        if posting.remote == "hybrid"
        else " (Remote)"
        if posting.remote == "remote"
        else ""
    )
    raw = replace(
        on_board(base.raw, "jobfeed", "jobfeed", "fresh-aggregator", base),
        title=posting.title + suffix, location_raw=location, locations_raw=[],
        description_html=render([*text_lines(posting), FRESH_FOOTER], "divs"),
    )  # fmt: skip
    return Variant(
        raw,
        [f"title: {suffix.strip() or 'no'} workplace suffix", f"location: {location!r}",
         "description: a recruiter footer added"],
        NOW - timedelta(days=12),
    )  # fmt: skip


def fresh_sibling_role(builder: Builder, base: Base) -> Variant | None:
    """A sibling role of the same team: the role noun changed and a third of the text replaced."""
    posting = builder.base(base)
    title = swap(posting.title, FRESH_ROLE_SWAPS)
    if title is None:
        return None
    donor = pieces(text_lines(builder.base(donor_for(builder, base))))
    lines = pieces(text_lines(posting))
    third = len(lines) // 3
    mixed = [*lines[: len(lines) - third], *donor[:third]]
    raw = replace(
        on_board(base.raw, "jsonld", f"careers.{slug(posting.company)}.com", "fresh-sibling", base),
        title=title, description_html=render(mixed, "paragraphs"),
    )  # fmt: skip
    return Variant(
        raw,
        [f"title: {title!r} (a sibling role)", "description: the last third from another job"],
        NOW - timedelta(days=9),
    )


def fresh_lead(builder: Builder, base: Base) -> Variant:
    posting = builder.base(base)
    title = f"Lead {posting.title}" if "Lead" not in posting.title else f"Junior {posting.title}"
    raw = replace(
        on_board(base.raw, "jsonld", f"careers.{slug(posting.company)}.com", "fresh-lead", base),
        title=title,
    )
    return Variant(raw, [f"title: {title!r}, text unchanged"], NOW - timedelta(days=9))


def fresh_city(builder: Builder, base: Base, board: bool) -> Variant | None:
    """The same text for a second city of the same country."""
    posting = builder.base(base)
    place = first_place(posting)
    if place is None or place.country not in FRESH_CITIES or posting.remote == "remote":
        return None
    if any(p.city is None for p in posting.locations):
        return None
    taken = {p.city for p in posting.locations}
    city = next((c for c in FRESH_CITIES[place.country] if c.split(",")[0] not in taken), None)
    if city is None:
        return None
    source, key = (base.raw.source, base.raw.source_key) if board else ("jobfeed", "jobfeed")
    raw = replace(
        on_board(base.raw, source, key, f"fresh-city-{board}", base),
        location_raw=city,
        locations_raw=[],
    )
    return Variant(raw, [f"location: {city!r}: a second opening"], NOW - timedelta(days=9))


def fresh_repost_identical(builder: Builder, base: Base) -> Variant:
    posting = builder.base(base)
    raw = replace(
        on_board(base.raw, base.raw.source, base.raw.source_key, "fresh-identical", base),
        description_html=render(text_lines(posting), "divs"),
    )
    return Variant(
        raw, ["same board, new id, the same text in other markup"], NOW - timedelta(days=2)
    )


def fresh_board_sibling(builder: Builder, base: Base) -> Variant:
    """Same board, same title and place, the text of another employer's job."""
    posting = builder.base(base)
    others = [
        b
        for b in builder.bases
        if builder.described(b) and builder.base(b).company != posting.company
    ]
    donor = others[rng_for(base, "fresh-board-sibling").randrange(len(others))]
    raw = replace(
        on_board(base.raw, base.raw.source, base.raw.source_key, "fresh-board-sibling", base),
        description_html=render(text_lines(builder.base(donor)), "paragraphs"),
    )
    return Variant(
        raw, [f"same board, the text of {builder.base(donor).id}"], NOW - timedelta(days=2)
    )


def fresh_pairs(builder: Builder, base: Base) -> None:
    if not builder.described(base):
        return
    builder.pair(
        base, fresh_ats_migration(builder, base), "duplicate", 3, "fresh_ats_migration", "fresh"
    )
    builder.pair(
        base, fresh_aggregator_full(builder, base), "duplicate", 3, "fresh_aggregator_full", "fresh"
    )
    sibling = fresh_sibling_role(builder, base)
    if sibling is not None:
        builder.pair(base, sibling, "distinct", 3, "fresh_sibling_role", "fresh")
    builder.pair(base, fresh_lead(builder, base), "distinct", 3, "fresh_lead", "fresh")
    for board, level in ((False, 3), (True, 2)):
        city = fresh_city(builder, base, board)
        if city is not None:
            builder.pair(base, city, "distinct", level, "fresh_city", "fresh")
    builder.pair(
        base,
        fresh_repost_identical(builder, base),
        "duplicate",
        2,
        "fresh_repost_identical",
        "fresh",
    )
    builder.pair(
        base, fresh_board_sibling(builder, base), "distinct", 2, "fresh_board_sibling", "fresh"
    )


def write(builder: Builder) -> None:
    with (HERE / "postings.jsonl").open("w", encoding="utf-8") as out:
        for job_id in sorted(builder.postings):
            provenance, record = builder.postings[job_id]
            out.write(
                json.dumps({"provenance": provenance, "posting": record}, ensure_ascii=False) + "\n"
            )
    with (HERE / "pairs.jsonl").open("w", encoding="utf-8") as out:
        for pair in builder.pairs:
            out.write(json.dumps(pair, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--real", type=Path, default=HERE.parents[3] / "shared" / "fixtures" / "real"
    )
    options = parser.parse_args()
    builder = build(options.real)
    write(builder)
    labels: dict[str, int] = {}
    for pair in builder.pairs:
        key = f"{pair['split']} {pair['level']} {pair['kind']} {pair['label']}"
        labels[key] = labels.get(key, 0) + 1
    for key in sorted(labels):
        print(f"{labels[key]:4d}  {key}")
    print(f"{len(builder.pairs)} pairs, {len(builder.postings)} postings")


if __name__ == "__main__":
    main()
