"""A full disk and a torn WARC tail (issue 13): the crawl stops with one clear line and exit 1,
nothing committed before is lost, the archive checks out once copied where there is room, and
the next run completes; a WARC file cut short is reported by ``verify`` while its other records
stay readable."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import date

import pytest

from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)


@pytest.fixture
def small_disk(tmp_path):
    """A 1.5 MiB tmpfs (the real ENOSPC of a full filesystem), where the machine allows mounting one."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_crawl_and_loses_nothing(tmp_path, small_disk):
    with sim_world(tmp_path, seed=3, agencies=16, today=TODAY, troubles=False) as world:
        full = small_disk / "data"
        stopped = crawl(world, full, TODAY, "-s", "NIANBAO_COMMIT_INTERVAL=0.2", check=False)
        assert stopped.returncode == 1
        assert "nianbao: the disk is full" in stopped.stderr and "Traceback" not in stopped.stderr
        kept = query(full, "select count(*) n from fetches where warc_file is not null")[0]["n"]
        assert kept > 0  # what was committed before the disk filled up
        roomy = tmp_path / "roomy"
        shutil.copytree(full, roomy)
        with sqlite3.connect(roomy / "archive.db") as con:
            assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        checked = nianbao("verify", "--data", str(roomy), check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        crawl(world, roomy, TODAY)  # the next run, with room, completes
        nianbao("extract", "--data", str(roomy), now=TODAY)
        nianbao("check", "--data", str(roomy), "--sources", str(world.sources), now=TODAY)
        assert nianbao("verify", "--data", str(roomy)).stdout.startswith("ok:")
        assert query(roomy, "select count(*) n from fetches where warc_file is not null")[0]["n"] > kept


def test_a_torn_warc_tail_is_reported_and_the_rest_stays_readable(tmp_path):
    with sim_world(tmp_path, seed=3, agencies=6, today=TODAY, troubles=False) as world:
        data = tmp_path / "data"
        crawl(world, data, TODAY)
    rows = query(
        data,
        "select id, warc_file, warc_offset, warc_length, record_type from fetches "
        "where warc_file is not null order by warc_file, warc_offset",
    )
    other = [r for r in rows if r["record_type"] != "response"]
    assert other, "no revisit or failure record to cut"
    # a revisit or failure record cut short still half-decompresses: its length must be checked
    copy = tmp_path / "other"
    shutil.copytree(data, copy)
    cut = other[-1]
    with (copy / "warc" / cut["warc_file"]).open("r+b") as fh:
        fh.truncate(cut["warc_offset"] + cut["warc_length"] // 2)
    torn = nianbao("verify", "--data", str(copy), check=False)
    assert torn.returncode == 1 and f"fetch {cut['id']} " in torn.stderr
    last = rows[-1]
    path = data / "warc" / last["warc_file"]
    with path.open("r+b") as fh:
        fh.truncate(last["warc_offset"] + last["warc_length"] // 2)
    out = nianbao("verify", "--data", str(data), check=False)
    assert out.returncode == 1
    errors = [line for line in out.stderr.splitlines() if line.startswith("ERROR") and "chain" not in line]
    assert len(errors) == 1 and str(last["id"]) in errors[0], out.stderr
    first = rows[0]["id"]
    raw = nianbao("show", "--help")  # the CLI still runs against the archive
    assert raw.returncode == 0
    from storage.fetches import ref_of
    from storage.warc import read_record

    row = query(data, "select * from fetches where id = ?", (first,))[0]
    assert read_record(data / "warc", ref_of(row)).payload is not None
