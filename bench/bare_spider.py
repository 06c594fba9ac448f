"""The bare baseline of ``bench/crawl.py``: a minimal Scrapy spider fetching a fixed request list.

Usage: ``python bench/bare_spider.py REQUESTS.json OUT.json``

``REQUESTS.json`` is a list of ``{"method", "url", "body" (latin-1 text, may be empty),
"headers" ({name: value}, may be empty)}`` objects — the exchanges a full nianbao crawl made,
exported from its archive by ``bench/crawl.py``.  Every request is sent once (``dont_filter``),
in list order, and the callback does nothing: no parsing, no items, no archive.  ``OUT.json``
receives ``{"pages", "failures", "bytes", "elapsed", "requests"}`` where ``elapsed`` is
Scrapy's own ``elapsed_time_seconds`` (spider open → close, i.e. without interpreter startup).

The settings are the spider's own ``custom_settings``, *not* nianbao's settings module: the
same pacing as nianbao's ``--profile sim`` (16 concurrent requests, 16 per domain, no delay,
no AutoThrottle) and nothing else of nianbao's — no robots.txt, no retries (the list already
holds every attempt the full crawl made), no redirects (the list already holds the targets),
every HTTP status handed to the callback, cookies as Scrapy's default.
"""

from __future__ import annotations

import json
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    """Fetch every request of a list once; count responses and failures."""

    name = "bare"
    custom_settings = {
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_TIMEOUT": 20,
        "DOWNLOAD_MAXSIZE": 50 * 1024 * 1024,
        "REDIRECT_ENABLED": False,
        "RETRY_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "USER_AGENT": "nianbao-bench-bare/1.0",
    }

    def __init__(self, requests_file: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        with open(requests_file, encoding="utf-8") as fh:
            self.todo = json.load(fh)
        self.pages = 0
        self.failures = 0
        self.bytes = 0

    async def start(self):
        for spec in self.todo:
            body = (spec.get("body") or "").encode("latin-1")
            yield scrapy.Request(
                spec["url"],
                method=spec["method"],
                body=body or None,
                headers=spec.get("headers") or None,
                callback=self.parse,
                errback=self.failed,
                dont_filter=True,
                meta={"handle_httpstatus_all": True},
            )

    def parse(self, response):
        self.pages += 1
        self.bytes += len(response.body)
        return None

    def failed(self, failure):
        self.failures += 1
        return None


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    requests_file, out_file = argv[1], argv[2]
    process = CrawlerProcess({"LOG_LEVEL": "WARNING"})
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, requests_file=requests_file)
    process.start()
    stats = crawler.stats.get_stats()
    spider = crawler.spider
    out = {
        "requests": len(spider.todo),
        "pages": spider.pages,
        "failures": spider.failures,
        "bytes": spider.bytes,
        "elapsed": stats.get("elapsed_time_seconds"),
        "finish_reason": stats.get("finish_reason"),
    }
    with open(out_file, "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    return 0 if stats.get("finish_reason") == "finished" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
