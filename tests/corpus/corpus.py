"""The real-world corpus (tests/corpus/README.md): loading, the split rule and validation."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawler.vocab.words import LEVELS

HERE = Path(__file__).resolve().parent
FORMATS = ("template2021", "template2019", "freeform")
NUMBERS = (
    "proactive_disclosures",
    "requests_received",
    "requests_carried_over",
    "reconsideration_total",
    "litigation_total",
    "requests_closed",
)
KINDS = ("excerpt", "html", "pdf", "docx", "doc", "wps", "txt", "ofd")
TRAITS = ("traditional", "mojibake", "repost", "mirror", "scanned", "split_table", "excerpt_cut")
ID = re.compile(r"^[a-z]{2,4}-\d{4}$")
# Rules a report case may carry a defect label for (labels.defects): the quality rules and the
# §2.5 table rules a reader can check by hand on a table given as text.
DEFECT_RULES = ("Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "B1", "B2", "B3", "C1", "C2", "C3")
PAIR_LABELS = ("copies", "not_copies")
# A listing page is of an annual-report column, or of a decoy column that looks like one (统计公报, 规划计划 …).
COLUMNS = ("annual_report", "decoy")


@dataclass(frozen=True)
class Case:
    """One corpus case: its JSON and where it lives."""

    path: Path
    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def url(self) -> str | None:
        return self.data["source"].get("url")

    @property
    def split(self) -> str:
        return split_of(self.data)

    def body(self) -> bytes:
        """The raw bytes of the case (the file, or the excerpt as UTF-8 text)."""
        if self.data.get("file"):
            return (HERE / "files" / self.data["file"]).read_bytes()
        return self.data["text"].encode("utf-8")


def split_key(data: dict) -> str:
    agency = (data.get("labels") or {}).get("agency") or data.get("body")
    if agency:
        return re.sub(r"\s+", "", agency)
    return "host:" + (urlsplit(data["source"].get("url") or "").hostname or data["id"])


# Batches gathered after the recognisers were last tuned, of bodies not yet in the corpus: held
# out whole, so that dev reaches its share without moving a case anyone has tuned on.
HELD_OUT_BATCHES = ("hd",)


def split_of(data: dict) -> str:
    """``dev`` for 3 bodies in 10 (by a hash of the body) and for every case of a held-out batch,
    else ``train``: decided once, by body."""
    if data["id"].split("-")[0] in HELD_OUT_BATCHES:
        return "dev"
    return "dev" if int(hashlib.sha256(split_key(data).encode("utf-8")).hexdigest(), 16) % 10 < 3 else "train"


def load(kind: str) -> list[Case]:
    """Every case of ``reports`` or ``listings``, in id order."""
    return [Case(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted((HERE / kind).glob("*.json"))]


def problems(case: Case, kind: str) -> list[str]:
    """What is wrong with a case's JSON (empty: valid)."""
    d, out = case.data, []
    if not ID.match(d.get("id", "")) or case.path.stem != d.get("id"):
        out.append("id must be <prefix>-<4 digits> and match the file name")
    src = d.get("source") or {}
    if src.get("via") not in ("pages", "repo"):
        out.append("source.via must be pages or repo")
    if src.get("via") == "repo" and not (src.get("repo") and src.get("path")):
        out.append("a repo case names source.repo and source.path")
    if not src.get("url") and src.get("via") == "pages":
        out.append("a page case names source.url")
    if d.get("kind") not in KINDS:
        out.append(f"kind must be one of {KINDS}")
    if d.get("kind") == "excerpt" and not d.get("text"):
        out.append("an excerpt has text")
    if d.get("kind") != "excerpt" and not (d.get("file") and (HERE / "files" / d["file"]).is_file()):
        out.append("a file case names an existing files/<file>")
    labels = d.get("labels") or {}
    notes = d.get("label_notes") or {}
    if kind == "reports":
        if not isinstance(labels.get("is_annual_report"), bool):
            out.append("labels.is_annual_report must be true or false")
        if labels.get("format") not in (None, *FORMATS):
            out.append(f"labels.format must be one of {FORMATS} or null")
        year = labels.get("report_year")
        if year is not None and not (isinstance(year, int) and 2007 <= year <= 2025):
            out.append("labels.report_year must be a year 2007-2025 or null")
        for key, value in (labels.get("numbers") or {}).items():
            if key not in NUMBERS or not isinstance(value, int) or value < 0:
                out.append(f"labels.numbers.{key} must be a known key with a whole number")
        if d.get("level") not in (None, *LEVELS):
            out.append(f"level must be one of {LEVELS}")
        for trait in d.get("traits") or []:
            if trait not in TRAITS:
                out.append(f"unknown trait {trait!r}")
        out += _defect_problems(labels, notes)
        out += _pair_problems(d["id"], labels)
        stated = [k for k in ("report_year", "agency", "format") if labels.get(k) is not None]
        stated += ["numbers"] if labels.get("numbers") else []
        missing = [k for k in stated if not notes.get(k)]
        if missing:
            out.append(f"label_notes missing for {missing}")
    else:
        reports = labels.get("reports")
        if not isinstance(reports, list) or not all(isinstance(r, dict) and r.get("url") for r in reports):
            out.append("labels.reports is a list of {url, year}")
        if not isinstance(labels.get("next_pages"), list):
            out.append("labels.next_pages is a list")
        if not d.get("platform"):
            out.append("a listing names its platform")
        if not notes.get("reports"):
            out.append("label_notes.reports says how the links were read")
        if d.get("column", "annual_report") not in COLUMNS:
            out.append(f"column must be one of {COLUMNS}")
        if d.get("column") == "decoy" and not d.get("decoy"):
            out.append("a decoy listing names its decoy kind")
    return out


