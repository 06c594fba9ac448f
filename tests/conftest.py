"""Shared fixtures: a fresh in-memory archive database, a temp data directory."""

from __future__ import annotations

import pytest

from storage.db import memory_db


@pytest.fixture
def fresh_db():
    """A migrated in-memory database."""
    db = memory_db()
    yield db
    db.close()
