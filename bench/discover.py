"""Discovery benchmark: ``nianbao discover`` on simulated portals, scored against the simulator's
discovery truth, and compared with a breadth-first walk of the same portals in the same run.

::

    python bench/discover.py                    # seed 7, 200 agencies (25 portals)
    python bench/discover.py --seed 3 --agencies 400
    python bench/discover.py --json

Starts the simulator (``portalsim``) on 127.0.0.1 as of 2025-04-10, runs ``nianbao discover``
from every reachable portal home page twice — best first (the default) and ``--strategy bfs``
(every link of the site, breadth first, a larger page budget) — and prints, for each:

* columns found: true columns of bodies reachable from the portals found / all of them (goal ≥ 98 %);
* false columns: proposed (not commented out) columns that are not a body's column, decoys
  included / proposals (goal ≤ 1 %);
* names, levels and kinds right among the true columns found (goal ≥ 98 %);
* pages fetched per body found (goal ≤ 30), and the ratio best ÷ bfs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portalsim import discovery_truth, start_server  # noqa: E402

TODAY = date(2025, 4, 10)


def run(urls: list[str], data: Path, strategy: str, max_pages: int) -> tuple[list[dict], int, float]:
    """(proposals, pages fetched, seconds) of one discover run."""
    env = {**os.environ, "NIANBAO_NOW": TODAY.isoformat(), "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "discover",
            *urls,
            "--data",
            str(data),
            "--profile",
            "sim",
            "--json",
            "--strategy",
            strategy,
            "--max-pages",
            str(max_pages),
            "--depth",
            "5",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.monotonic() - started
    proposals = json.loads(proc.stdout) if proc.stdout.strip() else []
    pages = sum(int(m.group(1)) for m in re.finditer(r": (\d+) page\(s\), ", proc.stderr))
    return proposals, pages, seconds


def score(proposals: list[dict], truth: dict) -> dict:
    columns = {}
    for body in truth["bodies"]:
        if body["reachable"] and not body.get("blocked"):
            for url in body["urls"]:
                columns[url] = body
    decoys = {d["url"] for d in truth["decoys"]}
    live = [p for p in proposals if not p["doubt"]]
    found = {p["urls"][0]: p for p in live if p["urls"][0] in columns}
    false = [p for p in live if p["urls"][0] not in columns]
    right = {"agency": 0, "level": 0, "kind": 0}
    wrong: list[str] = []
    for url, p in found.items():
        body = columns[url]
        for key in right:
            if p[key] == body[key]:
                right[key] += 1
            elif len(wrong) < 8:
                wrong.append(f"{key}: {p[key]!r} for {body[key]!r} ({p['evidence']['agency_from']})")
    return {
        "true_columns": len(columns),
        "found": len(found),
        "found_rate": len(found) / max(1, len(columns)),
        "proposed": len(live),
        "unsure": len(proposals) - len(live),
        "unsure_true": sum(1 for p in proposals if p["doubt"] and p["urls"][0] in columns),
        "false": len(false),
        "false_decoys": sum(1 for p in false if p["urls"][0] in decoys),
        "false_rate": len(false) / max(1, len(live)),
        **{f"{k}_right": v / max(1, len(found)) for k, v in right.items()},
        "examples_wrong": wrong,
        "examples_false": [p["urls"][0] for p in false[:5]],
        "missed": [u for u in columns if u not in found][:8],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--agencies", type=int, default=200)
    ap.add_argument("--max-pages", type=int, default=80, help="best-first page budget per portal")
    ap.add_argument("--bfs-pages", type=int, default=400, help="breadth-first page budget per portal")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    server = start_server(args.seed, args.agencies, TODAY, troubles=False)
    try:
        truth = discovery_truth(args.seed, args.agencies, base_url=server.base_url)
        urls = [p["url"] for p in truth["portals"] if p["reachable"]]
        results = {}
        with tempfile.TemporaryDirectory(prefix="nianbao-bench-discover-") as tmp:
            for strategy, budget in (("best", args.max_pages), ("bfs", args.bfs_pages)):
                proposals, pages, seconds = run(urls, Path(tmp) / strategy, strategy, budget)
                out = score(proposals, truth)
                out.update(
                    pages=pages, seconds=round(seconds, 1), pages_per_body=pages / max(1, out["found"])
                )
                results[strategy] = out
    finally:
        server.shutdown()
    results["ratio_pages_per_body"] = results["best"]["pages_per_body"] / max(
        1e-9, results["bfs"]["pages_per_body"]
    )
    results["portals"] = len(urls)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    print(f"seed {args.seed}, {args.agencies} agencies, {len(urls)} reachable portals")
    print(f"{'':24}{'best first':>14}{'breadth first':>16}   goal")
    rows = [
        ("true columns", "true_columns", "{}", ""),
        ("found", "found_rate", "{:.1%}", "≥ 98 %"),
        ("proposed (not unsure)", "proposed", "{}", ""),
        ("unsure (commented out)", "unsure", "{}", ""),
        ("false columns", "false_rate", "{:.1%}", "≤ 1 %"),
        ("names right", "agency_right", "{:.1%}", "≥ 98 %"),
        ("levels right", "level_right", "{:.1%}", "≥ 98 %"),
        ("kinds right", "kind_right", "{:.1%}", "≥ 98 %"),
        ("pages fetched", "pages", "{}", ""),
        ("pages per body found", "pages_per_body", "{:.1f}", "≤ 30"),
        ("seconds", "seconds", "{}", ""),
    ]
    for label, key, fmt, goal in rows:
        print(
            f"{label:24}{fmt.format(results['best'][key]):>14}{fmt.format(results['bfs'][key]):>16}   {goal}"
        )
    print(f"pages per body, best ÷ breadth first: {results['ratio_pages_per_body']:.2f}")
    for name in ("examples_wrong", "examples_false", "missed"):
        if results["best"][name]:
            print(f"{name}: {results['best'][name]}")


if __name__ == "__main__":
    main()
