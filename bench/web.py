"""
Search and job-page latency of the web dashboard over 100,000 stored postings.

    python bench/web.py                                  # fills /tmp/jobcrawl-bench-web.db once
    python bench/web.py --postings 100000 --repeat 40 --db /tmp/jobcrawl-bench-web.db
    python bench/web.py --db postgresql://postgres@127.0.0.1/bench   # the store's search only

The postings are synthetic and seeded, shaped like crawled ones: 2,000 companies, titles made of a
level, a role and a team, one or two places in 24 countries, a workplace, employment types, a
seniority that follows the level, a salary on 45% of them (in the country's currency, mostly per
year, some per hour or month), three to eight key skills from a vocabulary of 40, a posting date in
the last 120 days, sections, and a description of about 250 words as text and HTML. 15% are closed.
They are written through `Store.upsert_posting`, the crawl's own write path, in batches of 1,000;
a database that already holds enough postings is reused.

Each case is requested `--repeat` times after two warm-up requests, through the dashboard's ASGI
app in this process (Starlette's test client: the whole page, query and template, without a
network); the job page asks for a different job each time. Reported: median and 95th percentile
of wall time per request, and the median CPU time of this process per request (`time.process_time`),
which other work on the machine disturbs less. On PostgreSQL (where the dashboard does not run yet)
the same searches are timed as the store's query alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.items import JobPosting, Location, Salary, Sections, Skill
from crawler.store import JobQuery, close_stores, is_postgres, open_store
from crawler.web.render import job_path

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LEVELS = (
    ("", "mid"), ("Senior ", "senior"), ("Staff ", "staff"), ("Junior ", "junior"),
    ("Principal ", "principal"), ("Head of ", "manager"), ("Intern ", "intern"),
)  # fmt: skip
ROLES = (
    "Software Engineer", "Data Engineer", "Product Manager", "Account Executive", "Designer",
    "Data Scientist", "Recruiter", "Support Specialist", "Security Engineer", "Analyst",
    "Nurse", "Accountant", "Sales Manager", "Site Reliability Engineer", "Marketing Manager",
)  # fmt: skip
TEAMS = ("", ", Backend", ", Frontend", ", Payments", ", Growth", ", Platform", ", Mobile")
PLACES = (
    ("Berlin", "DE", "EUR"), ("Munich", "DE", "EUR"), ("Paris", "FR", "EUR"),
    ("London", "GB", "GBP"), ("Austin", "US", "USD"), ("New York", "US", "USD"),
    ("San Francisco", "US", "USD"), ("Chicago", "US", "USD"), ("Toronto", "CA", "CAD"),
    ("Madrid", "ES", "EUR"), ("Stockholm", "SE", "SEK"), ("Dublin", "IE", "EUR"),
    ("Warsaw", "PL", "PLN"), ("Amsterdam", "NL", "EUR"), ("Zurich", "CH", "CHF"),
    ("Sydney", "AU", "AUD"), ("Bangalore", "IN", "INR"), ("Tokyo", "JP", "JPY"),
    ("Lisbon", "PT", "EUR"), ("Vienna", "AT", "EUR"), ("Copenhagen", "DK", "DKK"),
    ("Oslo", "NO", "NOK"), ("Singapore", "SG", "SGD"), ("Sao Paulo", "BR", "BRL"),
)  # fmt: skip
YEARLY = {"USD": 130000, "EUR": 70000, "GBP": 65000, "CAD": 110000, "SEK": 650000, "PLN": 250000,
          "CHF": 120000, "AUD": 140000, "INR": 2500000, "JPY": 9000000, "DKK": 600000,
          "NOK": 700000, "SGD": 120000, "BRL": 200000}  # fmt: skip
SKILLS = (
    ("Python", "language"), ("Java", "language"), ("Go", "language"), ("TypeScript", "language"),
    ("JavaScript", "language"), ("Rust", "language"), ("C++", "language"), ("Kotlin", "language"),
    ("SQL", "language"), ("Scala", "language"), ("PostgreSQL", "database"),
    ("MySQL", "database"), ("Redis", "database"), ("MongoDB", "database"), ("AWS", "cloud"),
    ("GCP", "cloud"), ("Azure", "cloud"), ("Kubernetes", "tool"), ("Docker", "tool"),
    ("Terraform", "tool"), ("Kafka", "tool"), ("Spark", "tool"), ("Airflow", "tool"),
    ("React", "framework"), ("Django", "framework"), ("Spring", "framework"),
    ("Node.js", "framework"), ("Salesforce", "tool"), ("Excel", "tool"), ("Figma", "tool"),
    ("Tableau", "tool"), ("Git", "tool"), ("Linux", "tool"), ("GraphQL", "framework"),
    ("Machine Learning", "domain"), ("Statistics", "domain"), ("Negotiation", "soft"),
    ("Communication", "soft"), ("Leadership", "soft"), ("Accounting", "domain"),
)  # fmt: skip
EMPLOYMENT = (["FULL_TIME"],) * 8 + (["PART_TIME"], ["CONTRACTOR"], ["FULL_TIME", "CONTRACTOR"])
WORDS = [
    f"{stem}{ending}"
    for stem in ("build", "team", "custom", "product", "data", "servic", "system", "market",
                 "design", "support", "develop", "manag", "secur", "platform", "report",
                 "process", "quality", "growth", "research", "operat", "client", "project",
                 "strateg", "analy", "deliver", "improv", "scal", "perform", "integrat", "test")
    for ending in ("", "s", "ing", "ed", "er", "ers", "al", "ive", "ion", "ions")
]  # fmt: skip


def synthetic_postings(count: int, seed: int = 7) -> Iterator[tuple[JobPosting, datetime]]:
    """`count` seeded postings like crawled ones, each with the moment a crawl first saw it."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    for number in range(count):
        board = number // 50
        level, seniority = rng.choice(LEVELS)
        role = rng.choice(ROLES)
        places = rng.sample(PLACES, 2 if rng.random() < 0.2 else 1)
        currency = places[0][2]
        salary = None
        if rng.random() < 0.45:
            period = rng.choices(("YEAR", "HOUR", "MONTH"), (0.8, 0.12, 0.08))[0]
            base = YEARLY[currency] / {"YEAR": 1, "HOUR": 2000, "MONTH": 12}[period]
            low = round(base * rng.uniform(0.6, 1.4), -1 if period == "HOUR" else 2)
            salary = Salary(min=low, max=round(low * rng.uniform(1.1, 1.5), 0), currency=currency,
                            period=period)  # fmt: skip
        skills = [
            Skill(name=name, category=category, score=round(rng.uniform(0.2, 1.0), 2))
            for name, category in rng.sample(SKILLS, rng.randint(3, 8))
        ]
        paragraphs = [" ".join(rng.choices(WORDS, weights, k=50)) for _ in range(5)]
        posted = (NOW - timedelta(days=rng.randint(0, 120))).date()
        seen = datetime.combine(posted, datetime.min.time(), UTC) + timedelta(hours=9)
        yield (
            JobPosting(
                id=f"greenhouse:board{board}:{number}", source="greenhouse",
                source_key=f"board{board}", source_id=str(number),
                url=f"https://boards.example.com/board{board}/jobs/{number}",
                title=f"{level}{role}{rng.choice(TEAMS)}", company=f"Company {board % 2000}",
                locations=[Location(city=city, country=country) for city, country, _ in places],
                location_raw=" / ".join(f"{city}, {country}" for city, country, _ in places),
                remote=rng.choice(("remote", "hybrid", "onsite", "onsite", None)),
                employment_type=rng.choice(EMPLOYMENT), salary=salary, date_posted=posted,
                seniority=seniority, skills=skills,
                sections=Sections(requirements=[f"{rng.randint(1, 8)}+ years of {skills[0].name}"],
                                  benefits=["Pension plan", "Learning budget"]),
                description_text=f"{role}\n" + "\n".join(paragraphs),
                description_html=f"<h2>{role}</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs),
            ),
            seen,
        )  # fmt: skip


