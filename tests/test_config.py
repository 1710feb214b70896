"""The sources file: valid entries load, every mistake is one line naming file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import default_db_path, load_sources, parse_source
from crawler.errors import ConfigError
from crawler.sources import SOURCE_KINDS

EXAMPLE = Path(__file__).parent.parent / "examples" / "sources.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads() -> None:
    loaded = load_sources(EXAMPLE)
    assert loaded.errors == []
    assert {s.kind for s in loaded.sources} == set(SOURCE_KINDS)  # an example of every family
    assert all(isinstance(s, SOURCE_KINDS[s.kind]) for s in loaded.sources)


def test_entry_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sources:\n"
        "  - kind: greenhouse\n    board: vercel\n    company: Vercel Inc.\n"
        "    base_url: http://127.0.0.1:8000/\n",
    )
    [source] = load_sources(path).sources
    assert source.key == "vercel"
    assert source.label == "greenhouse:vercel"
    assert source.company == "Vercel Inc."
    assert source.api_base == "http://127.0.0.1:8000"


def test_default_base_url() -> None:
    source = parse_source({"kind": "greenhouse", "board": "acme"})
    assert source.api_base == "https://boards-api.greenhouse.io"


def test_bad_entries_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
sources:
  - kind: greenhouse
    board: good
  - kind: greenhouse
  - kind: greenhouse
    board: "bad board"
  - kind: lever-typo
    company: acme
  - kind: greenhouse
    board: extra
    bord: typo
  - kind: greenhouse
    board: url
    base_url: ftp://mirror
  - just a string
  - kind: greenhouse
    board: good
""",
    )
    loaded = load_sources(path)
    assert [s.key for s in loaded.sources] == ["good"]
    assert loaded.errors == [
        f"{path}: entry 2 (greenhouse): board: Field required",
        f"{path}: entry 3 (greenhouse bad board): board: String should match pattern "
        "'^[A-Za-z0-9][A-Za-z0-9_.\\-]*$'",
        f"{path}: entry 4 (lever-typo): kind: unknown kind 'lever-typo' (one of {', '.join(sorted(SOURCE_KINDS))})",
        f"{path}: entry 5 (greenhouse extra): bord: unknown field",
        f"{path}: entry 6 (greenhouse url): base_url: Value error, must start with http:// or https://",
        f"{path}: entry 7: expected a mapping with `kind`",
        f"{path}: entry 8 (greenhouse good): duplicate of an earlier entry for greenhouse:good",
    ]
    assert all("\n" not in error for error in loaded.errors)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: [\n  - kind: greenhouse", "not valid YAML"),
        ("jobs: []\n", "expected a top-level `sources:` list"),
        ("", "expected a top-level `sources:` list"),
        ("sources:\n  - kind: nope\n", "unknown kind 'nope'"),
    ],
)
def test_unusable_files_raise_config_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        load_sources(write(tmp_path, text))
    assert raised.value.exit_code == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_sources(tmp_path / "absent.yaml")


def test_db_location_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOBCRAWL_DB", str(tmp_path / "env.db"))
    assert default_db_path() == tmp_path / "env.db"
    monkeypatch.delenv("JOBCRAWL_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "jobcrawl" / "jobcrawl.db"


@pytest.mark.parametrize(
    ("entry", "api_base", "key"),
    [
        ({"kind": "lever", "board": "spotify"}, "https://api.lever.co", "spotify"),
        ({"kind": "lever", "board": "acme", "region": "eu"}, "https://api.eu.lever.co", "acme"),
        ({"kind": "ashby", "board": "ramp"}, "https://api.ashbyhq.com", "ramp"),
        (
            {"kind": "recruitee", "board": "channable"},
            "https://channable.recruitee.com",
            "channable",
        ),
        ({"kind": "personio", "board": "clark"}, "https://clark.jobs.personio.de", "clark"),
        (
            {"kind": "personio", "board": "clark", "domain": "com"},
            "https://clark.jobs.personio.com",
            "clark",
        ),
        (
            {"kind": "workday", "url": "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternal"},
            "https://nvidia.wd5.myworkdayjobs.com",
            "nvidia/NVIDIAExternal",
        ),
        (
            {
                "kind": "workday",
                "host": "acme.wd1.myworkdayjobs.com",
                "tenant": "acme",
                "site": "Ext",
            },
            "https://acme.wd1.myworkdayjobs.com",
            "acme/Ext",
        ),
        (
            {"kind": "eightfold", "domain": "microsoft.com"},
            "https://apply.careers.microsoft.com",
            "microsoft.com",
        ),
        (
            {"kind": "eightfold", "domain": "nvidia.com"},
            "https://nvidia.eightfold.ai",
            "nvidia.com",
        ),
        (
            {"kind": "smartrecruiters", "board": "Ubisoft2", "base_url": "http://127.0.0.1:9/"},
            "http://127.0.0.1:9",
            "Ubisoft2",
        ),
    ],
)
def test_family_entries_know_their_host_and_key(
    entry: dict[str, str], api_base: str, key: str
) -> None:
    source = parse_source(entry)
    assert (source.api_base, source.key) == (api_base, key)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"kind": "workday", "url": "https://example.com/jobs"}, "expected a Workday careers URL"),
        ({"kind": "workday", "tenant": "acme"}, "host, site: required (or give url)"),
        (
            {
                "kind": "workday",
                "url": "https://acme.wd5.myworkdayjobs.com/External",
                "site": "Int",
            },
            "site: 'Int' disagrees with url ('External')",
        ),
        ({"kind": "lever", "board": "acme", "region": "us"}, "region: Input should be"),
        ({"kind": "eightfold", "domain": "not a domain"}, "domain: String should match"),
    ],
)
def test_family_entry_mistakes_name_the_field(entry: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_source(entry)
