"""`/login`: the token form, for a dashboard served beyond this machine (`JOBCRAWL_WEB_TOKEN`)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crawler.web.render import templates
from crawler.web.security import COOKIE, session_value

router = APIRouter(include_in_schema=False)


def _token(request: Request) -> str:
    token: str | None = request.app.state.token
    if token is None:
        raise HTTPException(404, "no login here: this dashboard is served on this machine only")
    return token


def _form(request: Request, *, error: str | None, status: int) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "login.html", {"title": "Log in", "error": error}, status_code=status
    )


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    _token(request)
    return _form(request, error=None, status=200)


@router.post("/login")
async def log_in(request: Request, token: Annotated[str, Form(max_length=1000)]) -> Response:
    expected = _token(request)
    if not hmac.compare_digest(token.encode(), expected.encode()):
        return _form(request, error="That is not the token.", status=401)
    response = RedirectResponse("/", 303)
    response.set_cookie(COOKIE, session_value(expected), httponly=True, samesite="strict", path="/")
    return response
