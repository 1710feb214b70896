"""
The dashboard application: `create_app(db_path)` gives an ASGI app over one jobcrawl database.

Pages and the JSON API are thin: they parse the request, call the core (`Store`, `Tracker`,
`TrackingStore`, `crawler.health`) exactly as the CLI does, and render. See docs/web.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from crawler.store import SQLiteStore, is_postgres
from crawler.store.postgres import PostgresStore, postgres_url
from crawler.tracking import Tracker
from crawler.web.render import render
from crawler.web.routes import alerts, api, health, jobs, login, tracking
from crawler.web.security import guard
from crawler.web.state import Dashboard

ERROR_TITLES = {
    400: "Bad request",
    403: "Refused",
    404: "Not found",
    405: "Not allowed",
    409: "Not allowed",
    422: "Check the form",
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    db_path: str | Path,
    *,
    token: str | None = None,
    clock: Callable[[], datetime] = _utc_now,
    warning_days: int = 3,
) -> FastAPI:
    """
    The dashboard over the database at `db_path` (a file path, `sqlite:///path` or a
    `postgresql://` URL).

    Without `token` it answers only to loopback host names (serve it on 127.0.0.1); with one, every
    request must carry it (bearer header or the login cookie). `clock` gives the current moment
    (UTC) and `warning_days` how close a saved job's closing must be to be flagged.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Opened here, on the event loop's thread, where every (async) handler runs.
        store: SQLiteStore | PostgresStore
        if is_postgres(db_path):
            store = PostgresStore(postgres_url(str(db_path)))
        else:
            store = SQLiteStore(Path(str(db_path).removeprefix("sqlite:///")).expanduser())
        app.state.dashboard = Dashboard(store, Tracker(store), clock, warning_days)
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="jobcrawl",
        summary="Job postings crawled by jobcrawl: search, saved jobs, alerts, crawl health.",
        version=version("jobcrawl"),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.token = token
    app.middleware("http")(guard(token=token))
    app.mount("/static", StaticFiles(packages=[("crawler.web", "static")]), name="static")
    for module in (jobs, tracking, alerts, health, api, login):
        app.include_router(module.router)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.openapi = _blank_means_absent(app.openapi)  # type: ignore[method-assign]
    return app


def _blank_means_absent(openapi: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """
    The OpenAPI document, saying that the search's parameters may be sent empty.

    The search form sends every field, the empty ones as `currency=`, and `SearchFilters` reads an
    empty value as no filter; OpenAPI's `allowEmptyValue` is how a document says so.
    """

    def document() -> dict[str, Any]:
        schema = openapi()
        for parameter in schema["paths"]["/api/jobs"]["get"]["parameters"]:
            parameter["allowEmptyValue"] = True
        return schema

    return document


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _http_error(request: Request, exc: Exception) -> Response:
    """A JSON `detail` for the API, an error page for the pages."""
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 (registered for this type)
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
    if _wants_json(request):
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    title = ERROR_TITLES.get(exc.status_code, "Something went wrong")
    context = {"title": title, "messages": [str(exc.detail)]}
    return render(request, "error.html", context, status=exc.status_code)


def _allowed_methods(request: Request) -> str:
    """
    Every method some route answers at this path, for a 405's `Allow`.

    Starlette names only the methods of the first route whose path matched, and a path served by
    two routes (`PUT` and `DELETE /api/saved/{id}`) has more.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route | APIRoute) and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 for the API; for a page, the same problems as sentences."""
    assert isinstance(exc, RequestValidationError)  # noqa: S101 (registered for this type)
    if _wants_json(request):
        return await request_validation_exception_handler(request, exc)
    lines = [
        f"{'.'.join(str(part) for part in error['loc'][1:]) or 'query'}: {error['msg']}"
        for error in exc.errors()
    ]
    return render(request, "error.html", {"title": "Check the form", "messages": lines}, status=422)
