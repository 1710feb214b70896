"""Cross-source duplicate detection at scale: time, peak memory, precision and recall.

    python bench/dedupe_scale.py [--count 1000000] [--seed 1] [--workers 2]

Generates `--count` synthetic postings from `--seed` (the same postings for any number of
workers), with planted duplicates across sources, and clusters them with the engine used by the
store (`DedupeIndex.from_batches`, fed by `feature_batch`). Worker processes generate postings
and read their features (`feature_batch`) in chunks, so no process ever holds more than a chunk
of `JobPosting` objects; the parent keeps only the feature table, as `DedupeIndex.build` would.

How the postings are made (all choices seeded):

- Employers: about one per 18 postings, Zipf-sized (the largest has a few thousand postings),
  each with a name from word lists, an ATS board (greenhouse, lever, ashby...), one to four
  offices, and its own boilerplate: an about-us paragraph, a benefits paragraph and an
  equal-opportunity statement.
- Jobs: a level, a role and sometimes a team ("Senior Data Engineer, Payments"), an office (or
  remote in a world area), a department, and a description of about 185-290 words (median 235):
  the employer's boilerplate around 6-12 sentences from the role family's pool (120 of the 406
  sentences of the real descriptions in tests/data/dedupe/postings.jsonl and 220 made from word
  slots), so that jobs of one family share sentences, plus 2-4 sentences made for the job alone
  and a skills line. 3% of jobs have no text.
- Groups (one truth group per job): 53% of the groups are a job on its ATS alone; 18% a job
  also on the employer's career page (`jsonld:careers.<employer>`: gender marker or dash in the
  title, legal form, city written another way, a different intro, the equal-opportunity
  statement cut or not); 12% also on a job board (`jobboard:<board>`: title abbreviated with a
  place suffix, employer in capitals or with "Inc.", city without country, boilerplate cut, a
  quarter of them a snippet of the first half, a few words changed, 6% text-less cards); 5% on
  both.
- Hard negatives (6% of the groups; two truth groups each, never duplicates): two jobs with one
  description on two boards, of one employer in another city, for another team or at another
  level (4.5%), or the same title and text under another employer, as a staffing agency reposts
  it (1.5%).

Reported: wall time of the whole run and of each phase (the read phase includes generating the
postings in the workers), CPU seconds of the parent and of the workers (generation and features
split), peak RSS (`ru_maxrss`) of the parent and of the largest worker, the load average, and
precision and recall over pairs: a pair of postings is predicted when they share a cluster and
true when they come from one planted job.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.dedupe import DedupeIndex, DedupeSettings
from crawler.dedupe.table import FeatureBatch, feature_batch
from crawler.items import JobPosting, Location

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "dedupe" / "postings.jsonl"
CHUNK = 2000
"""Postings per worker task."""
POSTINGS_PER_EMPLOYER = 18

ADJECTIVES = (  # noqa: SIM905 (a list literal would take a line per word)
    "Blue Bright Silver Quiet Rapid Clear Bold Golden Green Hidden Iron Lucky Modern Noble Open "
    "Polar Prime Red Royal Solid Swift True Vivid Wild Young Amber Arctic Brave Calm Cosmic Crisp "
    "Deep Early Electric Fair First Free Grand Happy High Honest Kind Little Lunar Magic Mighty "
    "Misty Native North Oak Pale Pure Quick Rare Rising Rocky Sharp Simple Smart Solar Steady "
    "Stone Sunny Tall Urban Velvet Warm West White Wise Azure Coral Crimson Eager Ember Fern "
    "Frost Glass Harbor Indigo Jade Keen"
).split()
NOUNS = (  # noqa: SIM905 (a list literal would take a line per word)
    "Harbor Falcon River Summit Beacon Anchor Arrow Birch Bridge Canyon Cedar Comet Compass Crane "
    "Crest Delta Echo Field Forge Fox Garden Glacier Grove Hawk Horizon Island Lantern Leaf Lion "
    "Maple Meadow Mesa Mill Moon Mountain Nest Ocean Orbit Otter Owl Peak Pine Planet Pond Prairie "
    "Quarry Rain Raven Reef Ridge Rock Sail Sand Shore Sky Spark Spring Spruce Star Stream Sun "
    "Tide Timber Trail Tree Valley Vine Wave Willow Wind Wing Wolf Yard Zephyr Atlas Basil Cobalt"
).split()
KINDS = (  # noqa: SIM905 (a list literal would take a line per word)
    "Labs Systems Analytics Health Robotics Software Energy Logistics Networks Foods Studios "
    "Capital Media Bio Dynamics Mobility"
).split()
LEGAL = {
    "DE": "GmbH",
    "AT": "GmbH",
    "CH": "AG",
    "FR": "SAS",
    "GB": "Ltd",
    "US": "Inc.",
    "NL": "B.V.",
}
ATS = ("greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable", "recruitee")
BOARDS = ("jobboard", "talentwire", "hirehub", "worknest")
CITIES = (
    ("Berlin", None, "DE", "Berlin"), ("Munich", None, "DE", "München"),
    ("Hamburg", None, "DE", "Hamburg"), ("Cologne", None, "DE", "Köln"),
    ("Vienna", None, "AT", "Wien"), ("Zurich", None, "CH", "Zürich"), ("Paris", None, "FR", "Paris"),
    ("Lyon", None, "FR", "Lyon"), ("London", None, "GB", "London"),
    ("Manchester", None, "GB", "Manchester"), ("Dublin", None, "IE", "Dublin"),
    ("Amsterdam", None, "NL", "Amsterdam"), ("Madrid", None, "ES", "Madrid"),
    ("Barcelona", None, "ES", "Barcelona"), ("Lisbon", None, "PT", "Lisboa"),
    ("Milan", None, "IT", "Milano"), ("Warsaw", None, "PL", "Warszawa"),
    ("Prague", None, "CZ", "Praha"), ("Stockholm", None, "SE", "Stockholm"),
    ("Copenhagen", None, "DK", "København"), ("New York", "NY", "US", "NYC"),
    ("San Francisco", "CA", "US", "San Francisco"), ("Austin", "TX", "US", "Austin"),
    ("Chicago", "IL", "US", "Chicago"), ("Seattle", "WA", "US", "Seattle"),
    ("Boston", "MA", "US", "Boston"), ("Denver", "CO", "US", "Denver"),
    ("Atlanta", "GA", "US", "Atlanta"), ("Toronto", "ON", "CA", "Toronto"),
    ("Vancouver", "BC", "CA", "Vancouver"), ("Bengaluru", None, "IN", "Bangalore"),
    ("Mumbai", None, "IN", "Bombay"), ("Singapore", None, "SG", "Singapore"),
    ("Sydney", "NSW", "AU", "Sydney"), ("Tokyo", None, "JP", "Tokyo"),
    ("Tel Aviv", None, "IL", "Tel Aviv-Yafo"), ("São Paulo", None, "BR", "Sao Paulo"),
    ("Mexico City", None, "MX", "Ciudad de México"),
)  # fmt: skip
AREAS = ("Europe", "EMEA", "North America", "APAC", "LATAM")
LEVELS = (
    ("", 45), ("Senior ", 24), ("Junior ", 8), ("Staff ", 5), ("Lead ", 5), ("Principal ", 3),
    ("Associate ", 5), ("Intern ", 2), ("Head of ", 3),
)  # fmt: skip
LEVEL_NAMES = [level for level, _ in LEVELS]
LEVEL_WEIGHTS = list(itertools.accumulate(weight for _, weight in LEVELS))
FAMILIES: dict[str, tuple[str, ...]] = {
    "engineering": (
        "Software Engineer", "Backend Engineer", "Frontend Engineer", "Fullstack Engineer",
        "Mobile Engineer", "Site Reliability Engineer", "Security Engineer", "QA Engineer",
        "Platform Engineer", "Embedded Engineer", "Machine Learning Engineer", "DevOps Engineer",
    ),
    "data": ("Data Engineer", "Data Scientist", "Data Analyst", "Analytics Engineer",
             "Research Scientist", "BI Developer"),
    "product": ("Product Manager", "Product Designer", "UX Researcher", "Technical Writer",
                "Program Manager"),
    "sales": ("Account Executive", "Sales Development Representative", "Account Manager",
              "Solutions Engineer", "Partner Manager", "Sales Manager"),
    "support": ("Customer Success Manager", "Support Specialist", "Implementation Consultant",
                "Technical Support Engineer", "Onboarding Specialist"),
    "operations": ("Operations Manager", "Recruiter", "People Partner", "Office Manager",
                   "Financial Analyst", "Accountant", "Legal Counsel", "Procurement Specialist"),
    "marketing": ("Marketing Manager", "Content Strategist", "Growth Marketer",
                  "Brand Designer", "Community Manager", "SEO Specialist"),
    "care": ("Registered Nurse", "Physical Therapist", "Care Coordinator", "Pharmacist",
             "Medical Assistant", "Clinical Specialist"),
}  # fmt: skip
TEAMS = (
    "Payments", "Growth", "Platform", "Mobile", "Infrastructure", "Search", "Billing", "Identity",
    "Checkout", "Risk", "Marketplace", "Data Platform", "Developer Experience", "Enterprise",
    "Partnerships", "Onboarding", "Ads", "Messaging", "Logistics", "Compliance",
)  # fmt: skip
VERBS = (
    "Design", "Build", "Own", "Improve", "Maintain", "Lead", "Shape", "Drive", "Support",
    "Review", "Plan", "Measure", "Automate", "Document", "Scale", "Coordinate", "Analyse",
    "Deliver", "Launch", "Simplify", "Prioritise", "Test", "Monitor", "Present", "Negotiate",
)  # fmt: skip
TEXT_ADJECTIVES = (
    "reliable", "internal", "regional", "shared", "critical", "public", "secure", "daily",
    "quarterly", "complex", "scalable", "clinical", "financial", "mobile", "legacy", "modern",
    "global", "local", "customer-facing", "automated", "manual", "strategic", "technical",
    "commercial", "operational", "accessible", "flexible", "weekly", "structured", "sensitive",
    "growing", "existing", "upcoming", "distributed", "central", "annual", "early", "detailed",
    "measurable", "practical", "robust", "seasonal", "new", "key", "core", "open", "small",
    "large", "remote", "hybrid",
)  # fmt: skip
TEXT_NOUNS = (
    "services", "pipelines", "roadmaps", "dashboards", "accounts", "experiments", "processes",
    "systems", "reports", "campaigns", "contracts", "budgets", "forecasts", "integrations",
    "releases", "audits", "workflows", "models", "interfaces", "teams", "partners", "vendors",
    "patients", "clients", "users", "stakeholders", "metrics", "queues", "ledgers", "invoices",
    "schedules", "guidelines", "documents", "templates", "tools", "features", "reviews", "tests",
    "incidents", "alerts", "deployments", "databases", "networks", "devices", "channels",
    "markets", "segments", "programmes", "policies", "standards", "checklists", "backlogs",
    "prototypes", "surveys", "interviews", "trainings", "plans", "records", "shipments",
    "orders", "payments", "claims", "tickets", "requests", "goals", "initiatives", "products",
    "platforms", "components", "libraries",
)  # fmt: skip
PREPOSITIONS = ("for", "with", "across", "behind", "around", "within", "through", "beside")
CONTEXTS = (
    "together with product and design", "across three time zones", "with a small senior team",
    "for customers in regulated industries", "from the first sketch to production",
    "with clear written communication", "using data rather than opinions",
    "while keeping quality high", "for a fast-growing customer base", "in close contact with sales",
    "as part of a cross-functional squad", "with a focus on reliability",
    "so that teams can move faster", "for thousands of daily users", "within a friendly team",
)  # fmt: skip
SKILLS = (
    "Python", "Go", "Java", "Kotlin", "Swift", "TypeScript", "React", "SQL", "dbt", "Airflow",
    "Kubernetes", "Terraform", "AWS", "GCP", "Azure", "Postgres", "Kafka", "Spark", "Figma",
    "Salesforce", "HubSpot", "Excel", "Tableau", "Looker", "Jira", "Linux", "Rust", "C++",
    "statistics", "A/B testing", "negotiation", "stakeholder management", "SEO", "copywriting",
    "patient safety", "HIPAA", "GDPR", "accounting standards", "contract law", "agile delivery",
)  # fmt: skip
ABOUT = (
    "{name} builds {thing} for {who}.", "Founded in {year}, {name} now serves {count} customers.",
    "Our teams work from {offices} and remotely.", "{name} is backed by long-term investors.",
    "We care about craft, candour and shipping things that matter.",
    "Every year {name} grows its team by about a third.",
)  # fmt: skip
THINGS = (
    "software", "tools", "payment infrastructure", "analytics", "logistics software",
    "clinical services", "energy management", "learning tools", "security products",
)  # fmt: skip
WHO = ("finance teams", "hospitals", "retailers", "developers", "small businesses", "schools")
BENEFITS = (
    "We offer {days} days of paid leave, a learning budget and flexible hours.",
    "Benefits include health insurance, a pension plan and a yearly team trip.",
    "You get a laptop of your choice, a home office budget and parental leave.",
    "We pay transparently by level and review salaries twice a year.",
)  # fmt: skip
EEO = (
    "{name} is an equal opportunity employer and values diversity of every kind.",
    "We welcome applications from people of all backgrounds, genders and abilities.",
    "All qualified applicants will receive consideration without regard to any protected characteristic.",
    "{name} is committed to an inclusive hiring process; tell us if you need adjustments.",
)  # fmt: skip
INTROS = (
    "Join {name} and help us shape what comes next.",
    "Working at {name} means owning real problems from day one.",
    "{name} is hiring: read on to see if this role fits you.",
)  # fmt: skip
ABBREVIATIONS = (("Senior", "Sr."), ("Engineer", "Eng."), ("Manager", "Mgr."), ("Junior", "Jr."))
SYNONYMS = (
    ("build", "create"), ("improve", "enhance"), ("customers", "clients"), ("team", "squad"),
    ("experience", "background"), ("help", "assist"), ("work", "collaborate"),
)  # fmt: skip


@lru_cache(maxsize=1)
def real_sentences() -> tuple[str, ...]:
    """Sentences of the real recorded descriptions in the labelled set (6 to 45 words)."""
    found: set[str] = set()
    with DATA.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if not record["provenance"].startswith("real: "):
                continue
            for text_line in (record["posting"].get("description_text") or "").splitlines():
                cleaned = text_line.strip().lstrip("-•* ").strip()
                for sentence in re.split(r"(?<=[.!?])\s+", cleaned):
                    if 6 <= len(sentence.split()) <= 45:
                        found.add(sentence)
    return tuple(sorted(found))


@lru_cache(maxsize=16)
def family_pool(seed: int, family: str) -> tuple[str, ...]:
    """A family's share of the sentences: jobs of one family share some of their text."""
    rng = random.Random(f"{seed}:family:{family}")
    real = rng.sample(real_sentences(), 120)
    made = [made_sentence(rng) for _ in range(220)]
    return tuple(real + made)


