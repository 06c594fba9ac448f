"""Recognition scored on the real-world corpus: what ``nianbao parse`` gets right, field by field.

Each case goes through :func:`crawler.parse_file.parse_file` (the recognisers the crawl and
``parse`` share) and is compared with its labels:

* ``is_report`` over every report case (positives found, negatives rejected);
* ``report_year``, ``format`` over the positives that label them: exact;
* ``agency`` over the positives that label it: exact, or the same body more fully named (the
  label inside the prediction after normalising, e.g. 底张街道办事处 ⊂ 西咸新区底张街道办事处);
* each labelled number: ``exact``, ``wrong`` (a guess: a number that is not the label) or
  ``null`` (not given — the right answer when unsure);
* detail pages: the published date (the day) and the attachment links found, and false;
* listings: the labelled report links found, and the links given that are not labelled (false),
  and the labelled next pages found.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawler.parse_file import parse_file
from crawler.vocab.text import to_simplified
from tests.corpus.corpus import NUMBERS, Case

TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass
class Tally:
    """Right / total of one field, and the cases it got wrong."""

    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, ok: bool, case_id: str, detail: str = "") -> None:
        self.total += 1
        if ok:
            self.right += 1
        else:
            self.wrong.append(f"{case_id}: {detail}" if detail else case_id)

    @property
    def rate(self) -> float | None:
        return self.right / self.total if self.total else None


def predict(case: Case) -> dict[str, Any]:
    """What the recognisers say of a case (excerpts are read as plain text)."""
    excerpt = case.data["kind"] == "excerpt"
    return parse_file(
        case.body(),
        url=None if excerpt else case.url,
        content_type=TEXT_TYPE if excerpt else case.data.get("content_type"),
    )


def _norm(name: str | None) -> str:
    """A name as compared: simplified characters, no spaces, brackets or inline pinyin."""
    name = re.sub(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]", "", name or "")
    return re.sub(r"[\s（）()·]", "", to_simplified(name))


def agency_matches(predicted: str | None, label: str) -> bool:
    """The same body: exactly, or more fully named (a region prefix added: 沅江路街道办事处 →
    洪江区沅江路街道办事处; a sub-district's office named in full: 丰门街道 → 丰门街道办事处)."""
    p, lab = _norm(predicted), _norm(label)
    if lab.endswith("街道"):
        p = p.removesuffix("办事处")
    return bool(p) and (p == lab or (p.endswith(lab) and len(lab) >= 3))


def score_reports(cases: list[Case]) -> dict[str, Tally]:
    """Per-field tallies over report cases (keys: is_report, positives, negatives, report_year,
    agency, format, numbers (exact), numbers_no_guess (exact or null: its misses are guesses),
    and numbers.<key>)."""
    out: dict[str, Tally] = defaultdict(Tally)
    for case in cases:
        labels = case.data["labels"]
        got = predict(case)
        positive = labels["is_annual_report"]
        said = bool(got.get("is_annual_report"))
        out["is_report"].add(said == positive, case.id, f"expected {positive}, got {said}")
        out["positives" if positive else "negatives"].add(said == positive, case.id)
        if not positive:
            continue
        if labels.get("report_year") is not None:
            out["report_year"].add(
                got.get("report_year") == labels["report_year"],
                case.id,
                f"expected {labels['report_year']}, got {got.get('report_year')}",
            )
        if labels.get("agency"):
            out["agency"].add(
                agency_matches(got.get("agency"), labels["agency"]),
                case.id,
                f"expected {labels['agency']}, got {got.get('agency')}",
            )
        if case.data.get("level"):
            out["level"].add(
                got.get("level") == case.data["level"],
                case.id,
                f"expected {case.data['level']}, got {got.get('level')}",
            )
        if labels.get("format"):
            out["format"].add(
                got.get("format") == labels["format"],
                case.id,
                f"expected {labels['format']}, got {got.get('format')}",
            )
        _score_detail(out, case, labels, got)
        stats = got.get("stats") or {}
        for key, value in (labels.get("numbers") or {}).items():
            if key not in NUMBERS:
                continue
            predicted = stats.get(key)
            detail = f"{key} expected {value}, got {predicted}"
            out["numbers"].add(predicted == value, case.id, detail)
            out[f"numbers.{key}"].add(predicted == value, case.id, detail)
            out["numbers_no_guess"].add(predicted is None or predicted == value, case.id, detail)
    return out


def _score_detail(out: dict[str, Tally], case: Case, labels: dict, got: dict[str, Any]) -> None:
    """A detail page's published date (exact day) and its attachment links (found, and false)."""
    if labels.get("published_at"):
        said = (got.get("published_at") or "")[:10] or None
        out["published_at"].add(
            said == labels["published_at"], case.id, f"expected {labels['published_at']}, got {said}"
        )
    if "attachments" in labels:
        predicted = {a["url"] for a in got.get("attachments") or []}
        labelled = set(labels["attachments"])
        for url in sorted(labelled):
            out["attachments_found"].add(url in predicted, case.id, f"missed {url}")
        for url in sorted(predicted):
            out["attachments_precision"].add(url in labelled, case.id, f"false {url}")


def score_listings(cases: list[Case]) -> dict[str, Tally]:
    """Report links found (recall over the labelled links) and their precision (the given links
    that are labelled; its misses are the false links)."""
    out: dict[str, Tally] = defaultdict(Tally)
    for case in cases:
        got = predict(case)
        predicted = {link["url"] for link in got.get("links") or []}
        labelled = {r["url"] for r in case.data["labels"]["reports"]}
        for url in sorted(labelled):
            out["links_found"].add(url in predicted, case.id, f"missed {url}")
        for url in sorted(predicted):
            out["links_precision"].add(url in labelled, case.id, f"false {url}")
        pages = set(got.get("next_pages") or [])
        for url in case.data["labels"]["next_pages"]:
            out["next_pages"].add(url in pages, case.id, f"missed next page {url}")
    return out


def breakdown(cases: list[Case], key: Callable[[Case], str | None]) -> dict[str, list[Case]]:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        groups[key(case) or "-"].append(case)
    return dict(sorted(groups.items()))


def error_kinds(tallies: dict[str, Tally]) -> Counter:
    """How many cases each field got wrong (numbers_no_guess counts the guesses)."""
    return Counter({name: len(t.wrong) for name, t in tallies.items() if "." not in name and t.wrong})


# -- defects and copies (issue 16) ----------------------------------------------------------------
COPY_THRESHOLD = 0.5  # NIANBAO_COPIED_THRESHOLD's default: a containment at or above it is flagged


@dataclass
class RuleTally:
    """One rule over the cases that label it: ``labelled``; ``decided`` (the rule passed or
    failed); ``right`` of the decided (fail on a true label, pass on a false one);
    ``accusations`` (fails on a false label) and ``missed`` (passes on a true label)."""

    labelled: int = 0
    decided: int = 0
    right: int = 0
    accusations: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    defects: int = 0  # labels that are true


def score_defects(cases: list[Case]) -> dict[str, RuleTally]:
    """Per rule, the checks :func:`predict` returns against ``labels.defects`` (rule → bool)."""
    out: dict[str, RuleTally] = defaultdict(RuleTally)
    for case in cases:
        defects = case.data["labels"].get("defects") or {}
        if not defects:
            continue
        results = {c["rule"]: c["result"] for c in predict(case).get("checks") or []}
        for rule, defect in sorted(defects.items()):
            t = out[rule]
            t.labelled += 1
            t.defects += defect
            result = results.get(rule, "uncertain")
            if result not in ("pass", "fail"):
                continue
            t.decided += 1
            if (result == "fail") == defect:
                t.right += 1
            elif defect:
                t.missed.append(case.id)
            else:
                t.accusations.append(case.id)
    return dict(sorted(out.items(), key=lambda kv: (kv[0][0] != "Q", kv[0])))


def case_text(case: Case) -> str:
    """The clean text of a case as the crawl stores it (an excerpt is its own text)."""
    if case.data["kind"] == "excerpt":
        return case.data["text"]
    return predict(case).get("text") or ""


def _names(case: Case) -> tuple[str, ...]:
    name = case.data["labels"].get("agency") or case.data.get("body")
    return (name,) if name else ()


@dataclass
class PairTally:
    """Labelled pairs (case, of) with the containment of the case's text in the other's."""

    pairs: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def flagged(self) -> list[tuple[str, str, float]]:
        return [p for p in self.pairs if p[2] >= COPY_THRESHOLD]


def score_copies(cases: list[Case], everything: list[Case]) -> dict[str, PairTally]:
    """``copies`` and ``not_copies``: each labelled pair scored by :func:`compare` of the case
    (the later report) in the one it names, at :data:`COPY_THRESHOLD`."""
    from crawler.stats.originality import compare

    by_id = {c.id: c for c in everything}
    texts: dict[str, str] = {}

    def text(c: Case) -> str:
        if c.id not in texts:
            texts[c.id] = case_text(c)
        return texts[c.id]

    out = {"copies": PairTally(), "not_copies": PairTally()}
    for case in cases:
        for key, tally in out.items():
            for pair in case.data["labels"].get(key) or []:
                other = by_id[pair["of"]]
                reuse = compare(text(case), text(other), names_a=_names(case), names_b=_names(other))
                tally.pairs.append((case.id, other.id, round(reuse.overall, 3)))
    return out
