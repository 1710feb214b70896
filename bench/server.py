"""
A fast career-site server for benchmarks: a generated world of boards, every answer ready in memory.

    python bench/server.py --shape bulk|pages --postings 20000 --sources-out sources.json

`bulk` is the bulk-API shape: Greenhouse boards (`/v1/boards/{board}/jobs?content=true`, the whole
board in one response) and Lever sites (`/v0/postings/{board}?mode=json&skip=N&limit=100`, 100
postings a page). `pages` is the one-page-per-posting shape: Workday sites, a `POST .../jobs` list of
20 entries a page and one `GET .../job/...` detail per posting. Postings are made from the real
recordings in `crawler/demo/data` (their fields, metadata and HTML structure), with distinct ids,
titles and description words per posting, seeded so every run serves the same bytes.

Every response (status line, headers, body) is built before the server listens, so serving is one
dictionary lookup and one socket write: the crawler, not this server, is what a benchmark measures.
The server is a bare asyncio protocol (HTTP/1.1, keep-alive) rather than `http.server`, which spends
more per request than the crawl it would be measuring. `GET /__stats` answers the requests served so
far and the CPU seconds this process has used, so a run can report the server's own cost per request.
It prints its base URL on the first line of its output once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import random
import re
import resource
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

DATA = Path(__file__).resolve().parent.parent / "crawler" / "demo" / "data"
SEED = 20261124
LEVER_PAGE = 100
"""Postings per Lever page: the `limit` that `LeverSpider.page_size` asks for."""
WORKDAY_PAGE = 20
"""Postings per Workday list page: the most Workday (and the spider) use."""
LEVELS = ("", "Senior ", "Staff ", "Junior ", "Principal ", "Lead ")
TEAMS = ("Backend", "Frontend", "Payments", "Growth", "Platform", "Mobile", "Data", "Security")
ROBOTS = b"User-agent: *\nAllow: /\n"
_TAG = re.compile(r"(<[^>]*>)")
_WORD = re.compile(r"[A-Za-z]{3,}")

RouteKey = tuple[str, str, int]
"""(method, path, page): the page is Lever's `skip` or Workday's `offset`, else 0."""


@dataclass
class World:
    """The generated boards: every response by route, and the sources entries that crawl them."""

    shape: str
    postings: int
    routes: dict[RouteKey, bytes] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    """Sources-file entries without `base_url`, which the crawl adds once the server listens."""

    def add(self, method: str, path: str, page: int, body: bytes, kind: str = "json") -> None:
        self.routes[(method, path, page)] = http_response(200, body, kind)


def http_response(status: int, body: bytes, kind: str = "json") -> bytes:
    """A whole HTTP/1.1 response, ready to write."""
    content_type = {"json": "application/json; charset=utf-8", "text": "text/plain"}[kind]
    reason = {200: "OK", 404: "Not Found", 400: "Bad Request"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


NOT_FOUND = http_response(404, b'{"error": "Not found"}')
BAD_REQUEST = http_response(400, b'{"error": "Bad request"}')


# -- generation -----------------------------------------------------------------------------------


class Templates:
    """The recorded postings that generated ones copy, and the words their descriptions draw on."""

    def __init__(self, data: Path = DATA) -> None:
        self.greenhouse = [
            job
            for path in sorted((data / "greenhouse").glob("*.json"))
            for job in json.loads(path.read_bytes())["jobs"]
        ]
        self.lever = [
            posting
            for path in sorted((data / "lever").glob("*.json"))
            for posting in json.loads(path.read_bytes())
        ]
        self.workday = [
            json.loads(path.read_bytes()) for path in sorted((data / "workday").glob("*/*/*.json"))
        ]
        texts = [html.unescape(job.get("content") or "") for job in self.greenhouse]
        texts += [p.get("descriptionPlain") or "" for p in self.lever]
        texts += [d["jobPostingInfo"].get("jobDescription") or "" for d in self.workday]
        self.vocabulary = sorted({w.lower() for text in texts for w in _WORD.findall(text)})


class Varier:
    """Seeded variations: each posting's description keeps its template's HTML, not its words."""

    def __init__(self, vocabulary: list[str], seed: int) -> None:
        self.random = random.Random(seed)
        self.vocabulary = vocabulary
        self._skeletons: dict[str, list[str | int]] = {}

    def html(self, template: str) -> str:
        """The template's tags in place, each run of text replaced by as many drawn words."""
        skeleton = self._skeletons.get(template)
        if skeleton is None:
            skeleton = [
                part if part.startswith("<") else len(part.split())
                for part in _TAG.split(template)
                if part.strip()
            ]
            self._skeletons[template] = skeleton
        drawn = self.random.choices(
            self.vocabulary, k=sum(part for part in skeleton if isinstance(part, int))
        )
        out, used = [], 0
        for part in skeleton:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(" ".join(drawn[used : used + part]))
                used += part
        return "".join(out)

    def title(self, template: str, number: int) -> str:
        level = self.random.choice(LEVELS)
        return f"{level}{template.split(' - ')[0]}, {self.random.choice(TEAMS)} {number}"


