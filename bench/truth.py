"""Recognition on the real-world corpus (tests/corpus/): per-field accuracy, train and dev apart.

    python bench/truth.py                # the dev and train tables, by format and level, and the errors
    python bench/truth.py --split dev    # one side only
    python bench/truth.py --errors 0     # no error list
    python bench/truth.py --json         # the figures as JSON

Every figure here is measured on real pages and files this project did not write (issue 12);
``dev`` is scored, never tuned on case by case (tests/corpus/README.md).  The baseline each
rate is read against is the share a constant answer would get (the majority class for
is_report; 0 for the other fields, which have no constant answer).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.corpus.corpus import load  # noqa: E402
from tests.corpus.evaluate import (  # noqa: E402
    COPY_THRESHOLD,
    Tally,
    breakdown,
    error_kinds,
    score_copies,
    score_defects,
    score_listings,
    score_reports,
)

GOALS = {
    "links_found": 0.97,
    "links_precision": 0.99,
    "is_report": 0.97,
    "negatives": 0.95,
    "report_year": 0.98,
    "agency": 0.90,
    "format": 0.95,
    "numbers": 0.95,
}
ORDER = (
    "is_report",
    "positives",
    "negatives",
    "report_year",
    "agency",
    "level",
    "format",
    "numbers",
    "numbers_no_guess",
    "published_at",
    "attachments_found",
    "attachments_precision",
)


def _cell(t: Tally | None) -> str:
    if t is None or not t.total:
        return "        -"
    return f"{t.right:>4}/{t.total:<4}{100 * t.rate:>5.1f}%"


def table(title: str, tallies: dict[str, Tally], fields=ORDER) -> list[str]:
    lines = [title]
    for name in fields:
        if name in tallies:
            goal = GOALS.get(name)
            mark = (
                ""
                if goal is None
                else f"  goal {goal:.0%}: {'MET' if tallies[name].rate >= goal else 'not met'}"
            )
            lines.append(f"  {name:<18} {_cell(tallies[name])}{mark}")
    return lines


def defects_and_copies(rs, everything) -> tuple[list[str], dict]:
    """The quality/table rules against the defect labels and compare() against the copy labels."""
    rules = score_defects(rs)
    copies = score_copies(rs, everything)
    lines = ["  quality and table rules on labelled real cases (fail = defect):"]
    lines.append(
        f"    {'rule':<5} {'labelled':>8} {'defects':>8} {'decided':>8} {'right':>6} {'false acc.':>10} {'missed':>7}"
    )
    for rule, t in rules.items():
        lines.append(
            f"    {rule:<5} {t.labelled:>8} {t.defects:>8} {t.decided:>8} {t.right:>6} "
            f"{len(t.accusations):>10} {len(t.missed):>7}"
            + (f"   accused: {', '.join(t.accusations)}" if t.accusations else "")
            + (f"   missed: {', '.join(t.missed)}" if t.missed else "")
        )
    found, fp = copies["copies"], copies["not_copies"]
    lines.append(
        f"  copies (compare at {COPY_THRESHOLD}): {len(found.flagged)}/{len(found.pairs)} labelled copy pairs found; "
        f"{len(fp.flagged)}/{len(fp.pairs)} labelled non-copies flagged"
    )
    for a, b, c in found.pairs:
        lines.append(f"    copy     {a} in {b}: {c:.3f}{'' if c >= COPY_THRESHOLD else '  MISSED'}")
    for a, b, c in fp.pairs:
        lines.append(f"    not copy {a} in {b}: {c:.3f}{'  FLAGGED' if c >= COPY_THRESHOLD else ''}")
    figures = {
        "rules": {
            r: {
                "labelled": t.labelled,
                "defects": t.defects,
                "decided": t.decided,
                "right": t.right,
                "false_accusations": t.accusations,
                "missed": t.missed,
            }
            for r, t in rules.items()
        },
        "copies": {"pairs": len(found.pairs), "found": len(found.flagged)},
        "not_copies": {"pairs": len(fp.pairs), "flagged": len(fp.flagged)},
    }
    return lines, figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "train", "all"), default=None, help="default: dev and train")
    ap.add_argument("--errors", type=int, default=15, help="wrong cases listed per field (dev)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    started = time.monotonic()
    reports, listings = load("reports"), load("listings")
    splits = [args.split] if args.split else ["dev", "train"]
    figures: dict[str, dict] = {}
    out: list[str] = []
    for split in splits:
        rs = [c for c in reports if split == "all" or c.split == split]
        ls = [c for c in listings if split == "all" or c.split == split]
        tallies = {**score_reports(rs), **score_listings(ls)}
        figures[split] = {k: {"right": t.right, "total": t.total, "rate": t.rate} for k, t in tallies.items()}
        positives = sum(c.data["labels"]["is_annual_report"] for c in rs)
        out += table(
            f"== {split}: {len(rs)} report cases ({positives} reports, {len(rs) - positives} negatives), "
            f"{len(ls)} listing pages",
            tallies,
            (
                *ORDER,
                *sorted(k for k in tallies if k.startswith("numbers.")),
                "links_found",
                "links_precision",
                "next_pages",
            ),
        )
        majority = max(positives, len(rs) - positives) / len(rs) if rs else 0
        out.append(f"  baseline is_report (majority class): {majority:.1%}")
        for label, key in (
            ("format", lambda c: c.data["labels"].get("format")),
            ("level", lambda c: c.data.get("level")),
        ):
            out.append(f"  by {label}:")
            for group, cases in breakdown(
                [c for c in rs if c.data["labels"]["is_annual_report"]], key
            ).items():
                t = score_reports(cases)
                out.append(
                    f"    {group:<20} n={len(cases):<4} year {_cell(t.get('report_year'))}  agency "
                    f"{_cell(t.get('agency'))}  format {_cell(t.get('format'))}"
                )
        lines, figures[split]["defects_and_copies"] = defects_and_copies(rs, reports)
        out += lines
        if split == "dev" or args.split:
            kinds = error_kinds(tallies)
            out.append("  error kinds (cases): " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
            for name in (*ORDER, "links_found", "links_precision"):
                if name in tallies and tallies[name].wrong and args.errors:
                    out.append(f"  wrong {name}:")
                    out += [f"    {w}" for w in tallies[name].wrong[: args.errors]]
        out.append("")
    out.append(f"{time.monotonic() - started:.1f} s")
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        print("\n".join(out))


if __name__ == "__main__":
    main()
