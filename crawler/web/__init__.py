"""
The local web dashboard (`jobcrawl web`): search, the job page, saved jobs through the application
journey, comparison, alerts and crawl health, plus a JSON API, over the store the CLI uses.
"""

from __future__ import annotations

from crawler.web.app import create_app

__all__ = ["create_app"]
