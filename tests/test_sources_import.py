"""``nianbao sources import`` (CSV → registry), ``sources list``'s region origin and ``sources
coverage`` (on a small archive crawled from the simulator)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.registry.importing import plan_import, stable_id
from crawler.registry.sources import ID_RE, default_sources_path, load_sources
from tests.simcrawl import crawl, nianbao, query, sim_world

EXISTING = """\
# my registry — 注释 stays as it is
[[source]]
id = "cs-furong"
agency = "长沙市芙蓉区人民政府"
level = "county"
kind = "region"
urls = ["http://www.furong.gov.cn/zfxxgk/nb/"]"""  # no newline at the end: appended after one

CSV = """\
agency,url,region,level,kind,id,first_year
湖南省教育厅,https://jyt.hunan.gov.cn/xxgk/nb/,,,,,2010
浏阳市人民政府,http://www.liuyang.gov.cn/nb/ https://www.liuyang.gov.cn/nb2/,,,,,
长沙市芙蓉区人民政府,http://www.furong.gov.cn/zfxxgk/nb/,,,,,
某县财政局,http://czj.example.gov.cn/nb/,431000,county_dept,dept,my-czj,
湖南省教育厅,https://jyt.hunan.gov.cn/other/,,,,,
"""


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, [str(a) for a in args])


@pytest.fixture
def registry(tmp_path) -> Path:
    path = tmp_path / "mine.toml"
    path.write_bytes(EXISTING.encode("utf-8"))
    return path


def write_csv(tmp_path: Path, text: str, encoding: str, name: str = "bodies.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_import_appends_checked_entries_and_keeps_the_file(run, tmp_path, registry, encoding):
    csv_file = write_csv(tmp_path, CSV, encoding)
    result = run("sources", "import", csv_file, "--to", registry)
    assert result.exit_code == 0, result.output
    text = registry.read_bytes()
    assert text.startswith(EXISTING.encode("utf-8") + b"\n")  # the old bytes, then the new part
    loaded = {s.agency: s for s in load_sources(registry)}
    assert len(loaded) == 4
    edu = loaded["湖南省教育厅"]
    assert (edu.level, edu.kind, edu.region, edu.first_year) == ("province_dept", "dept", "430000", 2010)
    assert edu.id == stable_id("湖南省教育厅", "430000") and ID_RE.match(edu.id)
    liuyang = loaded["浏阳市人民政府"]
    assert (liuyang.level, liuyang.kind, liuyang.region) == ("county", "region", "430181")
    assert len(liuyang.urls) == 2
    mine = loaded["某县财政局"]
    assert (mine.id, mine.region, mine.level) == ("my-czj", "431000", "county_dept")
    # the summary: the encoding read, what was added, what was skipped and why
    assert f"({'utf-8 (BOM)' if encoding == 'utf-8-sig' else encoding})" in result.output
    assert "imported 3 of 5 rows" in result.output and "skipped 2" in result.output
    assert "skipped line 4: 长沙市芙蓉区人民政府: URL http://www.furong.gov.cn/zfxxgk/nb/" in result.output
    assert "source cs-furong" in result.output
    assert "skipped line 6: 湖南省教育厅: id " in result.output and "CSV line 2" in result.output
    # the same file again: everything is already there, nothing changes
    again = run("sources", "import", csv_file, "--to", registry)
    assert again.exit_code == 0 and "imported 0 of 5 rows" in again.output
    assert registry.read_bytes() == text


def test_a_bad_row_names_line_and_field_and_nothing_is_written(run, tmp_path, registry):
    bad = (
        CSV
        + "某某人民政府,ftp://x.gov.cn/nb/,,,,,\n长沙市芙蓉区财政局,http://czj.furong.gov.cn/,4301,,,,1999.0\n,http://x.gov.cn/\n"
    )
    csv_file = write_csv(tmp_path, bad, "utf-8")
    before = registry.read_bytes()
    result = run("sources", "import", csv_file, "--to", registry)
    assert result.exit_code == 2
    assert registry.read_bytes() == before
    out = result.output
    assert "bodies.csv, line 7: field 'url'" in out and "not an absolute http(s) URL" in out
    assert "line 7: field 'level'" in out  # 某某人民政府 names no level
    assert "line 8: field 'region'" in out and "6-digit" in out
    assert "line 8: field 'first_year': 1999 is outside 2008..2100" in out  # 1999.0, as Excel writes it
    assert "line 9: field 'agency'" in out
    assert "nothing written" in out


def test_bad_columns_and_undecodable_files_are_errors(run, tmp_path, registry):
    extra = write_csv(tmp_path, "agency,url,colour\n某县人民政府,http://x.gov.cn/,red\n", "utf-8")
    result = run("sources", "import", extra, "--to", registry)
    assert result.exit_code == 2 and "line 1: field 'colour': unknown column" in result.output
    missing = write_csv(tmp_path, "agency,region\n某县人民政府,430102\n", "utf-8", "m.csv")
    result = run("sources", "import", missing, "--to", registry)
    assert result.exit_code == 2 and "field 'url': required column is missing" in result.output
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"agency,url\n\xff\xff\xff\n")
    result = run("sources", "import", binary, "--to", registry)
    assert result.exit_code == 2 and "neither UTF-8 nor GBK" in result.output
    assert registry.read_bytes() == EXISTING.encode("utf-8")


def test_dry_run_writes_nothing_and_shows_the_tables(run, tmp_path, registry):
    csv_file = write_csv(tmp_path, CSV, "utf-8")
    result = run("sources", "import", csv_file, "--to", registry, "--dry-run")
    assert result.exit_code == 0 and "would import 3 of 5 rows" in result.output
    assert "[[source]]" in result.output and "# CSV line 3" in result.output
    assert 'region = "430181"  # read from the agency name: 湖南省长沙市浏阳市' in result.output
    assert registry.read_bytes() == EXISTING.encode("utf-8")


def test_import_creates_a_new_file_but_refuses_the_shipped_registry(run, tmp_path):
    csv_file = write_csv(tmp_path, CSV, "utf-8")
    shipped_before = default_sources_path().read_bytes()
    refused = run("sources", "import", csv_file, "--data", tmp_path / "data")
    assert refused.exit_code == 2 and "--to FILE" in refused.output
    refused = run("sources", "import", csv_file, "--to", default_sources_path())
    assert refused.exit_code == 2 and "shipped with nianbao" in refused.output
    assert default_sources_path().read_bytes() == shipped_before
    with pytest.raises(Exception, match="shipped"):
        plan_import(csv_file, default_sources_path())
    new = tmp_path / "new.toml"
    created = run("sources", "import", csv_file, "--to", new)
    assert created.exit_code == 0 and len(load_sources(new)) == 4  # 湖南省教育厅 twice: one kept


def test_import_defaults_to_the_remembered_registry(run, tmp_path, registry, monkeypatch):
    monkeypatch.delenv("NIANBAO_SOURCES", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    (data / "registry.json").write_text(json.dumps({"files": [str(registry)]}), encoding="utf-8")
    result = run("sources", "import", write_csv(tmp_path, CSV, "utf-8"), "--data", data)
    assert result.exit_code == 0, result.output
    assert len(load_sources(registry)) == 4


def test_sources_list_shows_the_region_and_where_it_came_from(run, tmp_path, registry):
    registry.write_text(
        EXISTING + '\nregion = "430102"\n\n[[source]]\nid = "lyang"\nagency = "浏阳市人民政府"\n'
        'level = "county"\nkind = "region"\nurls = ["http://www.liuyang.gov.cn/nb/"]\n',
        encoding="utf-8",
    )
    rows = [
        json.loads(x) for x in run("sources", "list", "--json", "--sources", registry).output.splitlines()
    ]
    assert [(r["region"], r["region_source"], r["region_name"]) for r in rows] == [
        ("430102", "registry", "湖南省长沙市芙蓉区"),
        ("430181", "agency name", "湖南省长沙市浏阳市"),
    ]
    text = run("sources", "list", "--sources", registry).output
    assert "region from the agency name: 湖南省长沙市浏阳市" in text
    assert "region from the registry: 湖南省长沙市芙蓉区" in text


def test_coverage_without_an_archive_counts_registered_only(run, tmp_path, registry):
    csv_file = write_csv(tmp_path, CSV, "utf-8")
    run("sources", "import", csv_file, "--to", registry)
    args = ("sources", "coverage", "--sources", registry, "--data", tmp_path / "none", "--json")
    rows = [json.loads(x) for x in run(*args).output.splitlines()]
    assert rows[0]["name"] == "全国" and rows[0]["registered"] == 4 and rows[0]["reported"] is None
    hunan = next(r for r in rows if r["code"] == "430000")
    assert hunan["registered"] == 4 and hunan["working"] is None
    rows = [json.loads(x) for x in run(*args, "--region", "4301").output.splitlines()]
    by_code = {(r["code"], r["level"]): r["registered"] for r in rows}
    assert by_code[("430100", "city")] == 2 and by_code[("430100", "own")] == 0
    assert by_code[("430102", "county")] == 1 and by_code[("430181", "county")] == 1
    assert by_code[("430103", "county")] == 0  # 天心区: a gap is listed too
    bad = run("sources", "coverage", "--sources", registry, "--region", "4x")
    assert bad.exit_code == 2 and "--region" in bad.output


TODAY = date(2025, 4, 10)


def test_coverage_counts_against_a_crawled_archive(tmp_path):
    data = tmp_path / "data"
    with sim_world(tmp_path, seed=5, agencies=6, today=TODAY, troubles=False) as world:
        crawl(world, data, TODAY)
    registry = load_sources(world.sources)
    status = [
        json.loads(x) for x in nianbao("status", "--json", "--data", str(data), now=TODAY).stdout.splitlines()
    ]
    working = {r["source"] for r in status if r["health"] in ("ok", "degraded")}
    reported = {
        r["source_id"]
        for r in query(
            data, "select source_id from reports where own = 1 and report_year = ?", (TODAY.year - 1,)
        )
    }
    assert working and reported  # the data directory remembers the sim registry from the crawl
    out = nianbao("sources", "coverage", "--data", str(data), "--json", now=TODAY).stdout
    rows = [json.loads(x) for x in out.splitlines()]
    country = rows[0]
    assert (country["registered"], country["working"], country["reported"], country["year"]) == (
        len(registry),
        len(working),
        len(reported),
        TODAY.year - 1,
    )
    assert country["share"] == round(len(reported) / len(registry), 4)
    province = {r["code"]: r for r in rows[1:-1]}["110000"]  # the simulator's bodies are all in 11
    assert province["registered"] == len(registry)
    children = [
        json.loads(x)
        for x in nianbao(
            "sources", "coverage", "--data", str(data), "--region", "11", "--json", now=TODAY
        ).stdout.splitlines()
    ]
    assert children[0]["registered"] == len(registry)
    assert sum(r["registered"] for r in children[1:]) == len(registry)
    assert sum(r["reported"] for r in children[1:]) == len(reported)
    by_region: dict[str, int] = {}
    for s in registry:
        by_region[s.region] = by_region.get(s.region, 0) + 1
    listed = {r["code"]: r["registered"] for r in children[1:] if r["registered"]}
    assert listed == by_region
    table = nianbao("sources", "coverage", "--data", str(data), now=TODAY).stdout
    assert table.splitlines()[0] == f"season {TODAY.year - 1}: own reports of {TODAY.year - 1} found"
