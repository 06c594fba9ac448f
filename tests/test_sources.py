"""Tests for crawler.registry.sources: the default registry and strict validation of user registries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.registry.sources import (
    Source,
    default_sources_path,
    load_sources,
    select_sources,
    validate_sources,
)
from crawler.vocab.errors import ConfigError
from crawler.vocab.words import CMS_FAMILIES, LEVELS, SOURCE_KINDS

GOOD = """\
[[source]]
id = "bj-miyun"
agency = "北京市密云区人民政府"
level = "county"
kind = "region"
urls = ["https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/"]
"""

SECOND = """\
[[source]]
id = "wuhan-mzj"
agency = "武汉市民政局"
level = "city_dept"
kind = "dept"
urls = ["https://mzj.wuhan.gov.cn/zwgk_918/xxgknb/"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the default registry -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_sources() -> list[Source]:
    return load_sources()


def test_default_registry_validates() -> None:
    assert default_sources_path().is_file()
    assert validate_sources() == []


def test_default_registry_counts(default_sources: list[Source]) -> None:
    rows = re.findall(r"^# §9 row (\d+)", default_sources_path().read_text(encoding="utf-8"), re.M)
    assert {int(r) for r in rows} == set(range(1, 66))  # every row of portals.md §9
    assert len(default_sources) == len(rows) >= 65
    assert len({s.id for s in default_sources}) == len(default_sources)
    disabled = [s for s in default_sources if not s.enabled]
    assert disabled and all(s.note for s in disabled)
    assert sum(s.enabled for s in default_sources) >= 30


def test_default_registry_uncertain_rows_disabled(default_sources: list[Source]) -> None:
    by_id = {s.id: s for s in default_sources}
    for source_id in ("mohrss", "guangdong", "bj-gjj", "sx-gaoping-zfb", "tonglu", "hefei-unit", "yulin-hb"):
        assert not by_id[source_id].enabled, source_id
    assert "EdgeOne" in by_id["mohrss"].note
    assert "gkmlpt" in by_id["guangdong"].note
    assert by_id["wuhan-mzj"].enabled and by_id["wuhan-mzj"].agency == "武汉市民政局"
    assert by_id["yanan-czj"].enabled  # only the other body of row 61 is uncertain


def test_default_registry_values(default_sources: list[Source]) -> None:
    for s in default_sources:
        assert s.level in LEVELS and s.kind in SOURCE_KINDS and s.cms in CMS_FAMILIES
        assert s.urls and all(u.startswith(("http://", "https://")) for u in s.urls)
        assert s.allowed_hosts
    beijing = next(s for s in default_sources if s.id == "beijing")
    assert (beijing.agency, beijing.kind, beijing.region) == ("北京市人民政府", "region", "110000")


# --- a valid user registry ----------------------------------------------------------------------


def test_defaults_and_types(tmp_path: Path) -> None:
    (source,) = load_sources(write(tmp_path, GOOD))
    assert source == Source(
        id="bj-miyun",
        agency="北京市密云区人民政府",
        level="county",
        kind="region",
        urls=("https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/",),
        region=None,
        cms="auto",
        encoding="auto",
        first_year=None,  # not set: no claim before the oldest listed report
        deadline=None,
        enabled=True,
        note="",
        allowed_hosts=("www.bjmy.gov.cn",),
        max_pages=50,
    )
    assert source.allows_host("WWW.BJMY.GOV.CN") and not source.allows_host("lahohwa.com")


def test_all_optional_keys(tmp_path: Path) -> None:
    extra = (
        'region = "110118"\ncms = "trs"\nencoding = "GBK"\nfirst_year = 2019\ndeadline = "02-29"\n'
        'enabled = false\nnote = "x"\nallowed_hosts = ["bjmy.gov.cn"]\nmax_pages = 200\n'
        'other_names = ["密云县人民政府", " 密云县人民政府 "]\n'
    )
    (source,) = load_sources(write(tmp_path, GOOD + extra))
    assert source.other_names == ("密云县人民政府",)  # trimmed, once
    assert source.names == ("北京市密云区人民政府", "密云县人民政府")
    assert (source.region, source.cms, source.encoding, source.first_year) == ("110118", "trs", "GBK", 2019)
    assert (source.deadline, source.enabled, source.allowed_hosts, source.max_pages) == (
        "02-29",
        False,
        ("bjmy.gov.cn",),
        200,
    )
    assert source.allows_host("www.bjmy.gov.cn")  # subdomains of an allowed host are allowed


# --- bad registries: every message names the file, the source and the field --------------------


def replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


BAD = [
    pytest.param(
        GOOD + 'column_url = "https://x.gov.cn/"\n', "bj-miyun", "column_url", "unknown key", id="unknown-key"
    ),
    pytest.param(
        GOOD + 'url = "https://x.gov.cn/"\n', "bj-miyun", "url", "did you mean 'urls'", id="typo-key"
    ),
    pytest.param(replace('id = "bj-miyun"\n', ""), "#1", "id", "missing", id="missing-id"),
    pytest.param(replace('id = "bj-miyun"', 'id = "Bad Id"'), "#1", "id", "not a slug", id="bad-id"),
    pytest.param(GOOD + GOOD, "bj-miyun", "id", "duplicate", id="duplicate-id"),
    pytest.param(replace('"county"', '"district"'), "bj-miyun", "level", "not one of", id="bad-level"),
    pytest.param(replace('"region"', '"government"'), "bj-miyun", "kind", "not one of", id="bad-kind"),
    pytest.param(replace("https://www.bjmy", "ftp://www.bjmy"), "bj-miyun", "urls", "http", id="ftp-url"),
    pytest.param(
        replace('"https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/"', '"/zwgk/zfxxgknb/"'),
        "bj-miyun",
        "urls",
        "absolute",
        id="relative-url",
    ),
    pytest.param(replace("zwgk/zfxxgk/", "zwgk/ zfxxgk/"), "bj-miyun", "urls", "whitespace", id="space-url"),
    pytest.param(
        replace('"https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/"', '"javascript:void(0)"'),
        "bj-miyun",
        "urls",
        "http",
        id="javascript-url",
    ),
    pytest.param(
        replace(
            '["https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/"]',
            '"https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/"',
        ),
        "bj-miyun",
        "urls",
        "expected an array",
        id="string-not-list",
    ),
    pytest.param(
        replace('["https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/"]', "[]"),
        "bj-miyun",
        "urls",
        "at least one",
        id="empty-urls",
    ),
    pytest.param(
        GOOD + "first_year = true\n",
        "bj-miyun",
        "first_year",
        "expected an integer, got boolean",
        id="bool-first-year",
    ),
    pytest.param(GOOD + "first_year = 2007\n", "bj-miyun", "first_year", "2008..2100", id="early-first-year"),
    pytest.param(GOOD + 'deadline = "02-30"\n', "bj-miyun", "deadline", "MM-DD", id="bad-deadline"),
    pytest.param(GOOD + 'deadline = "2-20"\n', "bj-miyun", "deadline", "MM-DD", id="short-deadline"),
    pytest.param(GOOD + "region = 110118\n", "bj-miyun", "region", "quote it", id="int-region"),
    pytest.param(GOOD + 'region = "11011"\n', "bj-miyun", "region", "6-digit", id="short-region"),
    pytest.param(GOOD + 'cms = "wordpress"\n', "bj-miyun", "cms", "not one of", id="bad-cms"),
    pytest.param(GOOD + 'encoding = "klingon"\n', "bj-miyun", "encoding", "encoding", id="bad-encoding"),
    pytest.param(GOOD + 'enabled = "yes"\n', "bj-miyun", "enabled", "boolean", id="string-enabled"),
    pytest.param(GOOD + "max_pages = 0\n", "bj-miyun", "max_pages", "1..200", id="zero-max-pages"),
    pytest.param(
        GOOD + 'allowed_hosts = "www.bjmy.gov.cn"\n', "bj-miyun", "allowed_hosts", "array", id="string-hosts"
    ),
    pytest.param(
        GOOD + 'allowed_hosts = ["https://www.bjmy.gov.cn/"]\n',
        "bj-miyun",
        "allowed_hosts",
        "not a hostname",
        id="url-as-host",
    ),
    pytest.param(
        GOOD + 'allowed_hosts = ["example.gov.cn"]\n',
        "bj-miyun",
        "allowed_hosts",
        "does not allow",
        id="hosts-exclude-url",
    ),
    pytest.param(
        GOOD + 'other_names = "密云县人民政府"\n',
        "bj-miyun",
        "other_names",
        "array of names",
        id="other-names-not-a-list",
    ),
    pytest.param(
        GOOD + 'other_names = [""]\n',
        "bj-miyun",
        "other_names",
        "empty",
        id="other-name-empty",
    ),
    pytest.param(
        replace('agency = "北京市密云区人民政府"', 'agency = "  "'),
        "bj-miyun",
        "agency",
        "empty",
        id="empty-agency",
    ),
    pytest.param(
        replace('["https://www.bjmy', '["https://www.bjmy.gov.cn/zwgk/zfxxgk/zfxxgknb/"\n'),
        "bj-miyun",
        "urls",
        "TOML syntax error",
        id="toml-syntax",
    ),
]


@pytest.mark.parametrize(("text", "source", "field", "words"), BAD)
def test_bad_registry(tmp_path: Path, text: str, source: str, field: str, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    error = info.value
    message = str(error)
    assert str(path) in message and f"source {source!r}" in message and f"field {field!r}" in message
    assert words in message
    assert (error.file, error.source, error.field) == (str(path), source, field)


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    (error,) = validate_sources(write(tmp_path, GOOD + SECOND.replace('kind = "dept"', 'kind = "dept')))
    assert "line 11" in str(error) and error.source == "wuhan-mzj" and error.field == "kind"


def test_second_source_without_id_is_numbered(tmp_path: Path) -> None:
    (error,) = validate_sources(write(tmp_path, GOOD + SECOND.replace('id = "wuhan-mzj"\n', "")))
    assert (error.source, error.field) == ("#2", "id")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no [[source]]"),
        ("[source]\nid = 'x'\n", "[[source]]"),
        ("title = 'x'\n" + GOOD, "unknown top-level key"),
        (b"\xb1\xb1\xbe\xa9 = 1\n", "UTF-8"),
    ],
)
def test_bad_file_level(tmp_path: Path, text: str | bytes, words: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    errors = validate_sources(path)
    assert errors and words in str(errors[0]) and str(path) in str(errors[0])


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="cannot read") as info:
        load_sources(missing)
    assert info.value.file == str(missing)


