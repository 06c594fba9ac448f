"""Title recognition, agency matching and the 统计期限 year (domain.md §5–§6)."""

from __future__ import annotations

import pytest

from crawler.recognize.text import clean_line, normalize_text, normalize_title
from crawler.recognize.titles import agency_matches, period_year, recognize_title

REPORTS = [
    # (title, year, agency)
    ("北京市密云区人民政府2023年政府信息公开工作年度报告", 2023, "北京市密云区人民政府"),
    ("安镕县财政局2023年度政府信息公开工作年度报告", 2023, "安镕县财政局"),
    ("2022年上海市人民政府参事室政府信息公开工作年度报告", 2022, "上海市人民政府参事室"),
    ("2023年安阳县人民政府政府信息公开工作年度报告", 2023, "安阳县人民政府"),
    ("2022年上海市政府信息公开工作年度报告", 2022, "上海市"),
    ("冀川市财政局2020年政府信息公开年度报告", 2020, "冀川市财政局"),
    ("闽侯县水利局2010年度信息公开工作年度报告", 2010, "闽侯县水利局"),
    ("安阳县教育局2023年度政务信息公开年度报告", 2023, "安阳县教育局"),
    ("安阳县2023年政府信息公开年报", 2023, "安阳县"),
    ("关于2023年度政府信息公开情况的报告", 2023, None),
    ("安阳县统计局关于2023年度政府信息公开工作情况的报告", 2023, "安阳县统计局"),
    ("西咸新区底张街道办事处2023年度政府\n信息公开工作年度报告", 2023, "西咸新区底张街道办事处"),
    ("高平市人民政府办公室<br>2022年政府信息公开工作年度报告", 2022, "高平市人民政府办公室"),
    ("高平市人民政府办公室<BR/>2022年政府信息公开工作年度报告", 2022, "高平市人民政府办公室"),
    ("市人民政府办公室2025年政府信息公开工作年度报告", 2025, "市人民政府办公室"),
    ("海关总署(本级机关)2020年政府信息公开工作年度报告", 2020, "海关总署"),
    ("重庆市綦江区丁山镇人民政府2019年政府信息公开工作年度报告", 2019, "重庆市綦江区丁山镇人民政府"),
    ("《开远市2025年政府信息公开工作年度报告》", 2025, "开远市"),
    ("开远市　２０２５年政府信息公开工作年度报告", 2025, "开远市"),
    ("天津市南開(kāi)區(qū)政府2017年政府信息公開(kāi)年度報(bào)告", 2017, "天津市南开区政府"),
    ("2010年度政府信息公開年度報告", 2010, None),
    ("安阳县民政局上一年度政府信息公开工作年度报告", None, "安阳县民政局"),
    ("上一年度政府信息公开工作年度报告", None, None),
    ("石阳镇政府信息公开工作年度报告（2023年）", 2023, "石阳镇"),
    ("我局2023年政府信息公开工作年度报告", 2023, None),
    ("贺州市人民政府办公室关于公布贺州市2009年度政府信息公开工作年度报告的通知", 2009, "贺州市"),
    ("海关总署(本级机关)2020年政府信息公开工作年度报告-pa凯发国际登录", 2020, "海关总署"),
    ("洛阳市人民政府督查室2023年政府信息公开工作年度报告", 2023, "洛阳市人民政府督查室"),
    ("安阳县职业技能培训中心2023年政府信息公开工作年度报告", 2023, "安阳县职业技能培训中心"),
]


@pytest.mark.parametrize(("title", "year", "agency"), REPORTS)
def test_report_titles(title, year, agency):
    info = recognize_title(title)
    assert (info.is_report, info.year, info.agency, info.reason) == (True, year, agency, "")


