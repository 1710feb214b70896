"""`jobcrawl try`: selectors tried on one page, fetched from 127.0.0.1 or read from a file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crawler.cli import app
from crawler.demo.server import CareerSiteServer

runner = CliRunner(env={"COLUMNS": "200"})
SELECTORS = """\
job_link: ul.openings a.opening-link
next_page: a.next
fields:
  title: h1.job-title
  location: .job-location
  date: time.posted
  description: div.job-description
"""


def write_selectors(tmp_path: Path, text: str = SELECTORS) -> Path:
    path = tmp_path / "globex.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_list_page_selectors_show_links_and_next_page(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    url = f"{career_site.url}/careers/globex/openings"
    result = runner.invoke(app, ["try", url, "--selectors", str(write_selectors(tmp_path))])
    assert result.exit_code == 0, result.output
    values = json.loads(result.stdout)
    assert values["job_link"]
    assert all(link.startswith(f"{career_site.url}/careers/globex/") for link in values["job_link"])
    assert len(values["next_page"]) == 1
    assert values["next_page"][0].startswith(url)
    assert values["title"] == []  # a list page has no job title: the selector says so


def test_job_page_fields_from_a_fetched_and_a_saved_page(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    listing = runner.invoke(
        app,
        [
            "try",
            f"{career_site.url}/careers/globex/openings",
            "--selectors",
            str(write_selectors(tmp_path)),
        ],
    )
    job_url = json.loads(listing.stdout)["job_link"][0]
    fetched = runner.invoke(app, ["try", job_url, "--selectors", str(write_selectors(tmp_path))])
    assert fetched.exit_code == 0, fetched.output
    values = json.loads(fetched.stdout)
    assert len(values["title"]) == 1
    assert values["title"][0].strip()
    assert "<li>" in values["description"][0]

    saved = tmp_path / "job.html"
    saved.write_bytes(b"<h1 class='job-title'>Saved &amp; offline</h1>")
    offline = runner.invoke(
        app, ["try", job_url, "--selectors", str(write_selectors(tmp_path)), "--page", str(saved)]
    )
    assert json.loads(offline.stdout)["title"] == ["Saved & offline"]


def test_robots_txt_and_bad_selectors_are_one_line_errors(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    url = f"{career_site.url}/careers/globex/openings"
    career_site.robots_txt = b"User-agent: *\nDisallow: /careers/\n"
    blocked = runner.invoke(app, ["try", url, "--selectors", str(write_selectors(tmp_path))])
    assert blocked.exit_code == 1
    assert "robots.txt forbids it" in blocked.stderr
    bad = write_selectors(tmp_path, "job_link: 'ul[['\nfields: {title: h1}\n")
    result = runner.invoke(app, ["try", url, "--selectors", str(bad)])
    assert result.exit_code == 2
    assert "job_link" in result.stderr
