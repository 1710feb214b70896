"""
A career-site server on 127.0.0.1 that answers like the ATS APIs, from files on disk.

Each source family's URL shapes are answered by its module in `crawler.demo.sites`, from the recorded
files under `<data>/<family>/`, read again on every request so a test (or a person) can change a board
between two crawls. Every 200 answer to a GET carries an ETag, and a request whose `If-None-Match` matches it gets a
304 without a body, as ATS CDNs do. Faults are queued per path:
a 500, a 429 with Retry-After, a truncated body or a delay, each served once, in order, before the
normal answer resumes. Use it in-process (`with CareerSiteServer(data) as url: ...`) or as
`python -m crawler.demo.server DATA_DIR`, which prints its base URL on the first line.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.demo.sites import Answer, SiteRequest, family_modules

BUNDLED_DATA = Path(__file__).parent / "data"


@dataclass
class Fault:
    """One abnormal answer: a status, headers, a cut-short body, a delay."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    truncate: int | None = None
    """Announce the whole body but send only its first N bytes, then hang up (a dropped connection)."""
    body: bytes | None = None
    """Serve this body instead of the normal one (e.g. JSON cut short by a broken backend)."""
    delay: float = 0.0


class CareerSiteServer:
    """The server; `url` is its base URL once started."""

    def __init__(self, data_dir: Path = BUNDLED_DATA, port: int = 0) -> None:
        self.data_dir = data_dir
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.requests: list[str] = []
        """Every request's path and query, in arrival order."""
        self.bodies: list[bytes] = []
        """Every request's body, in the same order (POST APIs such as Workday's)."""
        self.headers: list[dict[str, str]] = []
        """Every request's headers, in the same order."""
        self.robots_txt = b"User-agent: *\nAllow: /\n"
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_fault(self, path: str, *faults: Fault) -> None:
        self.faults[path].extend(faults)

    def start(self) -> str:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> CareerSiteServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- routing ----------------------------------------------------------------------------------

    def answer(self, request: SiteRequest) -> Answer:
        """Status, headers and body for `request` (no faults applied)."""
        if request.path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots_txt
        for family in family_modules():
            try:
                reply: Answer | None = family.answer(request, self.data_dir)
            except ValueError:  # a malformed request body or query
                return 400, _JSON, b'{"status": 400, "error": "Bad request"}'
            if reply is not None:
                return reply
        return 404, _JSON, b'{"status": 404, "error": "Not found"}'

    def sources(self) -> list[dict[str, Any]]:
        """Sources-file entries for every recorded board this server answers for."""
        return [
            entry
            for family in family_modules()
            for entry in family.sources(self.data_dir, self.url)
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._reply(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._reply(self.rfile.read(length))

            def _reply(self, request_body: bytes) -> None:
                parts = urlsplit(self.path)
                path = parts.path
                server.requests.append(self.path)
                request = SiteRequest(self.command, path, parse_qs(parts.query), request_body)
                server.bodies.append(request_body)
                server.headers.append(dict(self.headers.items()))
                status, headers, body = server.answer(request)
                queue = server.faults.get(path)
                fault = queue.popleft() if queue else None
                if fault is not None:
                    time.sleep(fault.delay)
                    if fault.status != 200:
                        status, body = fault.status, b'{"error": "injected fault"}'
                    if fault.body is not None:
                        body = fault.body
                    headers = {**headers, **fault.headers}
                if status == 200 and request.method == "GET" and path != "/robots.txt":
                    # Conditional requests, as ATS CDNs answer them: an ETag, and 304 on a match.
                    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                    headers = {**headers, "ETag": etag}
                    if self.headers.get("If-None-Match") == etag:
                        status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if fault is not None and fault.truncate is not None:
                    body = body[: fault.truncate]
                    self.close_connection = True
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the crawl's own log says what was fetched."""

        return Handler


_JSON = {"Content-Type": "application/json; charset=utf-8"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("data_dir", nargs="?", type=Path, default=BUNDLED_DATA)
    parser.add_argument("--port", type=int, default=0)
    options = parser.parse_args()
    server = CareerSiteServer(options.data_dir, options.port)
    print(server.url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server._httpd.serve_forever()


if __name__ == "__main__":
    main()
