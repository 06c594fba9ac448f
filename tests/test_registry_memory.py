"""The data directory remembers its registry (issue 15 §4), and a crawl that finds nothing says
why (§5): unit tests of the resolution order, and end to end on the simulator."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from crawler.registry.memory import MEMORY_FILE, remember, remembered, resolve_sources
from crawler.registry.sources import default_sources_path
from crawler.vocab.errors import ConfigError
from tests.simcrawl import crawl, nianbao, query, sim_world


def test_resolution_order(tmp_path, monkeypatch):
    monkeypatch.delenv("NIANBAO_SOURCES", raising=False)
    data = tmp_path / "data"
    mine, other = tmp_path / "mine.toml", tmp_path / "other.toml"
    mine.write_text("", encoding="utf-8")
    other.write_text("", encoding="utf-8")
    assert resolve_sources(None, data).origin == "shipped"
    assert remember(data, mine) is None  # the first registry: nothing to warn about
    assert remembered(data) == str(mine.resolve())
    assert resolve_sources(None, data) == resolve_sources(None, data)
    assert resolve_sources(None, data).path == str(mine.resolve())
    assert resolve_sources(other, data).path == str(other)
    monkeypatch.setenv("NIANBAO_SOURCES", str(other))
    assert resolve_sources(None, data).origin == "$NIANBAO_SOURCES"
    monkeypatch.delenv("NIANBAO_SOURCES")
    assert "was " + str(mine.resolve()) in (remember(data, other) or "")
    assert json.loads((data / MEMORY_FILE).read_text())["files"] == [str(other.resolve())]


def test_a_remembered_registry_that_is_gone_is_an_error_not_the_shipped_one(tmp_path, monkeypatch):
    monkeypatch.delenv("NIANBAO_SOURCES", raising=False)
    gone = tmp_path / "gone.toml"
    gone.write_text("", encoding="utf-8")
    remember(tmp_path, gone)
    gone.unlink()
    with pytest.raises(ConfigError, match="no longer exists"):
        resolve_sources(None, tmp_path)
    (tmp_path / MEMORY_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="unreadable"):
        resolve_sources(None, tmp_path)


TODAY = date(2025, 4, 10)


@pytest.mark.slow
def test_commands_default_to_the_remembered_registry_and_check_refuses_strangers(tmp_path, monkeypatch):
    monkeypatch.delenv("NIANBAO_SOURCES", raising=False)
    data = tmp_path / "data"
    with sim_world(tmp_path, seed=5, agencies=6, today=TODAY) as world:
        # a source whose URL is its portal's home page, not the column: read, but empty
        column = re.search(r'urls = \["([^"]+)"\]', world.sources.read_text(encoding="utf-8")).group(1)
        home = re.match(r"(https?://[^/]+/[^/]+/)", column).group(1)
        world.add_source("home-page", "首页县人民政府", home)
        proc = crawl(world, data, TODAY, check=False)
    assert json.loads((data / MEMORY_FILE).read_text())["files"] == [str(world.sources.resolve())]
    assert re.search(
        r"home-page: empty \(read, but (none of the entries|its pages list no entries)",
        proc.stderr,
    ), proc.stderr[-2000:]
    # without --sources every command reads the remembered registry
    status = nianbao("status", "--data", str(data), "--json", now=TODAY).stdout
    assert {json.loads(line)["source"] for line in status.splitlines()} == {
        f"sim-{i:05d}" for i in range(1, 7)
    } | {"home-page"}
    verdicts = json.loads(nianbao("check", "--data", str(data), "--json", now=TODAY).stdout)
    assert {v["source"] for v in verdicts} >= {f"sim-{i:05d}" for i in range(1, 7)}
    # every command that reads the archive accepts --sources
    for args in (("search", "复议"), ("flags",), ("report", "--out", str(tmp_path / "r.csv")), ("verify",)):
        nianbao(*args, "--data", str(data), "--sources", str(world.sources), now=TODAY)
    # the shipped registry names bodies this archive never crawled: no unknowns are written
    before = query(data, "select count(*) as n, max(checked_at) as at from compliance")[0]
    proc = nianbao(
        "check", "--data", str(data), "--sources", str(default_sources_path()), now=TODAY, check=False
    )
    assert proc.returncode == 2 and "holds no crawl of any" in proc.stderr
    assert query(data, "select count(*) as n, max(checked_at) as at from compliance")[0] == before


@pytest.mark.slow
def test_a_crawl_where_every_source_is_empty_exits_1_and_says_why(tmp_path):
    sources = tmp_path / "sources.toml"
    data = tmp_path / "data"
    with sim_world(tmp_path, seed=5, agencies=2, today=TODAY) as world:
        column = re.search(r'urls = \["([^"]+)"\]', world.sources.read_text(encoding="utf-8")).group(1)
        home = re.match(r"(https?://[^/]+/[^/]+/)", column).group(1)
        sources.write_text(
            f'[[source]]\nid = "only-home"\nagency = "首页县人民政府"\nlevel = "county"\nkind = "region"\nurls = ["{home}"]\n',
            encoding="utf-8",
        )
        proc = nianbao(
            "crawl",
            "--data",
            str(data),
            "--sources",
            str(sources),
            "--profile",
            "sim",
            now=TODAY,
            check=False,
        )
    assert proc.returncode == 1
    assert "only-home: empty" in proc.stderr and "every source came back empty" in proc.stderr
    assert Path(data / MEMORY_FILE).exists()