SENTENCE_SLOTS = (
    VERBS, ("the", "our", "new", "every"), TEXT_ADJECTIVES, TEXT_NOUNS, PREPOSITIONS,
    TEXT_ADJECTIVES, TEXT_NOUNS, ("",) * 7 + CONTEXTS * 3,
)  # fmt: skip
"""The words of a made sentence, slot by slot; the last slot adds a context three times in ten."""


def made_sentence(rng: random.Random) -> str:
    """
    A sentence from slots of 8 to 70 words each, so that two of them rarely share a 3-word
    shingle (fixed phrases would make every job of a family look alike).

    One 96-bit draw picks every slot (a call of the random module per slot cost more than the
    rest of a posting's generation).
    """
    bits = rng.getrandbits(96)
    words: list[str] = []
    for options in SENTENCE_SLOTS:
        bits, index = divmod(bits, len(options))
        if options[index]:
            words.append(options[index])
    return " ".join(words) + "."


@lru_cache(maxsize=64)
def teams_for(role: str) -> tuple[str, ...]:
    """Teams whose words are not in the role ("Mobile Engineer, Mobile" is no real title)."""
    words = set(role.lower().split())
    return tuple(team for team in TEAMS if not words & set(team.lower().split()))


@dataclass(frozen=True)
class Employer:
    number: int
    name: str
    slug: str
    ats: str
    offices: tuple[tuple[str, str | None, str, str], ...]
    about: str
    benefits: str
    eeo: str
    families: tuple[str, ...]


