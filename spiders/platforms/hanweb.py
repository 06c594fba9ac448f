"""大汉 Hanweb JCMS: the column page carries the first records inline and the rest come from
``module/web/jpage/dataproxy.jsp`` (POST, windows of 45 records).  Static ``index_N.html``
pages do not exist, so only API windows are followed."""

from __future__ import annotations

from crawler.recognize.listing import Listing
from spiders.platforms.base import ColumnState, Platform


class HanwebPlatform(Platform):
    """Hanweb: follow dataproxy windows, never guessed static pages."""

    name = "hanweb"

    def next_pages(self, listing: Listing, state: ColumnState, new_items: int) -> list[str]:
        return []

    def page_links(self, listing: Listing) -> list[str]:
        return []
