"""Near-duplicate search benchmark (issue 16): MinHash LSH + exact containment over synthetic
reports against all-pairs exact comparison.

::

    python bench/similar.py                 # 100,000 reports (~3,000 characters each)
    python bench/similar.py --docs 20000    # a smaller archive
    python bench/similar.py --sample 1000

Reports come from bench/search.py's ``make_docs`` (section headings, shared stock sentences —
masked as template wording —, agencies, years); 2 % of them are copies of an earlier report (the same body's previous year or
another body's report of the same year, its name changed or left in, a sentence added).  The
LSH pipeline (``crawler.stats.neardup.candidates`` then ``crawler.stats.originality.compare``,
as the originality stage runs them) is timed on the whole archive; all-pairs exact comparison
(every pair of the same or consecutive years, the earlier published as the original) is timed on
a sample and extrapolated.  On the sample both must find the same pairs.  Goal: ≤ 10 minutes for
100,000 reports.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import RARE, SENTENCES, make_docs  # noqa: E402

from crawler.stats.neardup import Doc, candidates  # noqa: E402
from crawler.stats.originality import compare  # noqa: E402

THRESHOLD = 0.5
# the generator's stock sentences, cut at their slots: every synthetic report draws on them, so
# they are its template wording (as the legal format's is for real reports)
TEMPLATE = tuple(p for s in SENTENCES + RARE for p in re.split(r"\{[a-z]\}", s) if len(p) >= 2)
COPY_RATE = 0.02


def make_archive(n: int, seed: int = 20240601) -> tuple[list[Doc], set[tuple[str, str]]]:
    """``n`` reports, 2 % of them copies; returns the docs and the planted (copy, original) pairs."""
    rng = random.Random(seed + 1)
    docs: list[Doc] = []
    planted: set[tuple[str, str]] = set()
    for i, row in enumerate(make_docs(n, seed)):
        year = row["report_year"]
        text, agency = row["text"], row["agency"]
        if docs and rng.random() < COPY_RATE:
            src = docs[rng.randrange(len(docs))]
            if src.year is not None and src.year < 2024:
                year = src.year + rng.choice((0, 1))
                text = src.text.replace(f"{src.year}年", f"{year}年")
                if year == src.year or rng.random() < 0.5:
                    text = text.replace(src.names[0], agency) if rng.random() < 0.5 else text
                text += "下一步，将按照上级部署继续做好相关工作。"
                planted.add((f"d{i:07d}", src.id))
        docs.append(Doc(f"d{i:07d}", agency, year, f"{i:09d}", text, (agency,)))
    return docs, planted


def found_by_lsh(docs: list[Doc]) -> tuple[set[tuple[str, str]], int]:
    by_id = {d.id: d for d in docs}
    pairs: set[tuple[str, str]] = set()
    n = 0
    for later, earlier in candidates(docs, template=TEMPLATE):
        a, b = by_id[later], by_id[earlier]
        if a.body == b.body and a.year == b.year:
            continue
        n += 1
        if compare(a.text, b.text, names_a=a.names, names_b=b.names, template=TEMPLATE).overall >= THRESHOLD:
            pairs.add((later, earlier))
    return pairs, n


def found_by_all_pairs(docs: list[Doc]) -> tuple[set[tuple[str, str]], int]:
    pairs: set[tuple[str, str]] = set()
    n = 0
    for x, y in combinations(docs, 2):
        a, b = (x, y) if (x.published, x.id) > (y.published, y.id) else (y, x)
        if a.year is None or b.year is None or a.year - b.year not in (0, 1):
            continue
        if a.body == b.body and a.year == b.year:
            continue
        n += 1
        if compare(a.text, b.text, names_a=a.names, names_b=b.names, template=TEMPLATE).overall >= THRESHOLD:
            pairs.add((a.id, b.id))
    return pairs, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args()

    docs, planted = make_archive(args.docs)
    sample = docs[: args.sample]
    started = time.perf_counter()
    exact, n_exact = found_by_all_pairs(sample)
    t_exact = time.perf_counter() - started
    started = time.perf_counter()
    lsh_sample, _ = found_by_lsh(sample)
    t_lsh_sample = time.perf_counter() - started
    per_pair = t_exact / max(1, n_exact)
    scale = (args.docs / args.sample) ** 2
    print(
        f"sample {args.sample}: all-pairs {n_exact} comparisons in {t_exact:.1f} s ({per_pair * 1000:.2f} ms each), "
        f"{len(exact)} pairs ≥ {THRESHOLD}; LSH {t_lsh_sample:.1f} s, {len(lsh_sample)} pairs; "
        f"same pairs: {lsh_sample == exact} (missed {len(exact - lsh_sample)}, extra {len(lsh_sample - exact)})"
    )
    started = time.perf_counter()
    found, n_checked = found_by_lsh(docs)
    t_lsh = time.perf_counter() - started
    t_all = t_exact * scale
    planted_found = len(planted & found)
    print(
        f"archive {args.docs}: LSH + exact check {t_lsh:.1f} s ({n_checked} candidates checked, {len(found)} pairs; "
        f"planted copies found {planted_found}/{len(planted)}); all-pairs extrapolated {t_all / 3600:.1f} h "
        f"({t_all / max(t_lsh, 1e-9):.0f}× slower); goal ≤ 600 s: {'met' if t_lsh <= 600 else 'missed'}"
    )


if __name__ == "__main__":
    main()