NOT_REPORTS = [
    ("安镕县人民政府2023年政府信息公开工作年度报告解读", "excluded:解读"),
    ("《安镕县2023年政府信息公开工作年度报告》政策解读", "excluded:解读"),
    ("一图读懂安镕县人民政府2023年政府信息公开工作年度报告", "excluded:一图读懂"),
    ("安镕县人民政府2023年政府信息公开工作年度报告(图解)", "excluded:图解"),
    ("安镕县人民政府2023年政府信息公开工作年度报告（图解版本）", "excluded:图解"),
    ("图示：安镕县2023年政府信息公开工作年度报告", "excluded:图示"),
    ("安镕县2023年政府信息公开工作年度报告问答", "excluded:问答"),
    ("安镕县2023年法治政府建设年度报告", "excluded:法治政府建设"),
    ("静海区2023年度法治政府建设情况报告", "excluded:法治政府建设"),
    ("2022年上半年政府信息公开数据统计", "excluded:上半年"),
    ("安阳县2023年第三季度政府信息公开情况", "excluded:季度"),
    ("关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知", "excluded:年度报告格式"),
    ("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", "excluded:编制发布工作的通知"),
    ("关于做好2023年度政府信息公开工作年度报告编制和公布工作的通知", "excluded:通知"),
    (
        "国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知",
        "excluded:有关事项的通知",
    ),
    ("广西壮族自治区政府信息公开工作年度报告制度（试行）", "excluded:报告制度"),
    ("2024年政务公开工作要点", "excluded:工作要点"),
    ("安阳县2023年政府信息公开工作年度报告第三方评估报告", "excluded:第三方评估"),
    ("政府信息公开工作年度报告发布情况评估报告2016", "excluded:年度报告发布情况评估"),
    ("安镕县人民政府召开政务公开工作会议", "excluded:召开"),
    ("安镕县开展政府信息公开业务培训", "excluded:培训"),
    ("安镕县部署推进基层政务公开标准化规范化工作", "excluded:部署"),
    ("安镕县召开2023年度政府信息公开工作年度报告编制工作会议", "excluded:召开"),
    ("安镕县财政局举办2023年政府信息公开工作年度报告培训", "excluded:培训"),
    ("关于2022年度政府信息公开工作年度报告发布情况的通报", "excluded:通报"),
    ("政府信息公开年报专栏", "excluded:专栏"),
    ("安镕县调整政务公开工作领导小组成员", "no report phrase"),
    ("安镕县政府信息公开指南（2023年修订）", "no report phrase"),
    ("国务院办公厅关于做好政府网站年度报表发布工作的通知", "excluded:通知"),
    ("政府网站工作年度报表", "no report phrase"),
    ("政府信息公开年报", "no year or agency"),
    ("政府信息公开工作年度报告", "no year or agency"),
    ("安镕县人民政府2023年政府信息公开工作年度...", "truncated"),
    ("", "empty title"),
    ("   ", "empty title"),
]


@pytest.mark.parametrize(("title", "reason"), NOT_REPORTS)
def test_not_report_titles(title, reason):
    info = recognize_title(title)
    assert (info.is_report, info.year, info.agency, info.reason) == (False, None, None, reason)


AGENCY_MATCHES = [
    ("安阳县人民政府", "安阳县人民政府", True),
    ("北京市政府", "北京市人民政府", True),
    ("开远市", "开远市人民政府", True),
    ("石阳镇", "石阳镇人民政府", True),
    ("区统计局", "硚口区统计局", True),
    ("统计局", "武汉市硚口区统计局", True),
    ("市人民政府办公室", "天门市人民政府办公室", True),
    ("人民政府办公室", "天门市人民政府办公室", True),
    ("市政府研究室", "洛阳市人民政府研究室", True),
    ("丁山镇人民政府", "重庆市綦江区丁山镇人民政府", True),
    ("重庆市綦江区丁山镇人民政府", "丁山镇人民政府", True),
    ("安阳县政府办", "安阳县人民政府办公室", True),
    ("海关总署(本级机关)", "海关总署", True),
    ("天津市南開區政府", "天津市南开区人民政府", True),
    ("安阳县人民政府办公室", "安阳县人民政府", False),  # office ≠ government (Jan 31 vs Mar 31)
    ("安阳县人民政府", "安阳县人民政府办公室", False),
    ("安阳县", "安阳县人民政府办公室", False),
    ("办公室", "安阳县人民政府办公室", False),
    ("区统计局", "洛阳市统计局", False),
    ("安阳县财政局", "安阳县教育局", False),
    ("洛阳市人民政府", "安阳县人民政府", False),
    ("我局", "安阳县财政局", False),
    ("我办", "安阳县人民政府办公室", False),
    ("我镇", "石阳镇人民政府", False),
    ("", "安阳县人民政府", False),
    ("局", "安阳县财政局", False),
]


@pytest.mark.parametrize(("found", "expected", "same"), AGENCY_MATCHES)
def test_agency_matches(found, expected, same):
    assert agency_matches(found, expected) is same


