"""curate: Korean corpus curation and privacy toolkit."""

__version__ = "0.1.0"