def fill(location: str, count: int) -> float:
    """Store `count` postings through the write path, closing 15% of them; returns seconds."""
    store = open_store(location)
    started = time.perf_counter()
    rng = random.Random(11)
    for number, (posting, seen) in enumerate(synthetic_postings(count), 1):
        store.upsert_posting(posting, seen_at=seen)
        if rng.random() < 0.15:
            store.close_job(posting.id, at=seen + timedelta(days=20), reason="absent_from_listing")
        if number % 1000 == 0:
            store.commit()
            print(f"\r  {number:,} postings stored", end="", file=sys.stderr, flush=True)
    store.commit()
    print(file=sys.stderr)
    return time.perf_counter() - started


COMBINED = (
    "country=US&remote=remote&seniority=senior&min_salary=120000&currency=USD&period=YEAR"
    "&skill=python&posted_within=60"
)
CASES = {
    "plain search (newest first)": "",
    "full text, one common word": "q=engineer",
    "full text, two words": "q=python+backend",
    "country": "country=DE",
    "remote": "remote=remote",
    "seniority": "seniority=senior",
    "minimum salary (USD per year)": "min_salary=150000&currency=USD&period=YEAR",
    "skill": "skill=kubernetes",
    "posted within 7 days": "posted_within=7",
    "combined filters": COMBINED,
    "combined filters and words": f"q=engineer&{COMBINED}",
    "sorted by salary (EUR per year)": "currency=EUR&period=YEAR&sort=salary",
}


