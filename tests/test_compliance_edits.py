"""Edit detection on normalised clean text: noise is not an edit, a changed number is."""

from __future__ import annotations

from crawler.compliance.edits import VersionText, find_edits, normalise, text_hash

BASE = "一、总体情况\n本机关主动公开政府信息 1200 条。\n二、主动公开政府信息情况\n"


def v(seq: int, text: str | None, seen: str) -> VersionText:
    return VersionText(
        "http://x.gov.cn/t1.html",
        seq,
        f"{seen}T10:00:00+08:00",
        f"{seen}T10:00:00+08:00",
        seq * 10,
        seq * 10 + 1,
        text,
    )


def test_whitespace_width_and_regeneration_noise_are_not_edits():
    noisy = (
        "一、总体情况\r\n  本机关主动公开政府信息　１２００　条。\n\n二、主动公开政府信息情况\n"
        "页面生成时间：2025-04-10 02:00:00\n浏览次数：3521\n"
    )
    assert text_hash(BASE) == text_hash(noisy)
    assert normalise(BASE) == "一、总体情况本机关主动公开政府信息1200条。二、主动公开政府信息情况"
    assert find_edits([v(1, BASE, "2025-01-20"), v(2, noisy, "2025-02-05")]) == []


def test_a_changed_number_is_an_edit_with_a_diff_and_both_dates():
    changed = BASE.replace("1200", "1260") + "（2025年3月1日更正）\n"
    edits = find_edits(
        [v(1, BASE, "2025-01-20"), v(2, BASE + " ", "2025-02-05"), v(3, changed, "2025-04-10")]
    )
    assert len(edits) == 1
    e = edits[0]
    assert (e.before.seq, e.after.seq) == (2, 3)
    assert e.after.first_seen_at.startswith("2025-04-10") and e.before.last_seen_at.startswith("2025-02-05")
    assert "-本机关主动公开政府信息 1200 条。" in e.diff and "+本机关主动公开政府信息 1260 条。" in e.diff
    assert (e.added, e.removed) == (2, 1)


def test_versions_without_text_are_skipped_not_guessed():
    changed = BASE.replace("1200", "1300")
    assert find_edits([v(1, None, "2025-01-20"), v(2, BASE, "2025-02-05")]) == []
    edits = find_edits([v(1, BASE, "2025-01-20"), v(2, None, "2025-02-05"), v(3, changed, "2025-04-10")])
    assert [(e.before.seq, e.after.seq) for e in edits] == [(1, 3)]


def test_long_diffs_are_capped():
    before = "\n".join(f"第{i}行" for i in range(2000))
    after = "\n".join(f"第{i}行改" for i in range(2000))
    e = find_edits([v(1, before, "2025-01-20"), v(2, after, "2025-02-05")])[0]
    assert len(e.diff.splitlines()) <= 401 and e.diff.endswith("more diff lines")
