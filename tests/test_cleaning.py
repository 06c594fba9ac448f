"""crawler.extract.cleaning: each repair step, and the real mirror page end to end (golden file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract.cleaning import clean_text, rejoin_lines, repair_mojibake, strip_html
from crawler.vocab.text import to_simplified

GOLDEN = Path(__file__).parent / "golden_clean"


def test_mirror_page_golden():
    raw = (GOLDEN / "mirror_page.input.txt").read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    expected = (GOLDEN / "mirror_page.txt").read_text(encoding="utf-8").rstrip("\n")
    assert cleaned.text == expected
    assert {"pinyin", "t2s", "html", "mojibake:gbk-lossy"} <= set(cleaned.notes)


def test_mirror_page_content():
    cleaned = clean_text((GOLDEN / "mirror_page.input.txt").read_text(encoding="utf-8"))
    text = cleaned.text
    # the three reports are there, in simplified characters, without pinyin or markup
    for phrase in (
        "天津市南开区政府2017年政府信息公开年度报告",
        "全年全区各单位发生行政复议申请9件",
        "2008年广州市番禺区建设局政府信息公开年度报告",
        "2017年广州市南沙区人民政府政府信息公开年度报告",
        "政府门户网站",
        "大小：39KB",
    ):
        assert phrase in text
    for junk in ("(kāi)", "(guó)", "<span", "span", "開", "國", "?jī)"):
        assert junk not in text
    assert "天津市南開區政府" in cleaned.original  # original keeps the script
    assert "(kāi)" not in cleaned.original


@pytest.mark.parametrize(
    ("raw", "fixed", "note"),
    [
        ("政府信息公开".encode("gbk").decode("latin-1"), "政府信息公开", "mojibake:gbk-as-latin1"),
        (
            "年度报告：" + "政府信息公开".encode("gbk").decode("cp1252", errors="ignore"),
            None,
            "mojibake:gbk-as-latin1",
        ),
        ("政府信息公开年度报告".encode().decode("gb18030"), "政府信息公开年度报告", "mojibake:utf8-as-gbk"),
        (
            "主动公开政府信息情况\n" + "行政复议情况说明".encode().decode("gb18030"),
            "主动公开政府信息情况\n行政复议情况说明",
            "mojibake:utf8-as-gbk",
        ),
        ("大?。?span>39KB", "大小：<span>39KB", "mojibake:gbk-lossy"),
        ("熙悅?cè)A府", "熙悅□A府", "mojibake:gbk-lossy"),
        ("政府信息公开工作年度报告", "政府信息公开工作年度报告", None),
        ("Café résumé", "Café résumé", None),
        ("天津市南開區政府", "天津市南開區政府", None),
    ],
)
def test_repair_mojibake(raw, fixed, note):
    out, got = repair_mojibake(raw)
    if fixed is not None:
        assert out == fixed
    assert got == note


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("國(guó)務院", "国务院"),
        ("南開(kāi)區(qū)", "南开区"),
        ("２０２３年度共收到申請１２件", "2023年度共收到申请12件"),
        ("本年度，主动公开；依申请。", "本年度，主动公开；依申请。"),
        ("<p>行政复议&nbsp;3件</p><br/>行政诉讼", "行政复议3件\n\n行政诉讼"),
        ("<tr><td>收到申请</td><td>12</td></tr>", "收到申请 | 12"),
        ("一 概 述", "一概述"),
        ("2008 年", "2008年"),
        ("意见,对提交", "意见，对提交"),
        ("政府資訊公開、入口網站、最佳化", "政府信息公开、门户网站、优化"),
    ],
)
def test_clean_text_steps(raw, expected):
    assert clean_text(raw).text == expected


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("政府門戶網站", "政府门户网站"),
        ("相關文件", "相关文件"),  # a character-level copy keeps 文件
        ("檔案館", "档案馆"),
        ("資訊公開的檔案", "信息公开的文件"),  # zh-TW word swaps reversed
        ("資訊公開 檔案館", "信息公开 档案馆"),  # …but the archive stays an archive
        ("已经是简体", "已经是简体"),
        ("", ""),
    ],
)
def test_to_simplified(s, expected):
    assert to_simplified(s) == expected


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        # fixed-width wrap (PDF): joined inside sentences, headings and markers kept
        (
            "本年度我局认真贯彻落实条例要求进一\n步加强组织领导完善工作机制推进重\n点领域信息公开工作取得明显成效各\n"
            "项工作有序开展。\n二、主动公开情况",
            "本年度我局认真贯彻落实条例要求进一步加强组织领导完善工作机制推进重点领域信息公开工作取得明显成效各"
            "项工作有序开展。\n二、主动公开情况",
        ),
        ("共收到申请12件，\n其中自然人10件。", "共收到申请12件，其中自然人10件。"),
        ("行\n政\n复\n议", "行政复议"),
        ("一、总体情况\n一是加强领导。", "一、总体情况\n一是加强领导。"),
        ("(一)行政复议情况\n全年发生行政复议申请9件。", "(一)行政复议情况\n全年发生行政复议申请9件。"),
        ("第一段。\n\n第二段", "第一段。\n\n第二段"),
        ("收到申请 | 12\n办结 | 12", "收到申请 | 12\n办结 | 12"),
    ],
)
def test_rejoin_lines(s, expected):
    assert rejoin_lines(s)[0] == expected


def test_strip_html_noop_on_plain_text():
    assert strip_html("a < b 且 c > d") == ("a < b 且 c > d", False)


def test_clean_text_empty_and_notes():
    assert clean_text("").text == ""
    c = clean_text("國(guó)務院辦公廳")
    assert c.text == "国务院办公厅" and c.original == "國務院辦公廳"
    assert c.notes == ["pinyin", "t2s"]


def test_pdf_wrap_with_uneven_line_lengths_is_rejoined():
    # reportlab-style wrap at a fixed width: lines with half-width digits hold more characters
    raw = "\n".join(
        [
            "本报告是根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由临源县公安局",
            "编制的2013年度政府信息公开工作年度报告。全文包括概述，主动公开政府信息情况，依申请公开",
            "政府信息和不予公开政府信息情况，政府信息公开的收费及减免情况，因政府信息公开申请行政复",
            "议、提起行政诉讼的情况，其他需要报告的事项。本报告所列数据的统计期限自2024年1月1日起至202",
            "4年12月31日止。",
            "一、概述",
            "2013年，我局认真贯彻落实《条例》，健全政府信息公开工作机制，明确专人负责，政府信息公开",
            "工作运行正常。",
        ]
    )
    text = clean_text(raw).text
    assert "由临源县公安局编制的" in text and "行政复议、提起" in text and "至2024年12月31日止" in text
    assert "\n一、概述\n" in text and "政府信息公开工作运行正常" in text
