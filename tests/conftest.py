"""Shared fixtures: a fresh in-memory archive database, a temp data directory."""

from __future__ import annotations

import pytest
from scrapy.utils.reactor import install_reactor, is_reactor_installed

from storage.db import memory_db

# Scrapy components built with get_crawler() expect the reactor Scrapy is configured for.
if not is_reactor_installed():
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


@pytest.fixture
def fresh_db():
    """A migrated in-memory database."""
    db = memory_db()
    yield db
    db.close()
