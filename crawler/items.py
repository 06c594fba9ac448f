"""Items passed from the column spider to the store pipeline, and the one report-id builder."""

from __future__ import annotations

from dataclasses import dataclass, field

# the one report-id builder lives in the bottom floor, where the archive's migrations reach it
from crawler.vocab.urls import report_id as report_id


@dataclass(slots=True)
class ListingSnapshot:
    """One capture of a listing page: what it showed, or why it showed nothing."""

    source_id: str
    url: str
    fetch_id: int | None
    fetched_at: str
    status: str  # "ok", "blocked:<kind>", "http:<code>", "error:<type>", "robots"
    items: int = 0
    report_urls: list[str] = field(default_factory=list)
    # The capture whose content this snapshot shows: ``fetch_id`` itself, or, when the server
    # answered 304 Not Modified, the earlier capture it confirmed unchanged.
    basis_fetch_id: int | None = None
    column_url: str | None = None  # the column (or year sub-column) this page belongs to


@dataclass(slots=True)
class DocumentSeen:
    """A successful fetch of a document (``sha256`` None for 304 Not Modified).

    ``sha256`` is the content fingerprint (visible text for HTML pages, see
    ``crawler.recognize.fingerprint``); ``payload_sha256`` the raw bytes as archived.
    """

    url: str
    kind: str
    source_id: str
    fetch_id: int
    seen_at: str
    sha256: str | None
    payload_sha256: str | None = None
    size: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class DocumentGone:
    """A known document answered 404/410."""

    url: str
    at: str


@dataclass(slots=True)
class ReportItem:
    """A report recognised from a listing item and (usually) its detail page.

    ``document`` is the fetch of the report's own page or file; the pipeline stores it together
    with the report in one transaction, so a crawl killed in between never leaves a known page
    whose report was lost.
    """

    report_id: str
    source_id: str
    url: str
    title: str
    report_year: int | None
    agency: str | None
    agency_source: str  # title | meta | registry
    own: bool
    listing_url: str | None
    published_at: str | None
    published_at_source: str
    date_candidates: list[dict]
    fetch_id: int | None
    seen_at: str
    cms: str | None = None
    attachments: list[dict] = field(default_factory=list)
    exclusion: str = ""
    document: DocumentSeen | None = None


@dataclass(slots=True)
class ReportSeen:
    """A listing still shows a known report whose detail page was not re-fetched this run."""

    report_id: str
    seen_at: str
    source_id: str


@dataclass(slots=True)
class AttachmentSeen:
    """An attachment of a report was fetched."""

    report_id: str
    url: str
    text: str
    file_type: str | None