def timed(call: Callable[[int], Any], repeat: int) -> tuple[float, float, float]:
    """(median ms, p95 ms, median CPU ms) of `call(n)` for n in 0..repeat-1, after two warm-ups."""
    call(-1)
    call(-2)
    walls, cpus = [], []
    for n in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        call(n)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.quantiles(walls, n=20)[-1], statistics.median(cpus)


def bench_pages(location: str, count: int, repeat: int) -> list[tuple[str, float, float, float]]:
    """Each case as a page of the dashboard, then the job page."""
    from crawler.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    rng = random.Random(5)
    ids = [f"greenhouse:board{n // 50}:{n}" for n in rng.sample(range(count), repeat + 2)]
    rows = []
    app = create_app(location, clock=lambda: NOW)
    with TestClient(app, base_url="http://127.0.0.1") as client:

        def page(url: str) -> Callable[[int], Any]:
            def get(_: int) -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return get

        for name, query in CASES.items():
            rows.append((name, *timed(page(f"/jobs?{query}"), repeat)))
        rows.append(("job page", *timed(lambda n: page(job_path(ids[n]))(n), repeat)))
    return rows


def bench_store(location: str, repeat: int) -> list[tuple[str, float, float, float]]:
    """Each case as the store's search alone: the count and one page of 20 postings."""
    from crawler.web.queries import SearchFilters, job_query

    store = open_store(location)
    rows = []
    for name, query in CASES.items():
        filters = SearchFilters.model_validate(dict(parse_qsl(query)))
        wanted = job_query(filters, today=NOW.date())

        def search(_: int, wanted: JobQuery = wanted) -> None:
            store.count_jobs(wanted)
            list(store.iter_postings(wanted))

        rows.append((name, *timed(search, repeat)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--db", default="/tmp/jobcrawl-bench-web.db")
    options = parser.parse_args()
    store = open_store(options.db)
    stored = store.count_jobs(JobQuery())
    if stored not in (0, options.postings):
        sys.exit(f"{options.db} holds {stored:,} postings, not {options.postings:,}: remove it")
    if stored == 0:
        seconds = fill(options.db, options.postings)
        print(f"stored {options.postings:,} postings in {seconds:.0f} s")
    close_stores()
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs,"
        f" load average at start {os.getloadavg()[0]:.1f}; {options.postings:,} postings,"
        f" {options.repeat} requests per case"
    )
    if is_postgres(options.db):
        rows = bench_store(options.db, options.repeat)
        print("\n| PostgreSQL store search | median ms | p95 ms | CPU ms (median) |")
    else:
        rows = bench_pages(options.db, options.postings, options.repeat)
        print("\n| page | median ms | p95 ms | CPU ms (median) |")
    print("|---|---:|---:|---:|")
    for name, median, p95, cpu in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} | {cpu:.1f} |")
    close_stores()


if __name__ == "__main__":
    main()
