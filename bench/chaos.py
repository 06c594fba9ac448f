"""Crash campaigns (issue 13): SIGKILL a crawl, an extract, a check and a scheduled run at random
points, then check the archive and run on.

    python bench/chaos.py                 # 20 kills per stage (80), then the full-disk and torn-WARC cases
    python bench/chaos.py --per-stage 3   # a quick look

Each trial: the stage's command (the real CLI, in its own process group) is killed with SIGKILL
at a random moment of its usual duration; then ``PRAGMA integrity_check``, ``nianbao verify``,
and the next run (what the scheduler would do) on the same data directory; the trial is ok when
the archive is intact, verifies, and ends with the same reports, texts and verdicts as the
uninterrupted run measured first (the baseline).  Goal: 80/80.  The time of the next run after a
kill is printed as a ratio to the uninterrupted stage's time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.chaos import STAGES, campaign, world  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-stage", type=int, default=20)
    parser.add_argument("--agencies", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="nianbao-chaos-") as tmp,
        world(Path(tmp), agencies=args.agencies) as w,
    ):
        print(
            "baseline (uninterrupted): "
            + ", ".join(f"{s} {w.seconds[s]:.1f} s" for s in STAGES)
            + f"; {len(w.reference['reports'])} reports, {len(w.reference['texts'])} texts, "
            f"{len(w.reference['verdicts'])} verdicts"
        )
        started = time.monotonic()
        trials = campaign(w, args.per_stage, seed=args.seed)
        elapsed = time.monotonic() - started
    for stage in STAGES:
        mine = [t for t in trials if t.stage == stage]
        ok = sum(t.ok for t in mine)
        killed = sum(t.killed for t in mine)
        print(f"{stage:8} {ok}/{len(mine)} ok  ({killed} killed mid-stage, the rest ended before the kill)")
        for t in mine:
            if not t.ok:
                print(
                    f"    after {t.killed_after:.2f} s: integrity {t.integrity}, verify {t.verified}, same {t.same}: {t.detail}"
                )
    total = sum(t.ok for t in trials)
    per_trial = elapsed / len(trials)
    print(
        f"all      {total}/{len(trials)} ok (goal: all); {per_trial:.1f} s per trial = {per_trial / w.seconds['run']:.2f} x an uninterrupted run"
    )
    cases = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rs",
            str(ROOT / "tests" / "test_disk_full.py"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    print("full disk and torn WARC tail (tests/test_disk_full.py): " + cases.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