def _defect_problems(labels: dict, notes: dict) -> list[str]:
    """``labels.defects``: known rule id → true/false, each with its line in ``label_notes.defects``."""
    defects = labels.get("defects")
    if defects is None:
        return []
    if not isinstance(defects, dict) or not defects:
        return ["labels.defects is an object of rule id → true/false"]
    out = []
    said = notes.get("defects") or {}
    for rule, value in defects.items():
        if rule not in DEFECT_RULES:
            out.append(f"labels.defects: unknown rule {rule!r} (one of {DEFECT_RULES})")
        if not isinstance(value, bool):
            out.append(f"labels.defects.{rule} must be true or false")
        note = said.get(rule)
        if not (isinstance(note, str) and note.strip()):
            out.append(f"label_notes.defects.{rule} says what was read")
    extra = set(said) - set(defects)
    if extra:
        out.append(f"label_notes.defects has notes for unlabelled rules {sorted(extra)}")
    return out


def _pair_problems(case_id: str, labels: dict) -> list[str]:
    """``labels.copies`` / ``labels.not_copies``: lists of ``{of: <report id>, note}``, never the case itself."""
    out = []
    for key in PAIR_LABELS:
        pairs = labels.get(key)
        if pairs is None:
            continue
        if not isinstance(pairs, list) or not pairs:
            out.append(f"labels.{key} is a non-empty list of {{of, note}}")
            continue
        for pair in pairs:
            if not (isinstance(pair, dict) and ID.match(str(pair.get("of", ""))) and pair.get("note")):
                out.append(f"labels.{key}: each entry names another case in 'of' and says how in 'note'")
            elif pair["of"] == case_id:
                out.append(f"labels.{key}: a case is not a copy of itself")
    both = {p.get("of") for p in labels.get("copies") or [] if isinstance(p, dict)} & {
        p.get("of") for p in labels.get("not_copies") or [] if isinstance(p, dict)
    }
    if both:
        out.append(f"labels.copies and labels.not_copies both name {sorted(both)}")
    return out
