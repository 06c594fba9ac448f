"""Evidence bundles: one verdict, and everything it rests on, in one zip (``nianbao evidence``).

Everything sits under one folder, ``evidence-<source>-<year>/``:

* ``verdict.json``, ``flags.json`` — the verdict and the flags of that source and year (DESIGN §7);
* ``deadline.json`` — the deadline, its basis, the grace days and the rule it comes from;
* ``records.warc.gz`` — the archived WARC records of every fetch the evidence names (``fetch`` and
  ``basis_fetch``), each followed by its ``request`` record, and for a ``revisit`` the response
  holding its payload: the stored gzip members copied byte for byte (one member per record, so
  the concatenation is itself a valid ``.warc.gz``);
* ``files/<fetch id>-<name>`` — the payload (Content-Encoding undone) of the report's documents
  named in the evidence (first capture, stated date, before/after an edit) and the first capture
  of each attachment of the report (a report page is often a stub linking the PDF); their
  records are in ``records.warc.gz`` too;
* ``summary.en.txt`` / ``summary.zh.txt`` — the deadline, each observation in date order, the verdict;
* ``MANIFEST.txt`` — ``sha256sum -c`` lines for every other member.

Crawled text (titles, URLs, Content-Disposition names) is hostile: it never becomes a member name
unsanitised, and every name is checked by :func:`safe_member` before it is written.  A fetch that
cannot be read is listed in the summaries as unavailable, never a crash.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlite_utils import Database

from crawler.outputs.evidence_text import Collected, deadline_facts, evidence_items, summaries
from crawler.recognize.headers import content_disposition_filename
from crawler.vocab.errors import ArchiveError, NianbaoError
from crawler.vocab.text import CONTROL_CHARS, one_line
from storage import fetches, manifests
from storage.db import WARC_DIR
from storage.reports import first_attachment_captures
from storage.warc import decoded_payload, following_request, read_record, read_span

DOCUMENT_ROLES = ("first_capture", "stated_date", "edit_before", "edit_after")
MAX_NAME = 80
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


class UnsafeName(NianbaoError):
    """A zip member name that could escape the bundle's folder."""


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """What :func:`write_bundle` wrote."""

    path: Path
    members: int
    records: int
    bytes: int


# -- names ---------------------------------------------------------------------------------------


def safe_member(name: str) -> str:
    """``name`` if it is a relative, forward-slash path that stays inside the zip; else raise."""
    if not isinstance(name, str) or not name:
        raise UnsafeName(f"empty member name: {name!r}")
    if "\x00" in name or "\\" in name or CONTROL_CHARS.search(name):
        raise UnsafeName(f"member name with NUL, backslash or control character: {name!r}")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UnsafeName(f"absolute member name: {name!r}")
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise UnsafeName(f"member name with an empty, '.' or '..' component: {name!r}")
    return name


def safe_filename(text: str | None, fallback: str = "payload") -> str:
    """One path segment from hostile text: [A-Za-z0-9._-] and CJK ideographs, no leading dot,
    no ``..``, at most ``MAX_NAME`` characters (the extension kept); ``fallback`` when nothing is left."""
    name = _UNSAFE_RUN.sub("_", text or "")
    name = re.sub(r"\.{2,}", ".", name).lstrip(".")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and stem and len(ext) <= 10 else ""
        name = name[: MAX_NAME - len(ext) - (1 if ext else 0)].rstrip(".") + ("." + ext if ext else "")
    return name if name.strip("._-") else fallback


def document_name(url: str | None, disposition: str | None) -> str:
    """The name a document went by: its Content-Disposition filename, else the URL's last segment."""
    name = content_disposition_filename(disposition) if disposition else None
    if not name and url:
        segment = unquote(urlsplit(url).path).replace("\\", "/").rsplit("/", 1)[-1]
        name = segment if segment not in ("", ".", "..") else None
    return safe_filename(name)


# -- records -------------------------------------------------------------------------------------


