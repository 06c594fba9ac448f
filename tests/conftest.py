"""Shared fixtures: a fresh in-memory archive database, a temp data directory; the
``requires_tool`` marker (see tests/tools.py: skip without the system tool, fail when required)."""

from __future__ import annotations

import pytest
from scrapy.utils.reactor import install_reactor, is_reactor_installed

from storage.db import memory_db
from tests import tools

# Scrapy components built with get_crawler() expect the reactor Scrapy is configured for.
if not is_reactor_installed():
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


@pytest.fixture
def fresh_db():
    """A migrated in-memory database."""
    db = memory_db()
    yield db
    db.close()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "requires_tool(*names): needs these system tools (tests/tools.py: tesseract, soffice, chromium, "
        "cjk_font); skips without them, fails when NIANBAO_REQUIRE_TOOLS=1 (or, for chromium, "
        "NIANBAO_REQUIRE_BROWSER=1 / CI) is set",
    )


def pytest_report_header(config):
    return f"system tools: {tools.summary()}"


def pytest_collection_modifyitems(config, items):
    # a missing optional tool: an ordinary skip mark, so the report names the test and the reason
    for item in items:
        for marker in item.iter_markers("requires_tool"):
            reason = next((tools.missing(t) for t in marker.args if tools.skippable(t)), None)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # a missing required tool fails the test before any fixture is set up (a module fixture may crawl)
    for marker in item.iter_markers("requires_tool"):
        tools.fail_if_required(*marker.args)
