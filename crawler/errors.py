"""Exceptions raised by the core. The CLI turns each into one line and an exit code."""

from __future__ import annotations


class JobcrawlError(Exception):
    """Base of every error jobcrawl reports to a user."""

    exit_code = 1


class ConfigError(JobcrawlError):
    """A sources file, option or setting is wrong; nothing was crawled because of it."""

    exit_code = 2


class SourceError(JobcrawlError):
    """A source could not be read completely (HTTP error, broken response)."""


class StoreError(JobcrawlError):
    """The database could not be opened, migrated or written."""

    exit_code = 2
