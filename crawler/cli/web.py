"""`jobcrawl web`: serve the dashboard over a database (uvicorn, in this process)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from crawler.cli import app
from crawler.cli.options import DbOption, db_path
from crawler.errors import ConfigError, JobcrawlError
from crawler.run import project_settings
from crawler.web import create_app
from crawler.web.security import is_loopback

TOKEN_VARIABLE = "JOBCRAWL_WEB_TOKEN"  # noqa: S105 (a variable's name, not a secret)

console = Console(stderr=True, highlight=False, soft_wrap=True)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, so a port in use is one clear error before anything starts."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ConfigError(f"--host {host}: {exc.strerror}") from None
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
    except OSError as exc:
        sock.close()
        raise JobcrawlError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def serve(db: Path, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """
    Serve the dashboard until interrupted (`jobcrawl web`, and `jobcrawl demo --web` after its crawl).

    Beyond loopback it needs `JOBCRAWL_WEB_TOKEN`: the pages show text strangers wrote and change
    the user's data, so they are never open to the network without one.
    """
    token = os.environ.get(TOKEN_VARIABLE) or None
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"--host {host}: serving beyond this machine needs {TOKEN_VARIABLE} set to a secret"
        )
    days = project_settings().getint("JOBCRAWL_EXPIRY_WARNING_DAYS", 3)
    application = create_app(db, token=token, warning_days=days)
    sock = listening_socket(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    console.print(f"jobcrawl dashboard for {db} at http://{shown}:{bound}/  (Ctrl-C stops it)")
    config = uvicorn.Config(application, log_level="warning", access_log=False)
    with sock:
        uvicorn.Server(config).run(sockets=[sock])


@app.command()
def web(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; beyond loopback it needs JOBCRAWL_WEB_TOKEN.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8000,
) -> None:
    """
    Serve the web dashboard: search, job pages, saved jobs, compare, alerts, crawl health.

    Listens on 127.0.0.1 by default. The JSON API is under /api, described at /openapi.json.

    Example: jobcrawl web --db jobs.db --port 8000
    """
    serve(db_path(db), host=host, port=port)
