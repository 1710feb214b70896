"""`python -m crawler` is the `jobcrawl` command."""

from crawler.cli import main

main()