def test_validate_collects_every_error(tmp_path: Path) -> None:
    text = (
        GOOD
        + 'deadline = "13-01"\nfoo = 1\n'
        + SECOND.replace('"city_dept"', '"bureau"')
        + SECOND.replace('id = "wuhan-mzj"\n', "").replace("https://", "ftp://")
    )
    errors = validate_sources(write(tmp_path, text))
    assert [(e.source, e.field) for e in errors] == [
        ("bj-miyun", "foo"),
        ("bj-miyun", "deadline"),
        ("wuhan-mzj", "level"),
        ("#3", "id"),
        ("#3", "urls"),
    ]
    with pytest.raises(ConfigError) as info:
        load_sources(tmp_path / "sources.toml")
    assert str(info.value) == str(errors[0])


# --- select_sources -----------------------------------------------------------------------------


@pytest.fixture
def two(tmp_path: Path) -> list[Source]:
    return load_sources(write(tmp_path, GOOD + SECOND + "enabled = false\nnote = 'EdgeOne'\n"))


def test_select_all_and_by_id(two: list[Source]) -> None:
    assert [s.id for s in select_sources(two, None)] == ["bj-miyun"]
    assert [s.id for s in select_sources(two, [])] == ["bj-miyun"]
    assert [s.id for s in select_sources(two, None, include_disabled=True)] == ["bj-miyun", "wuhan-mzj"]
    assert [
        s.id for s in select_sources(two, ["wuhan-mzj", "bj-miyun", "wuhan-mzj"], include_disabled=True)
    ] == ["wuhan-mzj", "bj-miyun"]
    assert [s.id for s in select_sources(two, "bj-miyun")] == ["bj-miyun"]


def test_select_unknown_id_suggests(two: list[Source]) -> None:
    with pytest.raises(ConfigError, match="close matches: bj-miyun") as info:
        select_sources(two, ["bj-miyn"])
    assert info.value.source == "bj-miyn"
    with pytest.raises(ConfigError, match="2 sources are known"):
        select_sources(two, ["zzzzzz"])


def test_select_disabled_needs_flag(two: list[Source]) -> None:
    with pytest.raises(ConfigError, match="disabled.*EdgeOne"):
        select_sources(two, ["wuhan-mzj"])


def test_select_from_default_registry() -> None:
    with pytest.raises(ConfigError, match="wuhan-mzj"):
        select_sources(load_sources(), ["wuhan-mz"])