PERIODS = [
    ("本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。", 2022),
    ("本报告所列数据统计期限自202111日起至20211230日止", 2021),
    ("统计期限为20211月1日至12月31日", 2021),
    ("报告中所列数据的统计期限，自２０２０年１月１日起至２０２０年１２月３１日止。", 2020),
    ("统计数据时间段:2017年1月1日-2017 年12月31日。", 2017),
    ("所列统计数据时间范围为2024年1月1日至2024年12月31日。", 2024),
    ("本报告所列数据为2020年1月1日至2020年12月31日。", 2020),
    ("内容涵盖县政府办公室2013年1月1日至12月31日期间的政府信息公开工作情况。", 2013),
    ("本报告中所列数据的统计期限自2008年5月1日起至2008年12月31日止。", 2008),
    ("统计期限自 2010 年 1 月 1 日起至 2010 年 12 月 31 日 止", 2010),
    ("2023年，我局主动公开政府信息140余条。", None),
    ("以上数据统计时间为1月1日至6月30日。", None),
    ("自2021年1月1日起至2022年12月31日止", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "year"), PERIODS)
def test_period_year(text, year):
    assert period_year(text) == year


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３　ｘ", "ABC123 x"),
        ("天津市南開(kāi)區(qū)政府", "天津市南開區政府"),
        ("我鎮(zhèn)全面貫徹", "我鎮全面貫徹"),
        ("附件(PDF)下载", "附件(PDF)下载"),
        ("海关总署（本级机关）", "海关总署（本级机关）"),
        ("一、总体情况，主动公开。", "一、总体情况，主动公开。"),
        ("  a \t\t b  \r\n\r\n\r\n\r\n c ", "a b\n\nc"),
        ("\u200b零宽\ufeff字符\xa0空格", "零宽字符 空格"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("《XX市2023年度政府\n信息公开工作年度报告》...", "XX市2023年度政府信息公开工作年度报告"),
        ("“XX县2023年政府信息公开工作年度报告”…", "XX县2023年政府信息公开工作年度报告"),
        (
            "XX县<br>2023年<font color=red>政府信息公开</font>工作年度报告",
            "XX县2023年政府信息公开工作年度报告",
        ),
    ],
)
def test_normalize_title(raw, expected):
    assert normalize_title(raw) == expected


def test_clean_line_keeps_latin_spaces_and_drops_cjk_ones():
    assert (
        clean_line("高平市人民政府办公室\n 2022年 报告 PDF version")
        == "高平市人民政府办公室2022年报告PDF version"
    )


@pytest.mark.parametrize(
    ("found", "expected", "same"),
    [
        ("人力资源社会保障部", "中华人民共和国人力资源和社会保障部", True),  # how MOHRSS titles its reports
        ("文化和旅游部", "中华人民共和国文化和旅游部", True),
        ("东城区", "北京市东城区人民政府", True),  # bare district name in the title
        ("密云区", "北京市密云区人民政府", True),
        ("东城区人民政府办公室", "北京市东城区人民政府", False),  # the office is another body
        ("北京市人民政府", "北京市东城区人民政府", False),  # the superior government
    ],
)
def test_agency_name_variants_of_shipped_sources(found, expected, same):
    assert agency_matches(found, expected) is same


@pytest.mark.parametrize(
    ("title", "year", "agency"),
    [
        ("某某部政府信息公开工作2011年度报告", 2011, "某某部"),  # the year inside the report phrase
        (
            "某某市某某区人民政府外事办公室政府信息公开工作2022年度报告",
            2022,
            "某某市某某区人民政府外事办公室",
        ),
        ("某某市某某区人民政府机关2021年政府信息公开工作年度报告", 2021, "某某市某某区人民政府机关"),
        ("某某旗某某苏木2021年政府信息公开工作年度报告", 2021, "某某旗某某苏木"),
    ],
)
def test_more_title_forms(title, year, agency):
    info = recognize_title(title)
    assert (info.is_report, info.year, info.agency) == (True, year, agency)


@pytest.mark.parametrize(
    "line",
    ["首页 | 政府信息公开年报 | 站内搜索", "当前位置：首页 > 政府信息公开年报", "网站首页>政府信息公开年报"],
)
def test_a_menu_or_breadcrumb_line_is_no_title(line):
    info = recognize_title(line)
    assert not info.is_report and info.reason == "navigation"
