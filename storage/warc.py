"""The raw archive: WARC 1.1 files, one gzip member per record, rotated by size.

Every exchange becomes a ``request`` record plus a ``response`` record (or a ``revisit`` record
when the payload was archived before, or a ``metadata`` record describing a failure that got no
response).  Digests are SHA-256 (``sha256:<base32>``).  Each new writer starts a new file, so a
crawl killed mid-record leaves at worst a torn tail in a file nobody appends to again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from crawler.vocab.errors import ArchiveError

DEFAULT_MAX_BYTES = 1 << 30
GZIP_LEVEL = 6


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (the form the index and ``nianbao raw`` use)."""
    return hashlib.sha256(data).hexdigest()


def warc_digest(hex_digest: str) -> str:
    """``sha256:<BASE32>`` as written in WARC headers, from a hex digest."""
    return "sha256:" + base64.b32encode(bytes.fromhex(hex_digest)).decode("ascii")


def warc_date(moment: datetime) -> str:
    """WARC-Date (UTC, ``Z``) of an aware datetime."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Sha256Writer(WARCWriter):
    @staticmethod
    def _create_digester() -> Digester:  # warcio defaults to sha1
        return Digester("sha256")


@dataclass(frozen=True, slots=True)
class RecordRef:
    """Where a record lives: file name (relative to the WARC folder), offset and length."""

    file: str
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP exchange as the crawler saw it (raw body bytes, untouched)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    moment: datetime


class WarcArchive:
    """Append-only writer of WARC files in ``root``; rotates at ``max_bytes``."""

    def __init__(self, root: str | os.PathLike, prefix: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._seq = 0
        self._fh: io.BufferedWriter | None = None
        self._name = ""

    # -- writing -------------------------------------------------------------------------
    def _file(self) -> tuple[io.BufferedWriter, str]:
        if self._fh is None or self._fh.tell() >= self.max_bytes:
            self.close()
            self._seq += 1
            self._name = f"{self.prefix}-{self._seq:05d}.warc.gz"
            self._fh = open(self.root / self._name, "xb")  # noqa: SIM115 - kept open across records
        return self._fh, self._name

    def _write(self, records: Iterable) -> list[RecordRef]:
        fh, name = self._file()
        refs = []
        for record in records:
            raw = io.BytesIO()
            _Sha256Writer(raw, gzip=False, warc_version="WARC/1.1").write_record(record)
            # one gzip member per record, at level 6: warcio's level 9 costs ~2x the CPU for
            # about 1 % smaller files
            packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
            member = packer.compress(raw.getvalue()) + packer.flush()
            start = fh.tell()
            fh.write(member)
            refs.append(RecordRef(name, start, len(member)))
        fh.flush()
        return refs

    def _request_record(self, writer: WARCWriter, ex: Exchange, concurrent_to: str | None = None):
        path = ex.url.split("://", 1)[-1]
        path = "/" + path.split("/", 1)[1] if "/" in path else "/"
        http = StatusAndHeaders(f"{ex.method} {path} HTTP/1.1", ex.request_headers, is_http_request=True)
        headers = {"WARC-Date": warc_date(ex.moment)}
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        return writer.create_warc_record(
            ex.url,
            "request",
            payload=io.BytesIO(ex.request_body),
            length=len(ex.request_body),
            http_headers=http,
            warc_headers_dict=headers,
        )

    @staticmethod
    def _clean_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        # The body is stored de-chunked; a stale Transfer-Encoding header would make readers
        # try to de-chunk it again.
        return [(k, v) for k, v in headers if k.lower() != "transfer-encoding"] + [
            (f"X-Archive-Orig-{k}", v) for k, v in headers if k.lower() == "transfer-encoding"
        ]

    def write_exchange(
        self, ex: Exchange, revisit_of: tuple[str, str] | None = None
    ) -> tuple[RecordRef, str]:
        """Archive a response (or a revisit record if ``revisit_of`` = (uri, warc_date)).

        Returns the reference of the response/revisit record and the payload's hex SHA-256.
        """
        digest = sha256_hex(ex.body)
        writer = _Sha256Writer(io.BytesIO(), gzip=False, warc_version="WARC/1.1")
        http = StatusAndHeaders(
            f"{ex.status} {ex.reason}".strip(), self._clean_headers(ex.response_headers), protocol="HTTP/1.1"
        )
        headers = {"WARC-Date": warc_date(ex.moment)}
        if revisit_of:
            resp = writer.create_revisit_record(
                ex.url,
                warc_digest(digest),
                revisit_of[0],
                revisit_of[1],
                http_headers=http,
                warc_headers_dict=headers,
            )
        else:
            headers["WARC-Payload-Digest"] = warc_digest(digest)
            resp = writer.create_warc_record(
                ex.url,
                "response",
                payload=io.BytesIO(ex.body),
                length=len(ex.body),
                http_headers=http,
                warc_headers_dict=headers,
            )
        req = self._request_record(writer, ex, resp.rec_headers.get_header("WARC-Record-ID"))
        resp_ref, _ = self._write([resp, req])
        return resp_ref, digest

    def write_failure(self, ex: Exchange, error: str) -> RecordRef:
        """Archive a request that got no response, with a metadata record naming the error."""
        writer = _Sha256Writer(io.BytesIO(), gzip=False, warc_version="WARC/1.1")
        fields = f"nianbao-error: {error}\r\n".encode()
        meta = writer.create_warc_record(
            ex.url,
            "metadata",
            payload=io.BytesIO(fields),
            length=len(fields),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Date": warc_date(ex.moment)},
        )
        req = self._request_record(writer, ex, meta.rec_headers.get_header("WARC-Record-ID"))
        meta_ref, _ = self._write([meta, req])
        return meta_ref

    def close(self) -> None:
        """Close the current file (the next write starts a new one)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record read back: type, target URI, WARC headers, HTTP status and raw payload."""

    rec_type: str
    uri: str
    warc_headers: dict[str, str]
    status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes


def read_record(root: str | os.PathLike, ref: RecordRef) -> StoredRecord:
    """Read one record by file + offset + length (works for local files; S3 ranges later)."""
    path = Path(root) / ref.file
    if Path(ref.file).name != ref.file:
        raise ArchiveError(f"refusing WARC file name with a path: {ref.file!r}")
    try:
        with open(path, "rb") as fh:
            fh.seek(ref.offset)
            chunk = fh.read(ref.length)
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc}") from exc
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
        payload = record.raw_stream.read()
    except Exception as exc:  # warcio raises many types on torn records
        raise ArchiveError(f"unreadable record at {ref.file}:{ref.offset}: {exc}") from exc
    http = record.http_headers
    status = (
        int(http.get_statuscode())
        if http is not None and record.rec_type in ("response", "revisit")
        else None
    )
    return StoredRecord(
        rec_type=record.rec_type,
        uri=record.rec_headers.get_header("WARC-Target-URI") or "",
        warc_headers=dict(record.rec_headers.headers),
        status=status,
        http_headers=list(http.headers) if http is not None else [],
        payload=payload,
    )


def decoded_payload(record: StoredRecord, limit: int = 200_000_000) -> bytes:
    """The payload without its HTTP Content-Encoding (gzip/deflate), at most ``limit`` bytes:
    WARC keeps the bytes as they crossed the wire; extractors want the entity."""
    encoding = ",".join(v for k, v in record.http_headers if k.lower() == "content-encoding").lower()
    if not record.payload or not any(e in encoding for e in ("gzip", "deflate")):
        return record.payload
    for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):
        try:
            return zlib.decompressobj(wbits=wbits).decompress(record.payload, limit)
        except zlib.error:
            continue
    return record.payload


def iter_file(path: str | os.PathLike) -> Iterator[tuple[int, str, str]]:
    """(offset, record type, URI) of every readable record of a WARC file.

    A torn tail (a crawl killed mid-write) ends the scan with one ``(offset, "torn", "")`` entry.
    """
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh)
        offset = 0
        try:
            for record in iterator:
                offset = iterator.get_record_offset()
                yield offset, record.rec_type, record.rec_headers.get_header("WARC-Target-URI") or ""
        except Exception:  # warcio raises zlib/EOF/parse errors of many types on a torn record
            yield offset, "torn", ""


MAX_REQUEST_MEMBER = 16 << 20  # a request record is a few hundred bytes; stop looking after this


def read_span(root: str | os.PathLike, ref: RecordRef) -> bytes:
    """The raw bytes of one record's gzip member, as stored (an evidence bundle copies them)."""
    if PurePosixPath(ref.file).name != ref.file or "\\" in ref.file:
        raise ArchiveError(f"refusing WARC file name with a path: {ref.file!r}")
    try:
        with open(Path(root) / ref.file, "rb") as fh:
            fh.seek(ref.offset)
            data = fh.read(ref.length)
    except OSError as exc:
        raise ArchiveError(f"cannot read {ref.file}: {exc.strerror or type(exc).__name__}") from exc
    if len(data) != ref.length:
        raise ArchiveError(f"{ref.file}:{ref.offset}: {len(data)} of {ref.length} bytes (truncated file)")
    return data


def following_request(root: str | os.PathLike, ref: RecordRef, record_id: str | None) -> bytes | None:
    """The gzip member right after ``ref`` if it is the request concurrent to ``record_id``."""
    if not record_id:
        return None
    try:
        with open(Path(root) / ref.file, "rb") as fh:
            fh.seek(ref.offset + ref.length)
            unzip, data = zlib.decompressobj(zlib.MAX_WBITS | 16), b""
            while not unzip.eof and len(data) < MAX_REQUEST_MEMBER:
                chunk = fh.read(65536)
                if not chunk:
                    return None
                data += chunk
                unzip.decompress(chunk)
        member = data[: len(data) - len(unzip.unused_data)] if unzip.eof else None
        if member is None:
            return None
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        record.raw_stream.read()
    except Exception:  # a torn or foreign member: warcio and zlib raise many types
        return None
    if record.rec_type != "request" or record.rec_headers.get_header("WARC-Concurrent-To") != record_id:
        return None
    return member
