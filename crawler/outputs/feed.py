"""The Atom feed of flag events (RFC 4287): what a feed reader or a watcher script subscribes to.

``render_atom(events, feed_id=..., title=..., updated=..., self_url=None)`` returns the feed as
UTF-8 bytes, one ``<entry>`` per flag event (dicts as in :mod:`crawler.compliance`), newest first; the caller
passes the newest N events. ``write_atom(path, events, **kw)`` writes it atomically (temporary
file in the same directory, then ``os.replace``), so a web server never serves half a feed.

Every string of an event is hostile (agency names and URLs come from crawled pages). The feed is
built with lxml, never by string concatenation: the library escapes ``<``, ``&`` and ``]]>``;
characters XML 1.0 forbids (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) are
removed first, so no input can break the document. Content is ``type="text"``: a reader shows it
as plain text and never renders markup from it. Only absolute http(s) URLs become ``<link>``.

Entry ids are ``tag:`` URIs (RFC 4151) built from the event id alone, e.g.
``tag:nianbao,2026:flag-event/31``, so an event keeps its id across renders.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from typing import TYPE_CHECKING

from lxml import etree

from crawler import __version__
from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.text import one_line

if TYPE_CHECKING:
    from pathlib import Path

ATOM_NS = "http://www.w3.org/2005/Atom"
ENTRY_ID_PREFIX = "tag:nianbao,2026:flag-event/"
FEED_AUTHOR = "nianbao"
TITLE_MAX = 200

# Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
# [#x10000-#x10FFFF].
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Only absolute http(s) URLs without whitespace or control characters become links.
_LINKABLE = re.compile(r"https?://[^\x00-\x20\x7f]+", re.IGNORECASE)


def xml_text(value: object) -> str:
    """``value`` as a string XML 1.0 can hold: illegal characters removed, line ends unified."""
    text = "" if value is None else str(value)
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def xml_line(value: object, limit: int = TITLE_MAX) -> str:
    """XML-safe text on one line (:func:`crawler.vocab.text.one_line`), cut to ``limit`` with "…"."""
    return one_line(xml_text(value), limit)


def rfc3339(value: str | datetime) -> str:
    """An ISO 8601 timestamp as RFC 3339 with an offset; naive values are China time (see clock)."""
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=CHINA_TZ)
    return stamp.isoformat(timespec="seconds")


def linkable(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL without whitespace or controls, else None."""
    return url if isinstance(url, str) and _LINKABLE.fullmatch(url) else None


def entry_id(event: dict, prefix: str = ENTRY_ID_PREFIX) -> str:
    """The stable ``tag:`` URI of a flag event; ValueError unless its ``id`` is an integer."""
    value = event.get("id")
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError(f"flag event id must be a non-negative integer, got {value!r}")
    return f"{prefix}{int(value)}"


def entry_title(event: dict) -> str:
    """``[late] 某某局 2024: summary``; other events than "opened" name themselves: ``[late closed]``."""
    label = xml_line(event.get("kind") or "flag", 40)
    if event.get("event") and event["event"] != "opened":
        label += " " + xml_line(event["event"], 20)
    who = xml_line(event.get("agency") or event.get("source") or "?", 80)
    if event.get("year") is not None:
        who += f" {xml_line(event['year'], 10)}"
    summary = event.get("summary_zh") or event.get("summary") or ""
    return xml_line(f"[{label}] {who}: {xml_line(summary)}")


