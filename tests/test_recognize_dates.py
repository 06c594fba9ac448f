"""The one date parser, URL dates and the publish-date precedence (DESIGN §6)."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.recognize.dates import DateCandidate, choose_published, find_date, parse_date, url_date

D = date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-15", D(2024, 1, 15)),
        ("2024/1/5", D(2024, 1, 5)),
        ("2024.01.15", D(2024, 1, 15)),
        ("2024年1月15日", D(2024, 1, 15)),
        ("2024 年 1 月 15 日", D(2024, 1, 15)),
        ("发布时间：2019-03-06 10:24 来源：XX", D(2019, 3, 6)),
        ("2024-01-15T09:30:00+08:00", D(2024, 1, 15)),
        ("２０２４年１月１５日", D(2024, 1, 15)),
        ("２０２４－０１－１５", D(2024, 1, 15)),
        ("二〇一〇年一月十九日", D(2010, 1, 19)),
        ("二〇二三年十二月三十一日", D(2023, 12, 31)),
        # dropped 年/月 (domain.md §5)
        ("20211月1日", D(2021, 1, 1)),
        ("2007年45日", D(2007, 4, 5)),
        ("自202111日起至20211230日止", D(2021, 1, 1)),
        ("20211230日", D(2021, 12, 30)),
        ("2021年131日", D(2021, 1, 31)),
        ("2021123日", None),  # 1-23 or 12-3: ambiguous
        # the first *valid* date
        ("2024-13-45 then 2024-02-01", D(2024, 2, 1)),
        ("2023年2月30日", None),
        ("1970-01-01", None),
        ("1989-12-31", None),
        ("1990-01-01", D(1990, 1, 1)),
        ("2100-12-31", D(2100, 12, 31)),
        ("2101-01-01", None),
        ("索引号：kysrmzf/2026-00017", None),
        ("电话：0372-8669629", None),
        ("12024-01-15", None),
        ("2024年", None),
        ("", None),
        ("no date here", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布日期：2024-01-15 09:30:12 来源", (D(2024, 1, 15), "2024-01-15 09:30:12")),
        ("2024年1月15日 10:00", (D(2024, 1, 15), "2024年1月15日 10:00")),
        ("x 2024/1/5 y", (D(2024, 1, 5), "2024/1/5")),
        ("none", None),
    ],
)
def test_find_date_returns_the_text_read(text, expected):
    assert find_date(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.gov.cn/zfxxgknb/202401/t20240115_1234567.html", D(2024, 1, 15)),
        ("http://a.gov.cn/zfxxgknb/202401/t20240115_1234567_2.shtml", D(2024, 1, 15)),
        ("http://liunan.gov.cn/xxgk/zfxxgknb/197001/t19700101_3441457.shtml", None),  # epoch
        ("https://tj.jiangsu.gov.cn/art/2020/2/2/art_85323_10429043.html", D(2020, 2, 2)),
        ("https://css.sh.gov.cn/gknb_lnnb/20230118/300c89483548497abbd65c8fd1724b0d.html", D(2023, 1, 18)),
        ("http://a.gov.cn/c100123/202401/1234567.shtml", None),  # a month folder has no day
        ("http://a.gov.cn/t20241345_1.html", None),
        ("http://www.panyu.gov.cn/gkmlpt/content/10/10099/post_10099135.html", None),
        ("", None),
    ],
)
def test_url_date(url, expected):
    assert url_date(url) == expected


def _c(source: str, day: int, trusted: bool = True) -> DateCandidate:
    return DateCandidate(D(2024, 1, day), source, f"raw{day}", trusted)


@pytest.mark.parametrize(
    ("cands", "expected"),
    [
        ([_c("url", 1), _c("list", 2), _c("page", 3), _c("meta", 4)], _c("meta", 4)),
        ([_c("url", 1), _c("list", 2), _c("page", 3), _c("meta", 4, trusted=False)], _c("page", 3)),
        ([_c("url", 1), _c("list", 2)], _c("list", 2)),
        ([_c("url", 1)], _c("url", 1)),
        ([_c("page", 5), _c("page", 6)], _c("page", 5)),
        ([_c("meta", 4, trusted=False)], None),
        ([], None),
    ],
)
def test_choose_published(cands, expected):
    assert choose_published(cands) == expected


def test_date_candidate_is_frozen():
    cand = _c("meta", 1)
    with pytest.raises(AttributeError):
        cand.source = "page"  # type: ignore[misc]
