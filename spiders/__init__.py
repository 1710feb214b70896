"""Spiders, one module per source family: extraction at the top, crawling at the bottom."""
