"""
User configuration: the sources file and where the database lives.

Each entry of the sources file is validated on its own, so one mistake is reported as
`file: entry N (kind key): field: problem` and the other entries still crawl. Source families register
their entry model in `crawler.sources.SOURCE_KINDS`; `scrapy crawl <family> -a key=value` builds the same model, so a
sources-file entry and spider arguments are checked by the same rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crawler.errors import ConfigError
from crawler.sources import SOURCE_KINDS, SourceBase


def parse_source(entry: dict[str, Any]) -> SourceBase:
    """Validate one entry; raise `ConfigError` whose message names the field."""
    kind = entry.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f"kind: missing (one of {', '.join(sorted(SOURCE_KINDS))})")
    model = SOURCE_KINDS.get(kind)
    if model is None:
        raise ConfigError(f"kind: unknown kind {kind!r} (one of {', '.join(sorted(SOURCE_KINDS))})")
    try:
        return model.model_validate(entry)
    except ValidationError as exc:
        raise ConfigError(_first_problem(exc)) from exc


def _first_problem(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        if not where and error["type"] == "value_error":
            # A check across fields names its own field(s): "url: expected a Workday URL".
            problems.append(str(error["ctx"]["error"]))
        else:
            problems.append(f"{where or 'entry'}: {message}")
    return "; ".join(problems)


@dataclass
class LoadedSources:
    """The valid entries of a sources file, and one line per invalid entry."""

    sources: list[SourceBase] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def load_sources(path: Path) -> LoadedSources:
    """Read and validate a sources file. Raises `ConfigError` only when nothing in it is usable."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{path}:{where}: not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from exc
    entries = document.get("sources") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a top-level `sources:` list")
    loaded = LoadedSources()
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            loaded.errors.append(f"{path}: entry {number}: expected a mapping with `kind`")
            continue
        name = _entry_name(entry)
        prefix = f"{path}: entry {number}" + (f" ({name})" if name else "")
        try:
            source = parse_source(entry)
        except ConfigError as exc:
            loaded.errors.append(f"{prefix}: {exc}")
            continue
        if source.label in seen:
            loaded.errors.append(f"{prefix}: duplicate of an earlier entry for {source.label}")
            continue
        seen.add(source.label)
        loaded.sources.append(source)
    if not loaded.sources and loaded.errors:
        raise ConfigError("\n".join(loaded.errors))
    return loaded


def _entry_name(entry: dict[str, Any]) -> str:
    """Kind and key of an entry ("greenhouse acme"), as far as they can be read, to name it."""
    kind = entry.get("kind")
    model = SOURCE_KINDS.get(kind) if isinstance(kind, str) else None
    key = entry.get(model.key_field) if model else None
    return " ".join(str(part) for part in (kind, key) if part)


def default_db_path() -> Path:
    """`$JOBCRAWL_DB`, else `$XDG_DATA_HOME/jobcrawl/jobcrawl.db` (~/.local/share by default)."""
    if env := os.environ.get("JOBCRAWL_DB"):
        return Path(env)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "jobcrawl" / "jobcrawl.db"
