"""
Deploying to Scrapyd as docs/scheduling.md says: a real scrapyd on 127.0.0.1, the documented egg, a job.

Scrapyd runs in a virtualenv that sees this one's packages but not jobcrawl itself (its editable
install is a `.pth` file the link below does not process), as on a Scrapyd host: the spider that runs
is the deployed egg's, or nothing.
"""

from __future__ import annotations

import configparser
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import venv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.server import CareerSiteServer

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "scheduling.md"
pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def deploy_recipe() -> tuple[list[str], str]:
    """What the documented recipe copies into the staging folder, and the setup.py it writes."""
    [block] = [
        block
        for block in re.findall(r"^```sh\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.S | re.M)
        if "scrapyd-deploy" in block
    ]
    copied = re.search(r'^cp -r (.+) "\$stage"$', block, re.M)
    setup = re.search(r"<<'EOF'\n(.*?)^EOF$", block, re.S | re.M)
    assert copied is not None
    assert setup is not None
    return copied[1].split(), setup[1]


def call(url: str, data: dict[str, str] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=10) as answer:
        result: dict[str, Any] = json.loads(answer.read())
    return result


def wait_for(check: Any, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def scrapyd_environment(path: Path) -> Path:
    """A virtualenv with this one's installed packages linked in, but not the editable jobcrawl."""
    venv.create(path, with_pip=False, symlinks=True)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "test-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    """A scrapyd on a free port in a temporary folder; yields its URL."""
    python = scrapyd_environment(tmp_path / "scrapyd-env")
    no_jobcrawl = subprocess.run(
        [python, "-c", "import crawler"], cwd=tmp_path, capture_output=True, check=False
    )
    assert no_jobcrawl.returncode == 1, "jobcrawl must come from the egg only"
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        "eggs_dir = eggs\nlogs_dir = logs\nitems_dir = items\ndbs_dir = dbs\n"
        "max_proc = 1\npoll_interval = 0.5\n"
    )
    with (home / "scrapyd.out").open("wb") as out:
        server = subprocess.Popen([python, "-m", "scrapyd"], cwd=home, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: call(url + "daemonstatus.json")["status"] == "ok", timeout=30)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_scrapy_cfg_has_the_documented_deploy_target() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    assert dict(config["deploy"]) == {"url": "http://127.0.0.1:6800/", "project": "jobcrawl"}
    assert dict(config["settings"]) == {"default": "crawler.settings"}
    assert "[deploy]\nurl = http://127.0.0.1:6800/\nproject = jobcrawl\n" in DOC.read_text(
        encoding="utf-8"
    )


def test_deploy_schedule_and_read_the_result(
    scrapyd: str, career_site: CareerSiteServer, tmp_path: Path
) -> None:
    copied, setup_py = deploy_recipe()
    stage = tmp_path / "stage"
    stage.mkdir()
    for name in copied:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, stage / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, stage / name)
    (stage / "setup.py").write_text(setup_py)
    config = configparser.ConfigParser()
    config.read(stage / "scrapy.cfg")
    config["deploy"]["url"] = scrapyd  # the documented target, on this test's port
    with (stage / "scrapy.cfg").open("w") as fh:
        config.write(fh)

    deploy = subprocess.run(
        [Path(sys.executable).parent / "scrapyd-deploy", "-v", "1"],
        cwd=stage, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert deploy.returncode == 0, deploy.stderr
    assert json.loads(deploy.stdout)["status"] == "ok"
    spiders = call(scrapyd + "listspiders.json?project=jobcrawl")["spiders"]
    assert "greenhouse" in spiders

    db = tmp_path / "scrapyd.db"
    job = call(
        scrapyd + "schedule.json",
        {
            "project": "jobcrawl",
            "spider": "greenhouse",
            "board": "vercel",
            "base_url": career_site.url,
            "setting": f"JOBCRAWL_DB={db}",
        },
    )["jobid"]

    def finished() -> dict[str, Any] | None:
        jobs = call(scrapyd + "listjobs.json?project=jobcrawl")["finished"]
        return next((entry for entry in jobs if entry["id"] == job), None)

    wait_for(finished)
    log = (tmp_path / "scrapyd" / "logs" / "jobcrawl" / "greenhouse" / f"{job}.log").read_text()
    assert " ERROR: " not in log, log

    with sqlite3.connect(db) as connection:
        titles = connection.execute(
            "SELECT title FROM jobs WHERE source = 'greenhouse' AND source_key = 'vercel' ORDER BY title"
        ).fetchall()
        runs = connection.execute("SELECT status FROM runs").fetchall()
        tallies = connection.execute("SELECT complete, seen, new FROM run_sources").fetchall()
    assert titles == [("Account Executive, Commercial",), ("Account Executive, Majors",)]
    assert runs == [("ok",)]
    assert tallies == [(1, 2, 2)]
    items = (tmp_path / "scrapyd" / "items" / "jobcrawl" / "greenhouse" / f"{job}.jl").read_text()
    exported = sorted(json.loads(line)["title"] for line in items.splitlines())
    assert exported == [title for (title,) in titles]
