"""
The dashboard's defences: it shows text strangers wrote, and it changes data on request.

- **Host check.** Served on this machine only, it answers only to loopback host names, so a web
  page that rebinds its own name to 127.0.0.1 cannot read or drive it (DNS rebinding).
- **Origin check (CSRF).** A POST, PUT, PATCH or DELETE whose `Origin` (or, lacking one,
  `Sec-Fetch-Site` or `Referer`) is not the app's own is refused with 403, so a page elsewhere
  cannot submit the dashboard's forms with the user's browser. Scripts such as curl send none of
  these headers and are let through: they are not a browser acting for someone else.
- **Token.** Served beyond this machine, every request needs the token: a bearer header, or the
  cookie the login form sets (HttpOnly, SameSite=Strict).
- **Headers.** A Content-Security-Policy that allows scripts, styles and images from the app itself
  only (no inline script at all), and no framing, sniffing or referrer leaks.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
COOKIE = "jobcrawl_session"
OPEN_PATHS = ("/login", "/static/")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

CallNext = Callable[[Request], Awaitable[Response]]


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address (`127.0.0.1`, `::1`, with or without brackets)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def session_value(token: str) -> str:
    """What the login cookie holds: derived from the token, so the cookie never carries it."""
    return hmac.new(token.encode(), b"jobcrawl web session", hashlib.sha256).hexdigest()


def host_name(request: Request) -> str:
    """The Host header without its port (IPv6 literals keep their brackets)."""
    host = request.headers.get("host", "").lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


def same_origin(request: Request) -> bool:
    """Did this request come from one of the app's own pages (or from no browser at all)?"""
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == own
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    referer = request.headers.get("referer")
    if referer is not None:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == own
    return True


def authenticated(request: Request, token: str) -> bool:
    """A valid bearer token, or the login cookie."""
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(supplied.encode(), token.encode()):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return hmac.compare_digest(cookie.encode(), session_value(token).encode())


def guard(*, token: str | None) -> Callable[[Request, CallNext], Awaitable[Response]]:
    """The middleware: host, token and origin checks, then the security headers on every answer."""

    async def middleware(request: Request, call_next: CallNext) -> Response:
        response = _refusal(request, token) or await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return middleware


def _refusal(request: Request, token: str | None) -> Response | None:
    api = request.url.path.startswith(("/api/", "/openapi.json"))
    if token is None and not is_loopback(host_name(request)):
        return PlainTextResponse("Unknown host: this dashboard answers on 127.0.0.1.", 421)
    open_path = request.url.path.startswith(OPEN_PATHS)
    if token is not None and not open_path and not authenticated(request, token):
        if api:
            return JSONResponse(
                {"detail": "a bearer token is required"},
                401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return RedirectResponse("/login", 303)
    if request.method in UNSAFE_METHODS and not same_origin(request):
        message = "cross-site request refused: it did not come from this dashboard"
        if api:
            return JSONResponse({"detail": message}, 403)
        return PlainTextResponse(message, 403)
    return None
