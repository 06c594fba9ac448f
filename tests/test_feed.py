"""The Atom feed of flag events: parsed back with xml.etree, hostile strings stay inert text."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import pytest

from crawler.outputs import feed
from crawler.outputs.feed import ENTRY_ID_PREFIX, render_atom, write_atom

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
FEED = {"feed_id": "tag:nianbao,2026:feed", "title": "nianbao flags", "updated": "2026-04-02T09:00:00+08:00"}


def event(id_=31, **kw):
    base = {
        "id": id_, "flag_id": 7, "at": "2026-04-01T10:00:00+08:00", "event": "opened", "kind": "late",
        "previous_kind": None, "source": "sim-00001", "agency": "某某县人民政府", "year": 2024,
        "report": "r-1", "summary": "Published 20 days after the deadline.",
        "summary_zh": "晚于期限 20 天发布。", "url": "http://www.example.gov.cn/art/2025/4/20/1.html",
        "notified_at": None,
    }  # fmt: skip
    return base | kw


def parse(data: bytes) -> ET.Element:
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return ET.fromstring(data)


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{A}entry")


def text(element: ET.Element, tag: str) -> str:
    found = element.findall(f"{A}{tag}")
    assert len(found) == 1, f"{tag} occurs {len(found)} times"
    return found[0].text or ""


def assert_valid_atom(root: ET.Element) -> None:
    """RFC 4287 structure: feed and each entry have exactly one id, title, updated; an author."""
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated"):
        text(root, tag)
    assert RFC3339.fullmatch(text(root, "updated"))
    assert text(root.find(f"{A}author"), "name")
    ids = [text(e, "id") for e in entries(root)]
    assert len(set(ids)) == len(ids)
    for entry in entries(root):
        assert text(entry, "title")
        assert RFC3339.fullmatch(text(entry, "updated"))
        content = entry.findall(f"{A}content")
        assert len(content) == 1 and content[0].get("type") == "text"
        for link in entry.findall(f"{A}link"):
            assert link.get("href")


def test_entries_have_tag_ids_titles_links_and_categories():
    root = parse(render_atom([event(), event(32, event="closed", kind="missing", year=None)], **FEED))
    assert_valid_atom(root)
    assert text(root, "id") == "tag:nianbao,2026:feed"
    assert text(root, "title") == "nianbao flags"
    first, second = entries(root)  # same time: the higher id is newer
    assert text(first, "id") == "tag:nianbao,2026:flag-event/32"
    assert text(first, "title") == "[missing closed] 某某县人民政府: 晚于期限 20 天发布。"
    assert text(second, "id") == "tag:nianbao,2026:flag-event/31"
    assert text(second, "title") == "[late] 某某县人民政府 2024: 晚于期限 20 天发布。"
    assert text(second, "updated") == "2026-04-01T10:00:00+08:00"
    link = second.find(f"{A}link")
    assert (link.get("rel"), link.get("href")) == (
        "alternate",
        "http://www.example.gov.cn/art/2025/4/20/1.html",
    )
    assert second.find(f"{A}category").get("term") == "late"
    body = text(second, "content")
    assert "晚于期限 20 天发布。" in body and "Published 20 days after the deadline." in body
    assert "flag 7 · event 31 · source sim-00001 · report r-1" in body


def test_newest_first_across_offsets():
    events = [
        event(1, at="2026-04-01T10:00:00+08:00"),
        event(2, at="2026-04-01T03:00:00Z"),  # 11:00 China time: newest
        event(3, at="2026-04-01T09:00:00"),  # naive: China time
    ]
    root = parse(render_atom(events, **FEED))
    assert [text(e, "id").rpartition("/")[2] for e in entries(root)] == ["2", "1", "3"]
    assert text(entries(root)[2], "updated") == "2026-04-01T09:00:00+08:00"


def test_feed_header_self_link_author_and_empty_feed():
    root = parse(render_atom([], **FEED, self_url="https://example.org/nianbao/flags.atom"))
    assert_valid_atom(root)
    assert entries(root) == []
    self_link = root.find(f"{A}link")
    assert (
        self_link.get("rel") == "self" and self_link.get("href") == "https://example.org/nianbao/flags.atom"
    )
    assert text(root.find(f"{A}author"), "name") == "nianbao"
    assert text(root, "generator") == "nianbao"


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("http://www.example.gov.cn/a?b=1&c=2", True),
        ("HTTPS://www.example.gov.cn/a", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("ftp://example.gov.cn/a", False),
        ("http://example.gov.cn/a b", False),
        ("http://example.gov.cn/\nx", False),
        ("/relative/path", False),
        (None, False),
    ],
)
def test_link_only_for_http_urls(url, linked):
    (entry,) = entries(parse(render_atom([event(url=url)], **FEED)))
    links = entry.findall(f"{A}link")
    assert [link.get("href") for link in links] == ([url] if linked else [])


ILLEGAL = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])) + "\ufffe\uffff\ud800"


def test_hostile_event_round_trips_as_inert_text():
    hostile = event(
        agency=f"<script>alert('x')</script>局{ILLEGAL}",
        summary_zh="]]><entry><id>fake</id></entry><![CDATA[",
        summary="&amp; &lt;b&gt; \x00 \x1b[31m",
        kind='late"><x',
        url="http://example.gov.cn/?q=<script>&x=]]>",
        source="sim-1",
        report=None,
    )
    data = render_atom([hostile], **FEED)
    root = parse(data)
    assert_valid_atom(root)
    (entry,) = entries(root)
    # No markup got in: the entry holds exactly the elements the feed writes.
    assert [child.tag for child in entry] == [
        f"{A}{t}" for t in ("id", "title", "updated", "link", "category", "content")
    ]
    assert len(list(root.iter(f"{A}entry"))) == 1 and not list(root.iter("script"))
    assert (
        text(entry, "title")
        == "[late\"><x] <script>alert('x')</script>局 2024: ]]><entry><id>fake</id></entry><![CDATA["
    )
    assert entry.find(f"{A}category").get("term") == 'late"><x'
    assert entry.find(f"{A}link").get("href") == "http://example.gov.cn/?q=<script>&x=]]>"
    body = text(entry, "content")
    assert "<script>alert('x')</script>局" in body and "&amp; &lt;b&gt;  [31m" in body
    assert not any(ch in body for ch in ILLEGAL)
    assert b"<script>" not in data and b"&lt;script&gt;" in data


def test_stable_ids_and_bad_input():
    one = entries(parse(render_atom([event(31)], **FEED)))[0]
    two = entries(parse(render_atom([event(40), event(31, summary="changed")], **FEED)))[1]
    assert text(one, "id") == text(two, "id") == f"{ENTRY_ID_PREFIX}31"
    custom = entries(parse(render_atom([event(5)], **FEED, entry_id_prefix="tag:example.org,2026:e/")))[0]
    assert text(custom, "id") == "tag:example.org,2026:e/5"
    for bad in (None, "31; drop", -1, True):
        with pytest.raises(ValueError, match="flag event id"):
            render_atom([event(bad)], **FEED)
    with pytest.raises(ValueError):
        render_atom([event(at="yesterday")], **FEED)


def test_long_titles_are_cut():
    (entry,) = entries(parse(render_atom([event(agency="局" * 500, summary_zh="长" * 500)], **FEED)))
    title = text(entry, "title")
    assert len(title) == feed.TITLE_MAX and title.endswith("…")


def test_write_atom_replaces_atomically_and_keeps_mode(tmp_path):
    path = tmp_path / "public" / "flags.atom"
    write_atom(path, [event()], **FEED)
    assert path.read_bytes() == render_atom([event()], **FEED)
    assert path.stat().st_mode & 0o777 == 0o644
    os.chmod(path, 0o640)
    write_atom(path, [event(), event(32)], **FEED)
    assert len(entries(parse(path.read_bytes()))) == 2
    assert path.stat().st_mode & 0o777 == 0o640
    before = path.read_bytes()
    with pytest.raises(ValueError):
        write_atom(path, [event(at="not a time")], **FEED)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["flags.atom"]  # no temporary file left


def test_write_atom_removes_its_temporary_file_when_the_replace_fails(tmp_path):
    target = tmp_path / "flags.atom"
    target.mkdir()  # os.replace cannot put a file over a directory
    with pytest.raises(OSError):
        write_atom(target, [event()], **FEED)
    assert [p.name for p in tmp_path.iterdir()] == ["flags.atom"] and target.is_dir()
