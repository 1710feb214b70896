"""`jobcrawl detect`: every URL shape, the saved careers pages, the command, and --fetch on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from crawler.cli import app
from crawler.config import load_sources, parse_source
from crawler.detect import Entry, Findings, ats_family, detect_url, scan_page, valid_entry

PAGES = Path(__file__).parent / "data" / "detect"
runner = CliRunner(env={"COLUMNS": "200"})

GH = {"kind": "greenhouse", "board": "acme"}
LEVER = {"kind": "lever", "board": "acme"}
LEVER_EU = {"kind": "lever", "board": "acme", "region": "eu"}
ASHBY = {"kind": "ashby", "board": "acme"}
WORKDAY = {"kind": "workday", "url": "https://acme.wd5.myworkdayjobs.com/External"}
SR = {"kind": "smartrecruiters", "board": "Acme"}
WORKABLE = {"kind": "workable", "board": "acme"}
RECRUITEE = {"kind": "recruitee", "board": "acme"}
MICROSOFT = {"kind": "eightfold", "domain": "microsoft.com"}

URL_SHAPES: list[tuple[str, Entry]] = [
    # Greenhouse
    ("https://boards.greenhouse.io/acme", GH),
    ("boards.greenhouse.io/acme", GH),
    ("https://boards.greenhouse.io/acme/jobs/4012345678?gh_src=abc", GH),
    ("https://job-boards.greenhouse.io/acme", GH),
    ("https://job-boards.eu.greenhouse.io/acme/jobs/4012345678", GH),
    ("https://boards.eu.greenhouse.io/acme", GH),
    ("https://boards.greenhouse.io/embed/job_board?for=acme&b=https://acme.example/careers", GH),
    ("https://boards.greenhouse.io/embed/job_board/js?for=acme", GH),
    ("https://job-boards.greenhouse.io/embed/job_app?for=acme&token=4012345678", GH),
    ("https://boards-api.greenhouse.io/v1/boards/acme/jobs", GH),
    ("https://boards-api.greenhouse.io/v1/boards/acme/jobs/4012345678?content=true", GH),
    ("https://api.greenhouse.io/v1/boards/acme/jobs", GH),
    # Lever
    ("https://jobs.lever.co/acme", LEVER),
    ("https://jobs.lever.co/acme/0b8e2c1e-6a1f-4a3b-9d52-2f4a7c9e1a01/apply", LEVER),
    ("https://jobs.eu.lever.co/acme", LEVER_EU),
    ("https://jobs.eu.lever.co/acme/0b8e2c1e-6a1f-4a3b-9d52-2f4a7c9e1a01", LEVER_EU),
    ("https://api.lever.co/v0/postings/acme?mode=json", LEVER),
    ("https://api.eu.lever.co/v0/postings/acme", LEVER_EU),
    # Ashby
    ("https://jobs.ashbyhq.com/acme", ASHBY),
    ("https://jobs.ashbyhq.com/acme/2b7c3f1e-5d9a-4e8b-8c1f-0a6d4e2b9c33/application", ASHBY),
    ("https://jobs.ashbyhq.com/acme/embed?version=2", ASHBY),
    ("https://api.ashbyhq.com/posting-api/job-board/acme?includeCompensation=true", ASHBY),
    # Workday: normalised to the site root, locale dropped
    ("https://acme.wd5.myworkdayjobs.com/en-US/External", WORKDAY),
    ("https://acme.wd5.myworkdayjobs.com/External", WORKDAY),
    ("https://acme.wd5.myworkdayjobs.com/External/job/Berlin/Data-Engineer_R-10234", WORKDAY),
    ("https://acme.wd5.myworkdayjobs.com/de-DE/External/details/Nurse_R-1?q=x", WORKDAY),
    ("https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/External/jobs", WORKDAY),
    (
        "https://wd3.myworkdaysite.com/en-US/recruiting/acme/External/job/X_R-1",
        {"kind": "workday", "host": "wd3.myworkdaysite.com", "tenant": "acme", "site": "External"},
    ),
    # SmartRecruiters
    ("https://careers.smartrecruiters.com/Acme", SR),
    ("https://careers.smartrecruiters.com/Acme/engineering", SR),
    ("https://jobs.smartrecruiters.com/Acme/743999912345678-senior-nurse", SR),
    ("https://jobs.smartrecruiters.com/oneclick-ui/company/Acme/publication/1c2d3e4f", SR),
    ("https://api.smartrecruiters.com/v1/companies/Acme/postings", SR),
    ("https://api.smartrecruiters.com/v1/companies/Acme/postings/743999912345678", SR),
    # Workable
    ("https://apply.workable.com/acme", WORKABLE),
    ("https://apply.workable.com/acme/", WORKABLE),
    ("https://apply.workable.com/acme/j/ABC123/", WORKABLE),
    ("https://apply.workable.com/api/v1/widget/accounts/acme?details=true", WORKABLE),
    ("https://apply.workable.com/api/v3/accounts/acme/jobs", WORKABLE),
    ("https://acme.workable.com/jobs/123456", WORKABLE),
    # Recruitee
    ("https://acme.recruitee.com", RECRUITEE),
    ("https://acme.recruitee.com/o/senior-backend-engineer", RECRUITEE),
    ("https://acme.recruitee.com/api/offers/", RECRUITEE),
    # Personio: the domain is the entry's `domain` (de is the default, left out)
    ("https://acme.jobs.personio.de", {"kind": "personio", "board": "acme"}),
    ("https://acme.jobs.personio.de/job/1234567?display=en", {"kind": "personio", "board": "acme"}),
    ("https://acme.jobs.personio.de/xml", {"kind": "personio", "board": "acme"}),
    ("https://acme.jobs.personio.com", {"kind": "personio", "board": "acme", "domain": "com"}),
    # Eightfold
    ("https://apply.careers.microsoft.com/careers?pid=1970393556621234", MICROSOFT),
    ("https://apply.careers.microsoft.com/careers/job/1970393556621234", MICROSOFT),
    ("https://jobs.careers.microsoft.com/global/en/job/1712345/Software-Engineer", MICROSOFT),
    ("https://x.eightfold.ai/careers?domain=x.com", {"kind": "eightfold", "domain": "x.com"}),
    (
        "https://acmehealth.eightfold.ai/careers?domain=acme.example&pid=5634",
        {"kind": "eightfold", "domain": "acme.example", "host": "acmehealth.eightfold.ai"},
    ),
    # Odd spellings of good URLs
    ("HTTPS://BOARDS.GREENHOUSE.IO/acme", GH),
    ("http://jobs.lever.co/acme/", LEVER),
    ("//jobs.ashbyhq.com/acme", ASHBY),
    ("  https://jobs.lever.co/acme\n", LEVER),
    ("https://boards.greenhouse.io./acme", GH),
    ("https://boards.greenhouse.io:443/acme#jobs", GH),
    ("https://jobs.lever.co/ac%6De", LEVER),
    ("https://ACME.WD5.MYWORKDAYJOBS.COM/en-US/External", WORKDAY),
    ("https://ACME.Recruitee.com/", RECRUITEE),
    ("https://jobs.lever.co/acme?utm_source=linkedin&utm_campaign=x&lever-source=LinkedIn", LEVER),
]


@pytest.mark.parametrize(("url", "entry"), URL_SHAPES)
def test_url_shape(url: str, entry: Entry) -> None:
    assert detect_url(url) == entry
    assert parse_source(entry).kind == entry["kind"]


@pytest.mark.parametrize(
    ("url", "api_base", "label"),
    [
        ("jobs.eu.lever.co/acme", "https://api.eu.lever.co", "lever:acme"),
        ("acme.jobs.personio.com", "https://acme.jobs.personio.com", "personio:acme"),
        ("acme.recruitee.com", "https://acme.recruitee.com", "recruitee:acme"),
        (
            "acme.wd5.myworkdayjobs.com/fr-FR/External/job/x",
            "https://acme.wd5.myworkdayjobs.com",
            "workday:acme/External",
        ),
        (
            "jobs.careers.microsoft.com",
            "https://apply.careers.microsoft.com",
            "eightfold:microsoft.com",
        ),
        (
            "acmehealth.eightfold.ai/careers?domain=acme.example",
            "https://acmehealth.eightfold.ai",
            "eightfold:acme.example",
        ),
    ],
)
def test_entries_crawl_the_board_the_url_names(url: str, api_base: str, label: str) -> None:
    entry = detect_url(url)
    assert entry is not None
    source = parse_source(entry)
    assert (source.api_base, source.label) == (api_base, label)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "acme",
        "/acme/jobs/123",
        "mailto:jobs@boards.greenhouse.io",
        "javascript:location='https://jobs.lever.co/acme'",
        "ftp://boards.greenhouse.io/acme",
        "https://example.com/careers",
        "https://www.greenhouse.io/",
        "https://boards.greenhouse.io/",
        "https://boards.greenhouse.io/embed/job_board/js",  # no ?for=
        "https://boards.greenhouse.io/embed/job_board?for=",
        "https://boards-api.greenhouse.io/v2/boards/acme",
        "https://boards.greenhouse.io.evil.example/acme",
        "https://evilgreenhouse.io/acme",
        "https://www.google.com/url?q=https://jobs.lever.co/acme",
        "https://jobs.lever.co/",
        "https://api.lever.co/v1/postings/acme",
        "https://jobs.lever.co.example.net/acme",
        "https://jobs.ashbyhq.com/api/non-user-graphql",
        "https://jobs.ashbyhq.com/Acme%20Labs",  # a board name the sources file rejects
        "https://api.ashbyhq.com/posting-api/",
        "https://acme.wd5.myworkdayjobs.com/",
        "https://acme.wd5.myworkdayjobs.com/en-US",
        "https://acme.myworkdayjobs.com/External",
        "https://wd3.myworkdaysite.com/en-US/recruiting/acme",
        "https://careers.smartrecruiters.com/",
        "https://jobs.smartrecruiters.com/sr-jobs/search?keyword=nurse",
        "https://static.smartrecruiters.com/job-widget/1.6.1/script/smart_widget.js",
        "https://apply.workable.com/",
        "https://apply.workable.com/j/ABC123",
        "https://apply.workable.com/api/v1/jobs",
        "https://www.workable.com/assets/embed.js",
        "https://jobs.workable.com/view/abc",
        "https://www.recruitee.com/",
        "https://a.b.recruitee.com/",
        "https://www.personio.de/",
        "https://jobs.personio.de/",
        "https://acme.eightfold.ai/careers",  # no domain=
        "https://acme.eightfold.ai/careers?domain=not_a_domain",
        "https://www.eightfold.ai/careers?domain=x.com",
        "https://[::1/acme",
        "https://boards.greenhouse.io/ac me",
    ],
)
def test_not_recognised(url: str) -> None:
    assert detect_url(url) is None


@pytest.mark.parametrize(
    ("url", "family"),
    [
        ("https://www.greenhouse.io/", "greenhouse"),
        ("https://boards.cdn.greenhouse.io/x.js", "greenhouse"),
        ("https://acme.wd1.myworkdayjobs.com/", "workday"),
        ("https://www.workable.com/assets/embed.js", "workable"),
        ("https://careers.microsoft.com/", "eightfold"),
        ("https://jobs.lever.co.example.net/acme", None),
        ("https://example.com/", None),
        ("not a url at all", None),
    ],
)
def test_ats_family(url: str, family: str | None) -> None:
    assert ats_family(url) == family


@given(st.text())
def test_any_string_gives_a_valid_entry_or_none(text: str) -> None:
    entry = detect_url(text)
    assert entry is None or valid_entry(entry)
    ats_family(text)


ATS_HOSTS = sorted(
    {
        "boards.greenhouse.io",
        "job-boards.eu.greenhouse.io",
        "boards-api.greenhouse.io",
        "jobs.lever.co",
        "api.eu.lever.co",
        "jobs.ashbyhq.com",
        "api.ashbyhq.com",
        "acme.wd5.myworkdayjobs.com",
        "wd5.myworkdaysite.com",
        "careers.smartrecruiters.com",
        "jobs.smartrecruiters.com",
        "api.smartrecruiters.com",
        "apply.workable.com",
        "acme.workable.com",
        "acme.recruitee.com",
        "acme.jobs.personio.com",
        "acme.eightfold.ai",
        "apply.careers.microsoft.com",
    }
)


@given(
    st.sampled_from(["", "https://", "HTTP://", "//"]),
    st.sampled_from(ATS_HOSTS),
    st.lists(st.text(), max_size=5),
    st.text(),
)
def test_any_path_on_an_ats_host_gives_a_valid_entry_or_none(
    scheme: str, host: str, segments: list[str], query: str
) -> None:
    entry = detect_url(f"{scheme}{host}/{'/'.join(segments)}?{query}")
    assert entry is None or valid_entry(entry)


# -- pages ----------------------------------------------------------------------------------------


def scan(name: str, base_url: str | None = None) -> tuple[list[Entry], list[str]]:
    result = scan_page((PAGES / name).read_text(encoding="utf-8"), base_url)
    return [finding.entry for finding in result.findings], result.hints


@pytest.mark.parametrize(
    ("page", "entries"),
    [
        ("greenhouse-embed.html", [GH]),
        ("greenhouse-iframe.html", [GH]),
        ("lever-links.html", [LEVER]),
        ("lever-embed.html", [LEVER]),
        ("ashby-embed.html", [ASHBY]),
        (
            "workday-links.html",
            [WORKDAY, {"kind": "workday", "url": "https://acme.wd5.myworkdayjobs.com/Internal"}],
        ),
        ("smartrecruiters-widget.html", [{"kind": "smartrecruiters", "board": "AcmeCorp"}]),
        ("workable-api.html", [WORKABLE]),
        (
            "recruitee-personio.html",
            [
                RECRUITEE,
                {"kind": "personio", "board": "acme-gmbh"},
                {"kind": "personio", "board": "acme-uk", "domain": "com"},
            ],
        ),
        (
            "eightfold-links.html",
            [
                {"kind": "eightfold", "domain": "acme.example", "host": "acmehealth.eightfold.ai"},
                MICROSOFT,
            ],
        ),
        ("two-ats.html", [GH, {"kind": "lever", "board": "acme-robotics"}]),
        (
            "hostile.html",
            [
                {"kind": "smartrecruiters", "board": "AcmeCorp"},
                {"kind": "ashby", "board": "Acme"},
                {"kind": "workable", "board": "acme-works"},
                {"kind": "greenhouse", "board": "acme-labs"},
            ],
        ),
        ("base-href.html", [LEVER]),
        ("none.html", []),
        ("workable-whr-embed.html", []),
        ("ats-without-board.html", []),
    ],
)
def test_page(page: str, entries: list[Entry]) -> None:
    found, _ = scan(page)
    assert found == entries
    for entry in found:
        parse_source(entry)


def test_page_evidence_names_the_element() -> None:
    result = scan_page((PAGES / "hostile.html").read_text(encoding="utf-8"))
    evidence = {finding.label: finding.evidence for finding in result.findings}
    assert evidence["ashby:Acme"] == [
        '<a href="HTTPS://JOBS.ASHBYHQ.COM/Acme?utm_source=careers&utm_medium=web#top">',
        '<a href="https://jobs.ashbyhq.com/acme/ 2b7c3f1e-5d9a-4e8b-8c1f-0a6d4e2b9c33"> = '
        "https://jobs.ashbyhq.com/acme/2b7c3f1e-5d9a-4e8b-8c1f-0a6d4e2b9c33",
        '<iframe data-src="//jobs.ashbyhq.com/acme/embed?version=2">',
    ]
    assert evidence["greenhouse:acme-labs"] == [
        "inline <script>: https://boards-api.greenhouse.io/v1/boards/acme-labs/jobs?content=true"
    ]
    assert evidence["workable:acme-works"][0].startswith('<button onclick="window.location.href=')
    assert evidence["smartrecruiters:AcmeCorp"][0].startswith('<meta content="30; URL=')


def test_page_keeps_every_place_a_board_is_linked() -> None:
    [finding] = scan_page((PAGES / "lever-links.html").read_text(encoding="utf-8")).findings
    assert len(finding.evidence) == 4
    assert finding.evidence[-1] == '<a href="https://jobs.lever.co/acme">'


def test_commented_out_embed_and_lookalikes_are_ignored() -> None:
    found, _ = scan("hostile.html")
    boards = {entry.get("board") for entry in found}
    assert not boards & {"oldco", "acme", "redirected", "phish"}


def test_relative_links_need_a_base_url() -> None:
    result = scan_page((PAGES / "relative.html").read_text(encoding="utf-8"))
    assert (len(result.findings), result.unresolved) == (0, 2)
    found, _ = scan("relative.html", "https://job-boards.greenhouse.io/acme")
    assert found == [GH]


def test_hints_for_ats_urls_without_a_board() -> None:
    _, hints = scan("ats-without-board.html")
    assert hints == [
        '<script src="https://boards.greenhouse.io/embed/job_board/js"> '
        "(greenhouse, but it names no board)",
        '<a href="https://acme.wd1.myworkdayjobs.com/"> (workday, but it names no board)',
        '<a href="https://jobs.ashbyhq.com/Acme%20Labs"> (ashby, but it names no board)',
    ]
    _, hints = scan("workable-whr-embed.html")
    assert any("whr_embed(123456" in hint and "by its number" in hint for hint in hints)


def test_no_hint_for_a_family_that_was_found() -> None:
    found, hints = scan("greenhouse-embed.html")  # also links www.greenhouse.io
    assert (found, hints) == ([GH], [])


def test_invalid_embed_setting_is_a_hint() -> None:
    result = scan_page(
        "<script>window.leverJobsOptions = {accountName: 'no spaces please'}</script>"
    )
    assert len(result.findings) == 0
    assert result.hints == [
        'inline <script>: leverJobsOptions.accountName "no spaces please" (not a valid board name)'
    ]


def test_company_code_alone_is_not_smartrecruiters() -> None:
    result = scan_page('<script>var config = {"company_code": "ACME-42"};</script>')
    assert len(result.findings) == 0


def test_findings_merge_boards_that_differ_in_case() -> None:
    found = Findings()
    found.add({"kind": "ashby", "board": "Acme"}, "first")
    found.add({"kind": "ashby", "board": "acme"}, "second\nline")
    found.add({"kind": "lever", "board": "acme", "region": "eu"}, "third")
    found.add({"kind": "lever", "board": "acme"}, "fourth")
    assert [(f.entry, f.evidence) for f in found] == [
        ({"kind": "ashby", "board": "Acme"}, ["first", "second line"]),
        ({"kind": "lever", "board": "acme", "region": "eu"}, ["third"]),
        ({"kind": "lever", "board": "acme"}, ["fourth"]),
    ]


@given(st.text())
def test_any_text_is_a_page(text: str) -> None:
    for html in (text, f'<a href="{text}" onclick="{text}" {text}="x"><script>{text}</script>'):
        result = scan_page(html, "https://example.com/careers")
        assert all(valid_entry(finding.entry) for finding in result.findings)


# -- the command ----------------------------------------------------------------------------------


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def as_sources(yaml_text: str, tmp_path: Path) -> list[str]:
    """Paste the output under `sources:` and load it as jobcrawl crawl would: the labels."""
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + yaml_text, encoding="utf-8")
    loaded = load_sources(path)
    assert loaded.errors == []
    return [source.label for source in loaded.sources]


def test_urls_print_entries_ready_to_paste(tmp_path: Path) -> None:
    code, out, err = invoke(
        "detect",
        "https://boards.greenhouse.io/acme",
        "https://jobs.eu.lever.co/acme/0b8e2c1e",
        "job-boards.greenhouse.io/acme/jobs/4012345678",
        "https://acme.wd5.myworkdayjobs.com/en-US/External/job/x_R-1",
    )
    assert (code, err) == (0, "")
    assert as_sources(out, tmp_path) == ["greenhouse:acme", "lever:acme", "workday:acme/External"]
    assert out.startswith(
        "# greenhouse:acme\n"
        "#   seen in https://boards.greenhouse.io/acme\n"
        "#   seen in job-boards.greenhouse.io/acme/jobs/4012345678\n"
        "- kind: greenhouse\n"
        "  board: acme\n"
    )


def test_board_names_that_look_like_other_yaml_stay_strings(tmp_path: Path) -> None:
    code, out, _ = invoke("detect", "https://jobs.lever.co/1234", "https://apply.workable.com/no")
    assert code == 0
    assert yaml.safe_load(out) == [
        {"kind": "lever", "board": "1234"},
        {"kind": "workable", "board": "no"},
    ]
    assert as_sources(out, tmp_path) == ["lever:1234", "workable:no"]


def test_json_output() -> None:
    code, out, _ = invoke("detect", "--json", "https://acme.jobs.personio.com/job/1")
    assert code == 0
    assert json.loads(out) == [
        {
            "source": "personio:acme",
            "entry": {"kind": "personio", "board": "acme", "domain": "com"},
            "evidence": ["https://acme.jobs.personio.com/job/1"],
        }
    ]


def test_unrecognised_urls_are_named_on_stderr() -> None:
    code, out, err = invoke(
        "detect",
        "https://example.com/careers",
        "https://jobs.lever.co/acme",
        "https://www.greenhouse.io/",
    )
    assert code == 0
    assert "board: acme" in out
    assert err.splitlines() == [
        "jobcrawl: not recognised: https://example.com/careers",
        "jobcrawl: not recognised: https://www.greenhouse.io/ (greenhouse, but it names no board)",
    ]


def test_nothing_recognised_exits_1() -> None:
    code, out, err = invoke("detect", "https://example.com/careers")
    assert (code, out) == (1, "")
    assert err == "jobcrawl: not recognised: https://example.com/careers\n"
    code, out, _ = invoke("detect", "--json", "https://example.com/careers")
    assert (code, json.loads(out)) == (1, [])


def test_page_option(tmp_path: Path) -> None:
    code, out, err = invoke("detect", "--page", str(PAGES / "two-ats.html"))
    assert (code, err) == (0, "")
    assert as_sources(out, tmp_path) == ["greenhouse:acme", "lever:acme-robotics"]
    assert (
        '#   seen in <script src="https://boards.greenhouse.io/embed/job_board/js?for=acme">' in out
    )


def test_page_with_no_ats_exits_1() -> None:
    page = str(PAGES / "none.html")
    code, out, err = invoke("detect", "--page", page)
    assert (code, out) == (1, "")
    assert err == (
        f"jobcrawl: {page}: no ATS embed or link found (1 relative URL not read: give --base-url)\n"
    )


def test_page_hints_and_base_url() -> None:
    page = str(PAGES / "relative.html")
    code, _, err = invoke("detect", "--page", page)
    assert code == 1
    assert err.splitlines() == [
        f"jobcrawl: {page}: no ATS embed or link found (2 relative URLs not read: give --base-url)"
    ]
    code, out, err = invoke(
        "detect", "--page", page, "--base-url", "https://job-boards.greenhouse.io/acme"
    )
    assert (code, err) == (0, "")
    assert yaml.safe_load(out) == [GH]


def test_page_from_stdin() -> None:
    html = (PAGES / "ashby-embed.html").read_text(encoding="utf-8")
    code, out, _ = invoke("detect", "--page", "-", stdin=html)
    assert code == 0
    assert yaml.safe_load(out) == [ASHBY]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "jobcrawl: error: give a URL, or --page FILE (see jobcrawl detect --help)"),
        (
            ("--page", "https://acme.example/careers"),
            "jobcrawl: error: --page https://acme.example/careers: add --fetch to download it, "
            "or give a saved file",
        ),
        (
            ("--page", "x.html", "--base-url", "acme.example"),
            "jobcrawl: error: --base-url acme.example: must start with http:// or https://",
        ),
        (
            ("https://jobs.lever.co/acme", "--page", "/nonexistent/careers.html"),
            "jobcrawl: error: --page /nonexistent/careers.html: cannot read: No such file or directory",
        ),
    ],
)
def test_usage_errors_exit_2_before_any_output(args: tuple[str, ...], message: str) -> None:
    code, out, err = invoke("detect", *args)
    assert (code, out) == (2, "")
    assert err.splitlines() == [message]


# -- --fetch, against a server on 127.0.0.1 -------------------------------------------------------


class _Site(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        if self.path == "/careers":
            body = (PAGES / "greenhouse-embed.html").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        targets = {
            "/moved": "/careers",
            "/to-lever": "https://jobs.lever.co/acme",
            "/loop": "/loop",
        }
        if self.path in targets:
            self.send_response(302)
            self.send_header("Location", targets[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    handler = type("Handler", (_Site,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_fetch_a_page(site: tuple[str, list[str]]) -> None:
    url, requests = site
    code, out, err = invoke("detect", "--fetch", "--page", f"{url}/moved")
    assert (code, err) == (0, "")
    assert yaml.safe_load(out) == [GH]
    assert requests == ["/moved", "/careers"]


def test_fetch_a_url_argument_that_is_not_an_ats_url(site: tuple[str, list[str]]) -> None:
    url, _ = site
    code, out, _ = invoke("detect", "--fetch", "--json", f"{url}/careers")
    assert code == 0
    [record] = json.loads(out)
    assert record["entry"] == GH


def test_fetch_stops_at_a_redirect_that_names_the_board(site: tuple[str, list[str]]) -> None:
    url, requests = site
    code, out, err = invoke("detect", "--fetch", "--page", f"{url}/to-lever")
    assert (code, err) == (0, "")
    assert f"#   seen in {url}/to-lever redirects to https://jobs.lever.co/acme" in out
    assert yaml.safe_load(out) == [LEVER]
    assert requests == ["/to-lever"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404"),
        ("/loop", "more than 5 redirects"),
    ],
)
def test_fetch_failure_is_one_line(site: tuple[str, list[str]], path: str, message: str) -> None:
    url, _ = site
    code, out, err = invoke("detect", "--fetch", "--page", f"{url}{path}")
    assert (code, out) == (1, "")
    [line] = err.splitlines()
    assert line.startswith("jobcrawl: error: ")
    assert line.endswith(message)