@lru_cache(maxsize=1 << 17)
def employer(seed: int, number: int) -> Employer:
    """
    Employer `number`: everything about it follows from (seed, number).

    Cached for every employer of a run (about 55,000 at a million postings, some 80 MB per
    worker): making one costs more than generating a posting.
    """
    rng = random.Random(f"{seed}:employer:{number}")
    a, b, k = len(ADJECTIVES), len(NOUNS), len(KINDS)
    name = f"{ADJECTIVES[number % a]} {NOUNS[(number // a) % b]} {KINDS[(number // (a * b)) % k]}"
    if number >= a * b * k:
        name += f" {number // (a * b * k) + 1}"
    offices = tuple(rng.sample(CITIES, rng.choice((1, 1, 2, 2, 3, 4))))
    words = {
        "name": name, "thing": rng.choice(THINGS), "who": rng.choice(WHO),
        "year": rng.randint(1990, 2024), "count": f"{rng.randint(2, 900)},000",
        "offices": " and ".join(office[0] for office in offices), "days": rng.randint(24, 32),
    }  # fmt: skip
    about = " ".join(rng.sample(ABOUT, 4)).format(**words)
    return Employer(
        number=number, name=name, slug=name.lower().replace(" ", "-"), ats=rng.choice(ATS),
        offices=offices, about=about, benefits=rng.choice(BENEFITS).format(**words),
        eeo=rng.choice(EEO).format(**words),
        families=tuple(rng.sample(sorted(FAMILIES), rng.randint(2, 4))),
    )  # fmt: skip


