"""Helpers for tests that write setup rows straight into the live server's SQLite database."""

import secrets
from pathlib import Path


def catalogue_changed(database: Path) -> None:
    """After catalogue rows written straight into the live database: a new catalogue stamp, as a
    commit through the app makes (app/cache.py keeps it beside the SQLite file), so no worker
    serves a page or a row kept from before."""
    Path(f"{database}-stamp").write_text(secrets.token_hex(8))
