"""The generic platform: sequential paging with a stop when a page brings nothing new."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.recognize.detail import Detail
from crawler.recognize.listing import ApiRequest, Listing


@dataclass
class ColumnState:
    """What one run has seen of one column (a column URL or a year sub-column)."""

    url: str
    max_pages: int
    pages: int = 0
    seen_items: set[str] = field(default_factory=set)
    requested: set[str] = field(default_factory=set)


class Platform:
    """Turn a parsed listing into the next listing pages to fetch.

    Pages are followed one at a time: the next page is requested only when the current one
    brought at least one item URL this run had not seen, and never beyond the page cap.  That
    stops the crawl on sites that repeat their last page or redirect past the end.
    """

    name = "generic"

    def next_pages(self, listing: Listing, state: ColumnState, new_items: int) -> list[str]:
        """URLs of the listing pages to fetch next (at most one for sequential paging)."""
        if new_items == 0 or state.pages >= state.max_pages:
            return []
        for url in listing.next_pages:
            if url not in state.requested:
                state.requested.add(url)
                return [url]
        return []

    def has_more(self, listing: Listing, state: ColumnState) -> bool:
        """Does the listing point to pages (or record windows) this run has not requested?"""
        keys = [f"{api.method} {api.url} {sorted(api.formdata.items())}" for api in listing.api_requests]
        return any(url not in state.requested for url in self.page_links(listing)) or any(
            key not in state.requested for key in keys
        )

    def page_links(self, listing: Listing) -> list[str]:
        """The listing-page links this platform follows."""
        return list(listing.next_pages)

    def api_requests(self, listing: Listing, state: ColumnState, new_items: int) -> list[ApiRequest]:
        """Record-API windows to request (Hanweb dataproxy and the like)."""
        out = []
        for api in listing.api_requests:
            key = f"{api.method} {api.url} {sorted(api.formdata.items())}"
            if key not in state.requested and state.pages < state.max_pages:
                state.requested.add(key)
                out.append(api)
        return out

    def continuation_pages(self, detail: Detail) -> list[str]:
        """Further pages of a long article that belong to the same report."""
        return list(detail.continuation_pages)