@dataclass
class Job:
    """One job as its employer's ATS lists it, before any other source copies it."""

    employer: Employer
    level: str
    role: str
    team: str | None
    family: str
    place: tuple[str, str | None, str, str] | None
    """An office, or None for a remote job (then `remote_area`)."""
    remote_area: str | None
    body: list[str]
    """The job's own sentences, without the employer's boilerplate."""
    department: str

    @property
    def title(self) -> str:
        return f"{self.level}{self.role}" + (f", {self.team}" if self.team else "")

    def text(self, intro: str | None = None, eeo: bool = True, benefits: bool = True) -> str:
        parts = [intro or self.employer.about, "What you will do", *self.body]
        if benefits:
            parts.append(self.employer.benefits)
        if eeo:
            parts.append(self.employer.eeo)
        return "\n".join(parts)


@dataclass
class Chunk:
    """What one worker task returns."""

    batch: FeatureBatch
    truth: dict[str, tuple[int, str]]
    """Posting id -> (planted job, kind of copy) for postings of a job on two or more boards."""
    negatives: dict[str, str]
    """Posting id -> kind, for the postings of hard-negative groups."""
    true_pairs: Counter[str] = field(default_factory=Counter)
    generate_seconds: float = 0.0
    feature_seconds: float = 0.0