def _why(exc: Exception, root: Path, limit: int = 160) -> str:
    """A short reason for a bundle that may be published: no local paths, no record bytes."""
    text = str(exc)
    if exc.__cause__ is not None and not isinstance(
        exc.__cause__, OSError
    ):  # a parser's message quotes bytes
        text = f"{text.split(': ', 1)[0]} ({type(exc.__cause__).__name__})"
    text = one_line(text.replace(str(root.resolve()), WARC_DIR).replace(str(root), WARC_DIR))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _copy_fetch(
    db: Database, root: Path, fetch_id, out: Collected, *, why: tuple[str, str] = ("", "")
) -> dict | None:
    """Copy one fetch's record (and its request) into ``out``; returns the fetch row, None if unavailable."""
    if not isinstance(fetch_id, int) or isinstance(fetch_id, bool):
        out.unavailable.append((fetch_id, "not a fetch id"))
        return None
    row = fetches.fetch_row(db, fetch_id)
    if row is None:
        out.unavailable.append((fetch_id, "no such fetch in the index"))
        return None
    if not row.get("warc_file"):
        out.unavailable.append((fetch_id, "the fetch has no archived WARC record"))
        return None
    ref = fetches.ref_of(row)
    key = (ref.file, ref.offset)
    if key in out.seen:
        return row
    try:
        member = read_span(root, ref)
        record = read_record(root, ref)
    except ArchiveError as exc:
        out.unavailable.append((fetch_id, _why(exc, root)))
        return None
    out.seen.add(key)
    out.placed.append((fetch_id, sum(map(len, out.members)), len(member)))
    out.members.append(member)
    request = following_request(root, ref, record.warc_headers.get("WARC-Record-ID"))
    if request is not None:
        out.members.append(request)
    out.copied.append(
        (
            f"fetch #{fetch_id}: {record.rec_type}{' + request' if request else ''}{why[0]}",
            f"第{fetch_id}号抓取：{record.rec_type}{'及request' if request else ''}{why[1]}",
        )
    )
    if row["record_type"] != "revisit" and row["status"] != 304:
        return row
    what = "revisit" if row["record_type"] == "revisit" else "304"
    holder = fetches.full_capture(db, row)
    if holder is None:
        out.unavailable.append(
            (fetch_id, f"it is a {what}, and the capture holding its content is not archived")
        )
    elif (holder["warc_file"], holder["warc_offset"]) not in out.seen:
        _copy_fetch(
            db,
            root,
            holder["id"],
            out,
            why=(f" (the content of {what} #{fetch_id})", f"（第{fetch_id}号{what}记录的内容）"),
        )
    return row


def evidence_fetch_ids(verdict: dict, flags: list[dict]) -> list:
    """Every ``fetch`` and ``basis_fetch`` the evidence names, first mention first."""
    ids: list = []
    for item in evidence_items(verdict, flags):
        for key in ("fetch", "basis_fetch"):
            if item.get(key) is not None and item[key] not in ids:
                ids.append(item[key])
    return ids


# -- files ---------------------------------------------------------------------------------------


def attachment_items(db: Database, verdict: dict, flags: list[dict]) -> list[dict]:
    """The first capture of each attachment of the report(s) judged (a report page is often a stub
    linking the PDF that is the report), seen by the verdict's as-of date; evidence-shaped items."""
    ids = list(
        dict.fromkeys(
            r for r in [verdict.get("report"), *(f.get("report") for f in flags)] if isinstance(r, str)
        )
    )
    if not ids:
        return []
    as_of = str(verdict.get("as_of") or "9999")
    out = []
    for row in first_attachment_captures(db, ids):
        if row["first_fetch_id"] is None or (row["first_seen_at"] or "")[:10] > as_of:
            continue
        out.append(
            {
                "fetch": row["first_fetch_id"],
                "url": row["url"],
                "fetched_at": row["first_seen_at"],
                "role": "attachment",
                "shows": "an attachment of the report, as first captured",
                "shows_zh": "报告附件（首次抓取）",
            }
        )
    return out


def document_items(db: Database, verdict: dict, flags: list[dict]) -> list[dict]:
    """The report documents to save under files/: those the evidence names, then the attachments."""
    named = [i for i in evidence_items(verdict, flags) if i.get("role") in DOCUMENT_ROLES]
    return named + attachment_items(db, verdict, flags)


def _document_files(
    db: Database, root: Path, items: list[dict], out: Collected
) -> list[tuple[str, bytes, str]]:
    """(name under files/, payload, description) of each document item (once per fetch)."""
    files, done = [], {i for i, _ in out.unavailable}
    for item in items:
        fetch_id = item.get("basis_fetch") or item.get("fetch")
        if not isinstance(fetch_id, int) or isinstance(fetch_id, bool) or fetch_id in done:
            continue
        done.add(fetch_id)
        row = fetches.fetch_row(db, fetch_id)
        row = fetches.full_capture(db, row) if row else None
        if row is None or not row.get("warc_file"):
            out.unavailable.append(
                (fetch_id, f"no archived payload for the {one_line(item['role'])} document")
            )
            continue
        try:
            record = read_record(root, fetches.ref_of(row))
        except ArchiveError as exc:
            out.unavailable.append((fetch_id, _why(exc, root)))
            continue
        disposition = next((v for k, v in record.http_headers if k.lower() == "content-disposition"), None)
        name = f"{fetch_id}-{document_name(row['url'], disposition)}"
        files.append(
            (
                name,
                decoded_payload(record),
                f"fetch #{fetch_id}, {one_line(item['role'])}, {one_line(row.get('content_type')) or '?'}"
                + (f", content of #{row['id']}" if row["id"] != fetch_id else ""),
            )
        )
    return files


# -- deadline and summaries ------------------------------------------------------------------------


