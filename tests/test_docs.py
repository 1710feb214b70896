"""Docs are checked: every command is documented, every schema field too, the JSON Schema is current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from crawler.cli import app
from crawler.items import JobPosting, Salary, Sections, Skill
from crawler.sources import SOURCE_KINDS

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


def test_published_json_schema_is_current() -> None:
    published = json.loads((DOCS / "schema.json").read_text(encoding="utf-8"))
    assert published == JobPosting.model_json_schema(), (
        "regenerate with: jobcrawl schema > docs/schema.json"
    )


@pytest.mark.parametrize(
    "name",
    [
        *JobPosting.model_fields,
        *(f"salary.{n}" for n in Salary.model_fields),
        *(f"sections.{n}" for n in Sections.model_fields),
        *(f"skills.{n}" for n in Skill.model_fields),
    ],
)
def test_every_schema_field_is_documented(name: str) -> None:
    assert f"| `{name}` |" in (DOCS / "schema.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_docs(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert re.search(rf"^## `jobcrawl {command}`", cli_doc, re.MULTILINE)


def test_every_jobcrawl_setting_is_documented() -> None:
    from crawler import settings

    names = [name for name in dir(settings) if name.startswith("JOBCRAWL_")]
    documented = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert names
    for name in names:
        assert f"`{name}`" in documented, name


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.DOTALL)
    assert "jobcrawl demo" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    [test_command] = blocks[1].strip().splitlines()
    assert test_command in ci.splitlines(), "CI must run the README's test command"


def test_every_source_kind_has_its_page_and_a_row_in_the_index() -> None:
    index = (DOCS / "sources.md").read_text(encoding="utf-8")
    for kind in SOURCE_KINDS:
        page = DOCS / "sources" / f"{kind}.md"
        assert page.is_file(), f"{page} is missing"
        assert f"| `{kind}` |" in index, kind
        assert f"(sources/{kind}.md)" in index, kind