class Generator:
    """Postings of one chunk; every random choice comes from (seed, chunk)."""

    def __init__(self, seed: int, chunk: int, employers: int) -> None:
        self.seed = seed
        self.chunk = chunk
        self.rng = random.Random(f"{seed}:chunk:{chunk}")
        self.employers = employers
        self.serial = 0
        self.start = datetime(2026, 11, 1, tzinfo=UTC)

    def employer_number(self) -> int:
        """Zipf-like: employer n is chosen with weight 1 / (n + 30)."""
        low, high = 30, self.employers + 30
        value = low * (high / low) ** self.rng.random()
        return min(int(value) - low, self.employers - 1)

    def job(self) -> Job:
        rng = self.rng
        boss = employer(self.seed, self.employer_number())
        family = rng.choice(boss.families)
        level = rng.choices(LEVEL_NAMES, cum_weights=LEVEL_WEIGHTS)[0]
        role = rng.choice(FAMILIES[family])
        team = rng.choice(teams_for(role)) if rng.random() < 0.35 else None
        remote = rng.random() < 0.1
        pool = family_pool(self.seed, family)
        body = rng.sample(pool, rng.randint(6, 12))
        body += [made_sentence(rng) for _ in range(rng.randint(2, 4))]
        skills = rng.sample(SKILLS, 3)
        body.append(
            f"You have {rng.randint(1, 8)}+ years of experience with {skills[0]}, "
            f"{skills[1]} or {skills[2]}, and you write clearly."
        )
        return Job(
            employer=boss, level=level, role=role, team=team,
            family=family, place=None if remote else rng.choice(boss.offices),
            remote_area=rng.choice(AREAS) if remote else None, body=body,
            department=team or family.title(),
        )  # fmt: skip

    def posting(
        self, job: Job, source: str, key: str, title: str, company: str,
        locations: list[Location], text: str | None, days: int,
    ) -> JobPosting:  # fmt: skip
        self.serial += 1
        number = f"{self.chunk:05d}{self.serial:05d}"
        seen = self.start + timedelta(days=days, minutes=self.rng.randint(0, 600))
        return JobPosting(
            id=f"{source}:{key}:{number}", source=source, source_key=key, source_id=number,
            url=f"https://{key}.example/{number}", title=title, company=company,
            locations=locations, description_text=text, department=job.department,
            date_posted=date(2026, 10, 1) + timedelta(days=self.rng.randint(0, 30)),
            first_seen=seen, remote="remote" if job.place is None else None,
        )  # fmt: skip

    def ats_posting(self, job: Job) -> JobPosting:
        if job.place is None:
            locations = [Location(region=job.remote_area)]
        else:
            city, region, country, _ = job.place
            locations = [Location(city=city, region=region, country=country)]
        text = job.text() if self.rng.random() > 0.03 else None
        boss = job.employer
        return self.posting(job, boss.ats, boss.slug, job.title, boss.name, locations, text, 0)

    def careers_copy(self, job: Job) -> JobPosting:
        """The job on the employer's own career page."""
        rng = self.rng
        boss = job.employer
        country = job.place[2] if job.place else "US"
        title = job.title
        if country in ("DE", "AT", "CH"):
            title += " (m/w/d)"
        elif country == "FR":
            title += " (H/F)"
        elif rng.random() < 0.5:
            title = title.replace(", ", " - ")
        company = f"{boss.name} {LEGAL.get(country, 'Inc.')}"
        if job.place is None:
            locations = [Location(region=job.remote_area)]
        else:
            city, region, country, other = job.place
            written = other if rng.random() < 0.5 else city
            locations = [Location(city=written, region=region, country=country)]
        intro = rng.choice(INTROS).format(name=boss.name)
        text = job.text(intro=intro, eeo=rng.random() < 0.5)
        return self.posting(
            job, "jsonld", f"careers.{boss.slug}", title, company, locations, text, 1
        )

    def board_copy(self, job: Job) -> tuple[JobPosting, str]:
        """The job on a job board: abbreviated, boilerplate cut, sometimes a snippet or a card."""
        rng = self.rng
        boss = job.employer
        title = job.title
        for long, short in ABBREVIATIONS:
            title = title.replace(long, short)
        if job.place is None:
            title += " (Remote)"
            locations: list[Location] = []
        else:
            city, region, _, _ = job.place
            title += f" - {city}"
            locations = [Location(city=city, region=region if region else None)]
        company = boss.name.upper() if rng.random() < 0.5 else f"{boss.name}, Inc."
        kind = "board"
        body = list(job.body)
        roll = rng.random()
        if roll < 0.06:
            text, kind = None, "board_card"
        else:
            if roll < 0.3:
                body, kind = body[: max(3, len(body) // 2)], "board_snippet"
            text = "\n".join(body)
            for word, other in rng.sample(SYNONYMS, 2):
                text = text.replace(f" {word} ", f" {other} ", 1)
        board = rng.choice(BOARDS)
        return self.posting(job, "jobboard", board, title, company, locations, text, 2), kind

    def hard_negative(self) -> tuple[list[JobPosting], str]:
        """Two jobs that look alike on two boards: another city, team or level, or employer."""
        rng = self.rng
        job = self.job()
        kind = rng.choice(("other_city", "other_team", "other_level", "other_employer"))
        if kind == "other_city" and job.place is None:
            kind = "other_team"  # a remote job's area may well hold the other city
        if kind == "other_team" and job.team is None:
            # "Engineer" and "Engineer - Growth" on the Growth team are one job (the engine's
            # "explained" titles), so both jobs of this negative name their team.
            job.team = rng.choice(teams_for(job.role))
            job.department = job.team
        first = self.ats_posting(job)
        twin = Job(**{**job.__dict__})
        if kind == "other_city":
            places = [office for office in CITIES if office != job.place]
            twin.place = rng.choice(places)
            twin.remote_area = None
        elif kind == "other_team":
            taken = set(str(job.team).lower().split())  # "Data Platform" holds "Platform"
            others = [team for team in teams_for(job.role) if not taken & set(team.lower().split())]
            twin.team = rng.choice(others)
            twin.department = twin.team
        elif kind == "other_level":
            levels = [level for level, _ in LEVELS if level.strip() != job.level.strip()]
            twin.level = rng.choice(levels)
        else:
            twin.employer = employer(self.seed, (job.employer.number + 7919) % self.employers)
            if twin.employer.number == job.employer.number:
                kind = "other_city"
                twin.place = rng.choice([office for office in CITIES if office != job.place])
        second = self.careers_copy(twin) if rng.random() < 0.5 else self.board_copy(twin)[0]
        return [first, second], kind

    def postings(self, count: int) -> Iterator[tuple[JobPosting, int, str, str]]:
        """(posting, group, kind, role) until `count`; role is "job", "copy" or "negative"."""
        made = 0
        group = 0
        while made < count:
            group += 1
            roll = self.rng.random()
            members: list[tuple[JobPosting, str, str]]
            if roll < 0.06:
                pair, kind = self.hard_negative()
                for number, posting in enumerate(pair):
                    if made < count:
                        yield posting, group * 2 + number, kind, "negative"
                        made += 1
                continue
            job = self.job()
            members = [(self.ats_posting(job), "ats", "job")]
            if roll < 0.06 + 0.18:
                members.append((self.careers_copy(job), "careers", "copy"))
            elif roll < 0.06 + 0.30:
                posting, kind = self.board_copy(job)
                members.append((posting, kind, "copy"))
            elif roll < 0.06 + 0.35:
                members.append((self.careers_copy(job), "careers", "copy"))
                posting, kind = self.board_copy(job)
                members.append((posting, kind, "copy"))
            for posting, kind, role in members[: count - made]:
                yield posting, group * 2, kind, role
                made += 1


def make_chunk(
    seed: int, chunk: int, count: int, employers: int, settings: DedupeSettings
) -> Chunk:
    """Generate one chunk and read its features (the work of a worker process)."""
    started = time.process_time()
    generator = Generator(seed, chunk, employers)
    rows = list(generator.postings(count))
    generated = time.process_time()
    batch = feature_batch((posting for posting, _, _, _ in rows), settings)
    done = time.process_time()
    sizes = Counter(group for _, group, _, role in rows if role != "negative")
    truth: dict[str, tuple[int, str]] = {}
    negatives: dict[str, str] = {}
    true_pairs: Counter[str] = Counter()
    for posting, group, kind, role in rows:
        if role == "negative":
            negatives[posting.id] = kind
        elif sizes[group] > 1:
            truth[posting.id] = (chunk * 1_000_000 + group, kind)
            if role == "copy":
                true_pairs[kind] += 1  # each copy pairs with the ATS posting
    for size in sizes.values():
        if size == 3:
            true_pairs["careers+board"] += 1  # and the two copies with each other
    return Chunk(batch, truth, negatives, true_pairs, generated - started, done - generated)


def chunks(options: argparse.Namespace, settings: DedupeSettings) -> Iterator[Chunk]:
    """The chunks in order, made by worker processes (at most two tasks each in flight)."""
    employers = max(20, options.count // POSTINGS_PER_EMPLOYER)
    sizes = [min(CHUNK, options.count - start) for start in range(0, options.count, CHUNK)]
    if options.workers <= 1:
        for number, size in enumerate(sizes):
            yield make_chunk(options.seed, number, size, employers, settings)
        return
    with ProcessPoolExecutor(max_workers=options.workers) as pool:
        pending: list[Future[Chunk]] = []
        for number, size in enumerate(sizes):
            pending.append(pool.submit(make_chunk, options.seed, number, size, employers, settings))
            if len(pending) >= 2 * options.workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


@dataclass
class Totals:
    truth: dict[str, tuple[int, str]] = field(default_factory=dict)
    negatives: dict[str, str] = field(default_factory=dict)
    true_pairs: Counter[str] = field(default_factory=Counter)
    generate_seconds: float = 0.0
    feature_seconds: float = 0.0


def batches(source: Iterator[Chunk], totals: Totals) -> Iterator[FeatureBatch]:
    for chunk in source:
        totals.truth.update(chunk.truth)
        totals.negatives.update(chunk.negatives)
        totals.true_pairs.update(chunk.true_pairs)
        totals.generate_seconds += chunk.generate_seconds
        totals.feature_seconds += chunk.feature_seconds
        yield chunk.batch


def _pair_kind(first: str, second: str) -> str:
    """A planted pair is named by its copy: the ATS posting with a copy, or two copies."""
    if first == "ats":
        return second
    return first if second == "ats" else "careers+board"


def score(index: DedupeIndex, totals: Totals) -> dict[str, object]:
    """
    Precision and recall over pairs, and where the errors are.

    A wrong pair is named by the hard-negative kind of one of its postings ("unplanted" when
    neither is one) and by the rule of the comparison that accepted it, when the two were
    compared directly rather than joined through a third posting.
    """
    predicted = 0
    correct = 0
    wrong: Counter[str] = Counter()
    why: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for members in index.clusters().values():
        for position, first in enumerate(members):
            for second in members[position + 1 :]:
                predicted += 1
                a, b = totals.truth.get(first), totals.truth.get(second)
                if a is not None and b is not None and a[0] == b[0]:
                    correct += 1
                    found[_pair_kind(a[1], b[1])] += 1
                else:
                    kind = totals.negatives.get(first) or totals.negatives.get(second)
                    wrong[kind or "unplanted"] += 1
                    evidence = index.evidence(first).get(second)
                    why[evidence.reason if evidence else "joined through a third posting"] += 1
    planted = sum(totals.true_pairs.values())
    return {
        "predicted pairs": predicted,
        "planted pairs": planted,
        "true positives": correct,
        "precision": correct / predicted if predicted else 1.0,
        "recall": correct / planted if planted else 1.0,
        "recall by kind": {
            kind: f"{found[kind]}/{total} = {found[kind] / total:.3f}"
            for kind, total in sorted(totals.true_pairs.items())
        },
        "false positives by kind": dict(wrong),
        "false positives by the rule that accepted them": dict(why),
    }


def rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    settings = DedupeSettings()
    load = os.getloadavg()
    started = time.perf_counter()
    totals = Totals()
    index = DedupeIndex.from_batches(batches(chunks(options, settings), totals), settings)
    clustered = time.perf_counter()
    result = score(index, totals)
    stats = index.stats
    report = {
        "postings": stats.postings,
        "workers": options.workers,
        "seed": options.seed,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load average at start (1, 5, 15 min)": [round(value, 1) for value in load],
        "load average at end": [round(value, 1) for value in os.getloadavg()],
        "wall seconds, whole clustering": round(clustered - started, 1),
        "wall seconds by phase": {
            "read (generate + features, in workers)": round(stats.read_seconds, 1),
            "candidate pairs": round(stats.candidate_seconds, 1),
            "compare": round(stats.compare_seconds, 1),
            "merge": round(stats.merge_seconds, 1),
        },
        "wall seconds, scoring (not part of clustering)": round(time.perf_counter() - clustered, 1),
        "cpu seconds, parent": round(cpu(resource.RUSAGE_SELF), 1),
        "cpu seconds, workers": round(cpu(resource.RUSAGE_CHILDREN), 1),
        "cpu seconds in workers: generate / features": [
            round(totals.generate_seconds, 1),
            round(totals.feature_seconds, 1),
        ],
        "peak RSS MB, parent": round(rss_mb(resource.RUSAGE_SELF)),
        "peak RSS MB, largest worker": round(rss_mb(resource.RUSAGE_CHILDREN)),
        "candidate pairs": stats.candidates,
        "compared in full": stats.compared,
        "accepted pairs": stats.accepted,
        **result,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
