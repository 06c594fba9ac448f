"""Operator state of sources (``nianbao sources disable|enable``): stored per data directory in
``archive.db`` and laid over the registry by every operation (crawl selection, the spider, status,
sources list), with real SQLite files and the CLI in a subprocess."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.registry import load_registry, select_enabled
from crawler.registry.placed import place_sources
from crawler.registry.sources import load_sources, select_sources
from crawler.registry.state import apply_state
from crawler.vocab.errors import ConfigError
from storage.db import DB_NAME, open_db
from storage.source_state import clear_state, load_state, set_state
from tests.simcrawl import nianbao

NOW = "2025-04-10T09:30:00+08:00"
REGISTRY = """\
[[source]]
id = "aa-county"
agency = "某县人民政府"
level = "county"
kind = "region"
urls = ["http://127.0.0.1:9/aa/nb/"]

[[source]]
id = "bb-county"
agency = "另一县人民政府"
level = "county"
kind = "region"
urls = ["http://127.0.0.1:9/bb/nb/"]
note = "TRS column"

[[source]]
id = "cc-bureau"
agency = "某市民政局"
level = "city_dept"
kind = "dept"
urls = ["http://127.0.0.1:9/cc/nb/"]
enabled = false
note = "attribution uncertain"
"""


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(REGISTRY, encoding="utf-8")
    return path


def state_row(enabled: bool, reason: str = "portal asked us to stop") -> dict:
    return {"enabled": enabled, "reason": reason, "changed_at": NOW, "changed_by": "test"}


def cli(*args: str, check: bool = True):
    return nianbao(*args, now=NOW, check=check)


# --- storage and the pure overlay ---------------------------------------------------------------


def test_apply_state_disables_enables_and_leaves_the_rest_alone(registry):
    sources = load_sources(registry)
    aa, bb, cc = sources
    out = apply_state(
        sources,
        {"bb-county": state_row(False), "cc-bureau": state_row(True), "gone-source": state_row(False)},
    )
    assert out[0] is aa  # untouched: the very same object
    assert out[1] == replace(
        bb, enabled=False, note=f"disabled by operator at {NOW}: portal asked us to stop — TRS column"
    )
    assert out[2] == replace(cc, enabled=True)
    assert apply_state(sources, {"aa-county": state_row(True)})[0] is aa  # enabling an enabled source: no-op
    assert apply_state(sources, {}) == sources and sources == load_sources(registry)  # input not mutated
    assert (
        apply_state([aa], {"aa-county": state_row(False, "x")})[0].note == f"disabled by operator at {NOW}: x"
    )


def test_state_round_trip_in_a_real_archive(tmp_path):
    db = open_db(tmp_path)
    set_state(db, "aa-county", enabled=False, reason="first", at=NOW, by="test")
    set_state(db, "aa-county", enabled=False, reason="second", at=NOW, by="test")  # upsert
    assert load_state(db) == {
        "aa-county": {
            "source_id": "aa-county",
            "enabled": False,
            "reason": "second",
            "changed_at": NOW,
            "changed_by": "test",
        }
    }
    assert clear_state(db, "aa-county") is True
    assert clear_state(db, "aa-county") is False
    assert load_state(db) == {}


def test_load_registry_without_an_archive_is_the_registry_and_creates_nothing(tmp_path, registry):
    data = tmp_path / "data"
    # the registry as read, with regions filled from names where it gives none (registry.placed)
    assert load_registry(registry, data) == place_sources(load_sources(registry))
    assert not data.exists()


def test_load_registry_reads_an_unmigrated_archive_without_migrating_it(tmp_path, registry):
    data = tmp_path / "data"
    data.mkdir()
    with closing(sqlite3.connect(data / DB_NAME)) as conn:
        conn.execute("create table runs (id integer primary key)")  # an archive from before 0006
    assert load_registry(registry, data) == place_sources(load_sources(registry))
    with closing(sqlite3.connect(data / DB_NAME)) as conn:
        assert [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")] == ["runs"]


# --- the CLI and every operation that reads the registry ----------------------------------------


def test_disable_shows_in_list_and_status_and_blocks_the_crawl(tmp_path, registry):
    data = tmp_path / "data"
    out = cli(
        "sources",
        "disable",
        "bb-county",
        "--reason",
        "WAF 拦截",
        "--data",
        str(data),
        "--sources",
        str(registry),
    )
    assert out.stdout.strip() == "disabled bb-county: WAF 拦截"
    assert (data / DB_NAME).exists()

    listed = cli("sources", "list", "--all", "--data", str(data), "--sources", str(registry)).stdout
    line = next(x for x in listed.splitlines() if x.startswith("bb-county"))
    assert f"(disabled: disabled by operator at {NOW}: WAF 拦截 — TRS column)" in line
    enabled_only = cli("sources", "list", "--json", "--data", str(data), "--sources", str(registry)).stdout
    assert [json.loads(x)["id"] for x in enabled_only.splitlines()] == ["aa-county"]

    status = [
        json.loads(x)
        for x in cli("status", "--json", "--data", str(data), "--sources", str(registry)).stdout.splitlines()
    ]
    by_source = {row["source"]: row for row in status}
    assert by_source["bb-county"]["health"] == "disabled" and "WAF 拦截" in by_source["bb-county"]["reason"]
    assert by_source["aa-county"]["health"] == "unknown" and "cc-bureau" not in by_source

    state = json.loads(cli("sources", "state", "--json", "--data", str(data)).stdout)
    assert state["enabled"] is False and state["changed_by"].startswith("nianbao sources disable")

    crawl = cli("crawl", "bb-county", "--data", str(data), "--sources", str(registry), check=False)
    assert crawl.returncode == 2
    assert "WAF 拦截" in crawl.stderr and "nianbao sources enable bb-county" in crawl.stderr
    assert [s.id for s in select_sources(load_registry(registry, data), None)] == ["aa-county"]


def test_the_spider_skips_an_operator_disabled_source(tmp_path, registry):
    from scrapy.utils.test import get_crawler

    from spiders.column import ColumnSpider

    data = tmp_path / "data"
    set_state(open_db(data), "aa-county", enabled=False, reason="redesign", at=NOW, by="test")
    crawler = get_crawler(ColumnSpider, {"NIANBAO_DATA": str(data), "NIANBAO_SOURCES": str(registry)})
    spider = ColumnSpider.from_crawler(crawler)
    assert set(spider.by_id) == {"bb-county"}


def test_enable_restores_and_can_override_the_registry(tmp_path, registry):
    data = tmp_path / "data"
    common = ("--data", str(data), "--sources", str(registry))
    cli("sources", "disable", "aa-county", *common)
    assert load_state(open_db(data))["aa-county"]["reason"] == "no reason given"
    assert cli("sources", "enable", "aa-county", *common).stdout.strip() == "enabled aa-county"
    assert load_state(open_db(data)) == {}  # the registry has it on: no state left behind
    assert [s.id for s in select_enabled(load_registry(registry, data), ["aa-county"])] == ["aa-county"]

    with pytest.raises(
        ConfigError, match="disabled in the registry .attribution uncertain.*sources enable cc-bureau"
    ):
        select_enabled(load_registry(registry, data), ["cc-bureau"])
    out = cli("sources", "enable", "cc-bureau", *common)
    assert out.stdout.strip() == "enabled cc-bureau"
    assert "registry says cc-bureau is disabled (attribution uncertain)" in out.stderr
    assert [s.id for s in select_sources(load_registry(registry, data), None)] == [
        "aa-county",
        "bb-county",
        "cc-bureau",
    ]
    cli("sources", "disable", "cc-bureau", *common)  # and off again: the operator's word is the last
    assert "cc-bureau" not in {s.id for s in select_sources(load_registry(registry, data), None)}


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_unknown_source_exits_2_with_close_matches(tmp_path, registry, command):
    data = tmp_path / "data"
    out = cli("sources", command, "aa-countyy", "--data", str(data), "--sources", str(registry), check=False)
    assert out.returncode == 2
    assert "unknown source id" in out.stderr and "aa-county" in out.stderr
    assert not data.exists()  # nothing written for a typo