def _json(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")


def _stamp(verdict: dict) -> tuple[int, int, int, int, int, int]:
    """Member timestamps: the verdict's as-of date, so a bundle is reproducible byte for byte."""
    try:
        d = date.fromisoformat(verdict.get("as_of") or "")
    except (TypeError, ValueError):
        d = date(1980, 1, 1)
    return (max(d.year, 1980), d.month, d.day, 0, 0, 0)


def bundle_folder(verdict: dict) -> str:
    year = verdict.get("year")
    return (
        f"evidence-{safe_filename(str(verdict.get('source') or ''), 'source')}-"
        f"{year if isinstance(year, int) else safe_filename(str(year), 'year')}"
    )


def _chain_record(chain: dict, records: Collected) -> dict:
    """chain.json: where each record of records.warc.gz sits in the manifest chain, and the
    headers from the oldest of those manifests to the chain head — enough for anyone holding a
    published head to check the bundle: each member's SHA-256 is in its manifest's record list
    (manifests/*.json), whose digest is in its header, and the headers link to the head."""
    return {
        "head_sha256": chain["head"],
        "how_to_check": (
            "sha256(member bytes) == the last field of the manifest's record entry for the fetch; "
            "sha256(canonical JSON of manifest.records) == header.records_sha256; "
            "sha256(canonical JSON of a header) == the next header's prev_sha256, up to head_sha256; "
            "canonical JSON = sorted keys, separators (',', ':'), UTF-8, no ASCII escaping"
        ),
        "records": [
            {
                "fetch_id": fetch_id,
                "member_offset": offset,
                "member_length": length,
                **(chain["records"].get(fetch_id) or {"manifest_seq": None, "note": "not sealed yet"}),
            }
            for fetch_id, offset, length in records.placed
        ],
        "headers": chain["headers"],
    }


def capture_images(
    db: Database, data_dir: Path, fetch_ids: list, chromium: str | None
) -> list[tuple[str, bytes]]:
    """``images/capture-<fetch>.png`` members: each evidence capture rendered from its archived
    copy offline (:mod:`crawler.outputs.snapshots`), with ``images/README.txt`` saying how."""
    from crawler.outputs.snapshots import snapshot

    members: list[tuple[str, bytes]] = []
    lines = []
    for fetch_id in fetch_ids:
        if not isinstance(fetch_id, int):
            continue
        shot = snapshot(db, Path(data_dir), fetch_id, chromium)
        if shot is None:
            continue
        members.append((f"images/capture-{fetch_id}.png", shot.png))
        lines.append(f"capture-{fetch_id}.png  {shot.fetched_at}  {shot.url}  ({shot.note})")
    if members:
        intro = (
            "Images of the captures named in the evidence, rendered from the archived copies in "
            "records.warc.gz without any network access (scripts off, nothing loaded). The records, "
            "not the images, are the evidence; the images show what the records hold.\n\n"
        )
        members.append(("images/README.txt", (intro + "\n".join(lines) + "\n").encode("utf-8")))
    return members


def write_bundle(
    db: Database,
    data_dir: Path,
    verdict: dict,
    flags: list[dict],
    out: Path,
    *,
    images: bool = False,
    chromium: str | None = None,
) -> BundleInfo:
    """Write the evidence bundle of ``verdict`` (and ``flags``, its source and year's) to ``out``;
    with ``images``, a rendered image of each evidence capture (HTML pages need ``chromium``)."""
    root = Path(data_dir) / WARC_DIR
    records = Collected()
    documents = document_items(db, verdict, flags)
    for fetch_id in dict.fromkeys([*evidence_fetch_ids(verdict, flags), *(d["fetch"] for d in documents)]):
        _copy_fetch(db, root, fetch_id, records)
    files = _document_files(db, root, documents, records)
    chain = manifests.chain_for(db, data_dir, [fetch_id for fetch_id, _, _ in records.placed])
    deadline = deadline_facts(verdict)
    summary_en, summary_zh = summaries(verdict, flags, deadline, records, files)
    members: list[tuple[str, bytes]] = [
        ("verdict.json", _json(verdict)),
        ("deadline.json", _json(deadline)),
        ("flags.json", _json(flags)),
        ("records.warc.gz", b"".join(records.members)),
        ("summary.en.txt", summary_en.encode("utf-8")),
        ("summary.zh.txt", summary_zh.encode("utf-8")),
        *((f"files/{name}", data) for name, data, _ in files),
        ("chain.json", _json(_chain_record(chain, records))),
        *((f"manifests/{seq:06d}.json", data) for seq, data in sorted(chain["files"].items())),
        *(capture_images(db, data_dir, evidence_fetch_ids(verdict, flags), chromium) if images else []),
    ]
    manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in members)
    members.append(("MANIFEST.txt", manifest.encode("utf-8")))
    folder = bundle_folder(verdict)
    names = [safe_member(f"{folder}/{name}") for name, _ in members]
    if len(set(names)) != len(names):
        raise UnsafeName("duplicate member names in the bundle")
    out = Path(out)
    partial = out.with_name(out.name + ".part")
    stamp = _stamp(verdict)
    try:
        with zipfile.ZipFile(partial, "w") as zf:
            for name, (_, data) in zip(names, members, strict=True):
                info = zipfile.ZipInfo(name, stamp)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_STORED if name.endswith(".gz") else zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BundleInfo(out, len(members), len(records.members), out.stat().st_size)
