"""Plain sites: a 下一页 link (``?page=N`` or ``N.html``), no script; the parser finds the link."""

from __future__ import annotations

from spiders.platforms.base import Platform


class PlainPlatform(Platform):
    """Follow 下一页 links one page at a time."""

    name = "plain"
