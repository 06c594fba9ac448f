"""Compliance: deadlines, verdicts with evidence, edits, flags, and their outputs (DESIGN §6–§7).

The shapes every module here shares:

* **verdict** (one per source and report year; ``nianbao check --json``): ``source, agency,
  level, region, kind, year, status`` (on_time | late | missing | pending | unknown),
  ``deadline, deadline_basis, grace_days, published_at, published_at_source`` (meta | page |
  list | url | first_seen | none), ``first_seen_at, confidence`` (high | medium | low),
  ``reason, reason_zh, report, report_url, title, as_of`` and ``evidence``: a list of
  ``{fetch, url, fetched_at, role, shows, shows_zh}`` (``basis_fetch`` when a 304 confirmed an
  earlier capture), roles stated_date | first_capture | absence | latest_capture | blocked |
  edit_before | edit_after;
* **flag** (``nianbao flags --json``): ``id, kind`` (missing | late | edited | inconsistent |
  source_broken | source_blocked), ``source, agency, year, report, state`` (open | closed),
  ``summary, summary_zh, url, evidence, detail`` (kind-specific: an edit's diff and capture
  dates), ``opened_at, updated_at, closed_at``;
* **flag event** (history, what the feed and notifications deliver): ``id, flag_id, at, event``
  (opened | updated | closed | reopened), ``kind, previous_kind, source, agency, year, report,
  summary, summary_zh, url, notified_at``.

Every string that came from a crawled page (titles, names, URLs, diffs) is hostile: outputs
escape it and never use it as a file name unsanitised.

Modules: ``deadlines``, ``verdicts``, ``edits``, ``flags`` (pure decisions); ``check`` (the run);
``feed``, ``notify``, ``publish`` (delivery); ``evidence`` + ``evidence_text`` (bundles);
``report_html`` (the grid).
"""