def entry_content(event: dict) -> str:
    """Plain-text body: what happened, both summaries, the page and the ids to look it up."""
    kind = xml_text(event.get("kind") or "flag")
    if event.get("previous_kind") and event["previous_kind"] != event.get("kind"):
        kind += f" (was {xml_text(event['previous_kind'])})"
    head = [xml_text(event.get("agency") or event.get("source") or "?")]
    if event.get("year") is not None:
        head.append(xml_text(event["year"]))
    head.append(f"{kind}, {xml_text(event.get('event') or 'event')}")
    lines = [" · ".join(head)]
    lines += [xml_text(event[key]) for key in ("summary_zh", "summary") if event.get(key)]
    if event.get("url"):
        lines.append(f"URL: {xml_text(event['url'])}")
    ids = [f"flag {xml_text(event.get('flag_id'))}", f"event {xml_text(event.get('id'))}"]
    ids += [f"{key} {xml_text(event[key])}" for key in ("source", "report") if event.get(key)]
    lines.append(" · ".join(ids))
    return "\n".join(lines)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _feed(feed_id: str, title: str, updated: str, self_url: str | None) -> etree._Element:
    """An Atom ``<feed>`` with its id, title, updated time, author, generator and self link."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(feed, "id", feed_id)
    _sub(feed, "title", xml_line(title), type="text")
    _sub(feed, "updated", rfc3339(updated))
    _sub(_sub(feed, "author"), "name", FEED_AUTHOR)
    _sub(feed, "generator", "nianbao", version=__version__)
    if self_url:
        _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    return feed


def _newest_first(events: list[dict]) -> list[dict]:
    """By time of the event, then by id (ids grow with time), newest first."""

    def key(event: dict) -> tuple[datetime, int]:
        return datetime.fromisoformat(rfc3339(event["at"])), int(entry_id(event).rpartition("/")[2])

    return sorted(events, key=key, reverse=True)


def render_atom(
    events: list[dict],
    *,
    feed_id: str,
    title: str,
    updated: str,
    self_url: str | None = None,
    entry_id_prefix: str = ENTRY_ID_PREFIX,
) -> bytes:
    """The Atom 1.0 document of ``events`` (newest first), UTF-8 with an XML declaration.

    ``feed_id`` is the feed's permanent IRI (a ``tag:`` URI or the feed URL), ``updated`` an ISO
    timestamp (naive means China time), ``self_url`` the URL the feed is served at, if any. Raises
    ValueError when an event has no integer ``id`` or an unparseable ``at``.
    """
    feed = _feed(feed_id, title, updated, self_url)
    for event in _newest_first(events):
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(event, entry_id_prefix))
        _sub(entry, "title", entry_title(event), type="text")
        _sub(entry, "updated", rfc3339(event["at"]))
        url = linkable(event.get("url"))
        if url:
            _sub(entry, "link", rel="alternate", href=url)
        if event.get("kind"):
            _sub(entry, "category", term=xml_line(event["kind"], 40))
        _sub(entry, "content", entry_content(event), type="text")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_atom(path: Path, events: list[dict], **kw) -> None:
    """Render the feed (keywords as :func:`render_atom`) and replace ``path`` with it atomically.

    The new file keeps the mode of the one it replaces (0644 for a new feed), so a web server that
    could read the old feed can read the new one.
    """
    data = render_atom(events, **kw)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


REPORT_ID_PREFIX = "tag:nianbao,2026:report/"


def render_reports_atom(
    reports: list[dict],
    *,
    feed_id: str,
    title: str,
    updated: str,
    self_url: str | None = None,
    page_url: str | None = None,
    link_of=None,
) -> bytes:
    """An Atom 1.0 feed of reports (rows with ``id``, ``first_seen_at``, ``agency``,
    ``report_year``, ``title``, ``url``), newest first seen first: the feed of a search or a filter.
    ``link_of(report)`` gives each entry's link (the report's page in the web UI); default its URL."""
    feed = _feed(feed_id, title, updated, self_url)
    if page_url:
        _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    for rep in sorted(reports, key=lambda r: (r.get("first_seen_at") or "", r["id"]), reverse=True):
        entry = _sub(feed, "entry")
        _sub(entry, "id", REPORT_ID_PREFIX + xml_line(rep["id"], 40))
        who = xml_line(rep.get("agency") or rep.get("source_id") or "?", 80)
        year = f" {rep['report_year']}" if rep.get("report_year") is not None else ""
        _sub(entry, "title", xml_line(f"{who}{year}: {xml_line(rep.get('title') or '')}"), type="text")
        _sub(entry, "updated", rfc3339(rep.get("first_seen_at") or updated))
        url = linkable(link_of(rep) if link_of else rep.get("url"))
        if url:
            _sub(entry, "link", rel="alternate", href=url)
        lines = [xml_text(rep.get("title") or "")]
        if rep.get("published_at"):
            lines.append(
                f"published {xml_text(rep['published_at'])} ({xml_text(rep.get('published_at_source'))})"
            )
        if rep.get("url"):
            lines.append(f"URL: {xml_text(rep['url'])}")
        lines.append(f"report {xml_text(rep['id'])}")
        _sub(entry, "content", "\n".join(lines), type="text")
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
