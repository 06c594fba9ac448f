"""Default settings of nianbao's Scrapy project (one place for every default).

Scrapy settings first, then nianbao's own ``NIANBAO_*`` settings, each alphabetical and
commented.  The defaults are polite enough for real government portals: robots.txt obeyed, a
descriptive User-Agent with a contact URL, AutoThrottle, at most 2 concurrent requests per host,
retries with exponential backoff on 5xx and timeouts, and a download size cap.  The simulator
profile used by ``nianbao demo`` and the tests relaxes only the pacing (see ``crawler/stages/crawl.py``).
"""

from __future__ import annotations

from crawler import __version__

BOT_NAME = "nianbao"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- Scrapy --------------------------------------------------------------------------------
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# The store pipeline is synchronous SQLite: more parallel item tasks only add scheduling cost.
CONCURRENT_ITEMS = 16
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # annual-report PDFs are < 20 MB; anything larger is recorded as an error
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
REDIRECT_MAX_TIMES = 5  # a redirect loop stops here (recorded as a failed fetch)
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RedirectGuardMiddleware": 50,  # a redirect hop off the source's hosts: refused
    "crawler.middlewares.SharedRobotsTxtMiddleware": 100,  # fixes concurrent waiters (scrapy#6802)
    "crawler.middlewares.BackoffMiddleware": 540,
    "crawler.middlewares.ArchiveMiddleware": 950,  # outermost: sees raw bytes and every retry attempt
}
EXTENSIONS = {
    "crawler.extensions.archive.ArchiveOwner": 100,  # first: the others use its session
    "crawler.extensions.run_recorder.RunRecorder": 500,
    "crawler.extensions.progress.Progress": 510,
    "scrapy.extensions.telnet.TelnetConsole": None,
}
FEED_EXPORT_ENCODING = "utf-8"
ITEM_PIPELINES = {
    "crawler.pipelines.store.StorePipeline": 300,
}
LOG_LEVEL = "WARNING"  # quiet off a terminal: the progress extension prints the summary line
RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_TIMES = 3
ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
# Scrapy re-parses each generator callback's source on every response to warn about
# ``return value`` in generators; our callbacks are checked by ruff/tests instead.
WARN_ON_GENERATOR_RETURN_VALUE = False

# --- nianbao -------------------------------------------------------------------------------
# Index writes are grouped into one SQLite transaction per this many seconds (a crawl killed
# meanwhile loses at most that much index; its WARC records stay and verify reports them).
NIANBAO_COMMIT_INTERVAL = 1.0
# Contact URL put in the User-Agent so site operators can reach whoever runs the crawler.
NIANBAO_CONTACT_URL = "https://github.com/nianbao/nianbao"
# Data directory holding archive.db and warc/ (None: $NIANBAO_DATA or ./nianbao-data).
NIANBAO_DATA = None
# Days after a deadline before a report not found may be called missing: a capture of the
# column must be later than deadline + grace (CDN caches and listing regeneration lag).
NIANBAO_GRACE_DAYS = 3
# A report not found is ``missing`` only when a complete capture within this many days after
# deadline + grace shows the column without it; an absence seen only later is ``not_online``
# (it may have been published and removed since: columns are pruned after redesigns).
NIANBAO_MISSING_WINDOW_DAYS = 183
# A ``copied`` flag is raised for a report whose own wording (the format's fixed text left out)
# is at least this share another body's earlier report (nianbao similar computes the reuse) …
NIANBAO_COPIED_THRESHOLD = 0.5
# … or at least this share its own previous year's report (a body's reports share its wording).
NIANBAO_REPEAT_THRESHOLD = 0.9
# … and only when the two share at least this many characters of own wording (a report with
# almost no text beyond the format's — a title, the customary preamble — is never called a copy).
NIANBAO_COPIED_MIN_CHARS = 100
# Re-read listing pages with If-None-Match/If-Modified-Since; a 304 replays the archived
# capture (the snapshot then names it), so paging and evidence work as on a full read.
NIANBAO_LISTING_CONDITIONAL = True
# Rotating log of `nianbao schedule` (and the runs it starts): DATA/logs/nianbao.log, rotated
# at this size, this many old files kept.
NIANBAO_LOG_MAX_BYTES = 10 << 20
NIANBAO_LOG_BACKUPS = 5
# Cap on listing pages followed per column (sources may lower it with max_pages).
NIANBAO_MAX_PAGES = 50
# A scheduled run later than its time by at most this many seconds still runs (once, however
# many were missed while the scheduler was down); later than that it waits for the next one.
# A week: after any downtime the latest missed run of a weekly cadence still happens.
NIANBAO_MISFIRE_GRACE = 7 * 24 * 3600
# Apprise URLs (https://github.com/caronc/apprise) that receive new and changed flags, one
# batched message per check (also read from $NIANBAO_NOTIFY_URLS, whitespace-separated).
NIANBAO_NOTIFY_URLS: list[str] = []
# Show a live progress line on a terminal (always one summary line at the end).
NIANBAO_PROGRESS = True
# First retry waits this many seconds, doubling per attempt (with jitter), at most _MAX.
NIANBAO_RETRY_BACKOFF_BASE = 1.0
NIANBAO_RETRY_BACKOFF_MAX = 30.0
# Known detail pages and attachments are re-fetched (conditionally) after this many days;
# listing pages are re-read on every run.  0 re-checks every known document on every run.
NIANBAO_REVISIT_DAYS = 7
# A scheduled `nianbao run` still going after this many seconds gets SIGTERM (Scrapy closes
# the crawl cleanly), and SIGKILL NIANBAO_RUN_KILL_AFTER seconds later if it has not ended.
NIANBAO_RUN_TIMEOUT = 6 * 3600
NIANBAO_RUN_KILL_AFTER = 300
# The scheduler's cadence (China time): runs start at _HOUR plus a reproducible per-group
# jitter of up to _JITTER_MINUTES; daily inside _SEASON (MM-DD/MM-DD, "" for none), weekly
# on _WEEKDAY (mon..sun, or none) outside it; always the day after each deadline and the day
# after deadline + NIANBAO_GRACE_DAYS.
NIANBAO_SCHEDULE_HOUR = 2
NIANBAO_SCHEDULE_JITTER_MINUTES = 120
NIANBAO_SCHEDULE_SEASON = "01-01/04-15"
NIANBAO_SCHEDULE_WEEKDAY = "mon"
# Sources registry file (None: the registry shipped with the package).
NIANBAO_SOURCES = None
NIANBAO_RUN_COMMAND = "crawl"  # what the run is recorded as (``runs.command``): crawl, discover
# Write fetches, documents and reports to the archive (off only for bare benchmarks).
NIANBAO_STORE_ENABLED = True
# Deadline of township/street reports (not named in 711号 Art. 49) when a source has no
# ``deadline`` override: "MM-DD" of the following year.
NIANBAO_TOWNSHIP_DEADLINE = "01-31"
# Rotate WARC files at this size.
NIANBAO_WARC_MAX_BYTES = 1 << 30

USER_AGENT = f"nianbao/{__version__} (+{NIANBAO_CONTACT_URL}; government annual-report monitor)"


def user_agent(contact_url: str) -> str:
    """The User-Agent for a given contact URL (used when ``NIANBAO_CONTACT_URL`` is overridden)."""
    return f"nianbao/{__version__} (+{contact_url}; government annual-report monitor)"