def board_sizes(postings: int, boards: int) -> list[int]:
    """`postings` spread over `boards` boards, sizes differing by at most one."""
    boards = max(1, min(boards, postings))
    return [postings // boards + (1 if b < postings % boards else 0) for b in range(boards)]


def bulk_world(postings: int, boards: int = 200, templates: Templates | None = None) -> World:
    """Half the boards Greenhouse, half Lever, `postings` jobs in all."""
    templates = templates or Templates()
    varier = Varier(templates.vocabulary, SEED)
    world = World("bulk", postings)
    number = 0
    for board, size in enumerate(board_sizes(postings, boards)):
        jobs = range(number, number + size)
        if board % 2 == 0:
            _greenhouse_board(world, f"gh{board:04d}", jobs, templates, varier)
        else:
            _lever_board(world, f"lv{board:04d}", jobs, templates, varier)
        number += size
    world.add("GET", "/robots.txt", 0, ROBOTS, "text")
    return world


def _greenhouse_board(
    world: World, board: str, jobs: range, templates: Templates, varier: Varier
) -> None:
    made = []
    for number in jobs:
        template = templates.greenhouse[number % len(templates.greenhouse)]
        job_id = 10_000_000 + number
        content = varier.html(html.unescape(template.get("content") or ""))
        made.append(
            {
                **template,
                "id": job_id,
                "internal_job_id": 5_000_000 + number,
                "requisition_id": f"R{number}",
                "title": varier.title(template["title"], number),
                "absolute_url": f"https://boards.greenhouse.io/{board}/jobs/{job_id}",
                "company_name": f"Company {board}",
                "content": html.escape(content, quote=False),
            }
        )
    body = json.dumps({"jobs": made, "meta": {"total": len(made)}}).encode()
    world.add("GET", f"/v1/boards/{board}/jobs", 0, body)
    world.sources.append({"kind": "greenhouse", "board": board})


def _lever_board(
    world: World, board: str, jobs: range, templates: Templates, varier: Varier
) -> None:
    made = []
    for number in jobs:
        template = templates.lever[number % len(templates.lever)]
        posting_id = str(uuid.UUID(int=number + 1))
        lists = [
            {"text": entry.get("text"), "content": varier.html(entry.get("content") or "")}
            for entry in template.get("lists") or []
        ]
        made.append(
            {
                **template,
                "id": posting_id,
                "text": varier.title(template["text"], number),
                "hostedUrl": f"https://jobs.lever.co/{board}/{posting_id}",
                "applyUrl": f"https://jobs.lever.co/{board}/{posting_id}/apply",
                "description": varier.html(template.get("description") or ""),
                "lists": lists,
                "additional": varier.html(template.get("additional") or ""),
            }
        )
    for skip in range(0, len(made) + 1, LEVER_PAGE):
        page = json.dumps(made[skip : skip + LEVER_PAGE]).encode()
        world.add("GET", f"/v0/postings/{board}", skip, page)
    world.sources.append({"kind": "lever", "board": board, "company": f"Company {board}"})


def pages_world(postings: int, sites: int = 200, templates: Templates | None = None) -> World:
    """Workday sites: list pages of 20 entries and one detail response per posting."""
    templates = templates or Templates()
    varier = Varier(templates.vocabulary, SEED)
    world = World("pages", postings)
    number = 0
    for site, size in enumerate(board_sizes(postings, sites)):
        _workday_site(world, f"bench{site:04d}", range(number, number + size), templates, varier)
        number += size
    world.add("GET", "/robots.txt", 0, ROBOTS, "text")
    return world


def _workday_site(
    world: World, tenant: str, jobs: range, templates: Templates, varier: Varier
) -> None:
    site = "External"
    base = f"/wday/cxs/{tenant}/{site}"
    entries = []
    for number in jobs:
        template = templates.workday[number % len(templates.workday)]
        info = template["jobPostingInfo"]
        title = varier.title(info["title"], number)
        requisition = f"R{number:07d}"
        name = f"{re.sub(r'[^A-Za-z0-9]+', '-', title).strip('-')}_{requisition}"
        place = re.sub(r"[^A-Za-z0-9]+", "-", info.get("location") or "Remote").strip("-")
        external_path = f"/job/{place}/{name}"
        entries.append(
            {
                "title": title,
                "externalPath": external_path,
                "locationsText": info.get("location"),
                "postedOn": "Posted 3 Days Ago",
                "bulletFields": [requisition],
            }
        )
        detail = {
            **template,
            "hiringOrganization": {"name": f"Company {tenant}", "url": ""},
            "jobPostingInfo": {
                **info,
                "id": f"{number:032x}",
                "title": title,
                "jobDescription": varier.html(info.get("jobDescription") or ""),
                "jobReqId": requisition,
                "jobPostingId": name,
                "jobPostingSiteId": site,
                "externalUrl": f"https://{tenant}.wd5.myworkdayjobs.com/{site}{external_path}",
            },
        }
        world.add("GET", f"{base}{external_path}", 0, json.dumps(detail).encode())
    for offset in range(0, max(len(entries), 1), WORKDAY_PAGE):
        page = {
            "total": len(entries) if offset == 0 else 0,
            "jobPostings": entries[offset : offset + WORKDAY_PAGE],
            "facets": [],
            "userAuthenticated": False,
        }
        world.add("POST", f"{base}/jobs", offset, json.dumps(page).encode())
    world.sources.append(
        {"kind": "workday", "url": f"https://{tenant}.wd5.myworkdayjobs.com/en-US/{site}"}
    )


def make_world(shape: str, postings: int, boards: int = 200) -> World:
    if shape == "bulk":
        return bulk_world(postings, boards)
    if shape == "pages":
        return pages_world(postings, boards)
    raise ValueError(f"unknown shape {shape!r}: bulk or pages")


# -- serving --------------------------------------------------------------------------------------


class Counter:
    """Requests served, for `/__stats`."""

    def __init__(self) -> None:
        self.requests = 0
        self.started = time.monotonic()

    def stats(self) -> bytes:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return json.dumps(
            {
                "requests": self.requests,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "uptime": time.monotonic() - self.started,
            }
        ).encode()


def route_key(method: str, target: str, body: bytes) -> RouteKey:
    """The route of a request: Lever's `skip` from the query, Workday's `offset` from the body."""
    path, _, query = target.partition("?")
    page = 0
    if method == "POST":
        page = int(json.loads(body or b"{}").get("offset", 0))
    elif "skip=" in query:
        page = int(parse_qs(query)["skip"][0])
    return method, path, page


class HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive: parse the request head, look the answer up, write it."""

    def __init__(self, routes: dict[RouteKey, bytes], counter: Counter) -> None:
        self.routes = routes
        self.counter = counter
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (request := self._next_request()) is not None:
            method, target, body, close = request
            self._reply(method, target, body)
            if close and self.transport is not None:
                self.transport.close()
                return

    def _next_request(self) -> tuple[str, str, bytes, bool] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value.strip().lower() == "close"
        if len(self.buffer) < end + 4 + length:
            return None
        body = self.buffer[end + 4 : end + 4 + length]
        self.buffer = self.buffer[end + 4 + length :]
        method, target, _ = lines[0].split(" ", 2)
        return method, target, body, close

    def _reply(self, method: str, target: str, body: bytes) -> None:
        assert self.transport is not None
        self.counter.requests += 1
        if target == "/__stats":
            self.transport.write(http_response(200, self.counter.stats()))
            return
        try:
            key = route_key(method, target, body)
        except (ValueError, KeyError, AttributeError):
            self.transport.write(BAD_REQUEST)
            return
        self.transport.write(self.routes.get(key, NOT_FOUND))


async def serve(world: World, port: int = 0) -> None:
    """Listen on 127.0.0.1, print the base URL, serve until killed."""
    counter = Counter()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: HttpProtocol(world.routes, counter), "127.0.0.1", port, backlog=1024
    )
    host, bound = server.sockets[0].getsockname()[:2]
    print(f"http://{host}:{bound}", flush=True)
    async with server:
        await server.serve_forever()


# -- load test: the server's own requests per second ----------------------------------------------


async def _client(host: str, port: int, request: bytes, until: float) -> int:
    """One keep-alive connection sending `request` back to back; the number of answers read."""
    reader, writer = await asyncio.open_connection(host, port)
    answered = 0
    while time.monotonic() < until:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head)[1])  # type: ignore[index]
        await reader.readexactly(length)
        answered += 1
    writer.close()
    return answered


def load(url: str, path: str, seconds: float = 3.0, connections: int = 16) -> float:
    """Requests per second this server answered for GET `path` from a Python asyncio client."""
    host, port = url.removeprefix("http://").split(":")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()

    async def run() -> int:
        until = time.monotonic() + seconds
        counts = await asyncio.gather(
            *(_client(host, int(port), request, until) for _ in range(connections))
        )
        return sum(counts)

    started = time.monotonic()
    answered = asyncio.run(run())
    return answered / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--shape", choices=("bulk", "pages"), default="pages")
    parser.add_argument("--postings", type=int, default=20_000)
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--sources-out", type=Path, help="write the sources entries here (JSON)")
    parser.add_argument("--load", metavar="URL", help="load-test a running server instead")
    parser.add_argument("--path", default="/robots.txt", help="the path --load requests")
    options = parser.parse_args()
    if options.load:
        print(f"{load(options.load, options.path):.0f} requests/s")
        return
    world = make_world(options.shape, options.postings, options.boards)
    if options.sources_out:
        options.sources_out.write_text(json.dumps(world.sources))
    asyncio.run(serve(world, options.port))


if __name__ == "__main__":
    main()
