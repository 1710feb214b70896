"""
The `jobcrawl` command: thin typer commands over the core.

Every `JobcrawlError` a command raises ends here as one line on stderr and its exit code (2 for bad
configuration, 1 for a failed source or a missing job), never as a traceback.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from crawler.errors import JobcrawlError


class _JobcrawlGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except JobcrawlError as exc:
            for line in str(exc).splitlines() or [type(exc).__name__]:
                typer.echo(f"jobcrawl: error: {line}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_JobcrawlGroup,
    name="jobcrawl",
    help="Crawl job postings from ATS boards and career sites into one database, one schema.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Registering the commands is the point of these imports.
from crawler.cli import alerts as _alerts  # noqa: E402, F401
from crawler.cli import crawl as _crawl  # noqa: E402, F401
from crawler.cli import db as _db  # noqa: E402, F401
from crawler.cli import detect as _detect  # noqa: E402, F401
from crawler.cli import distributed as _distributed  # noqa: E402, F401
from crawler.cli import dupes as _dupes  # noqa: E402, F401
from crawler.cli import jobs as _jobs  # noqa: E402, F401
from crawler.cli import runs as _runs  # noqa: E402, F401
from crawler.cli import schedule as _schedule  # noqa: E402, F401
from crawler.cli import tracking as _tracking  # noqa: E402, F401
from crawler.cli import try_selectors as _try  # noqa: E402, F401
from crawler.cli import web as _web  # noqa: E402, F401


def main() -> None:
    app()
