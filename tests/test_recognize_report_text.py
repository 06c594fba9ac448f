"""Report recognition from text: report or look-alike, year and body (domain.md §5, §6.10–11)."""

from __future__ import annotations

import pytest

from crawler.recognize.report_text import ReportFacts, recognize_report

PERIOD = "本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
HEADINGS = (
    "一、总体情况\n{y}年，我局认真贯彻落实《条例》。\n二、主动公开政府信息情况\n{y}年，主动公开政府信息9条。\n"
    "三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n"
)


def facts(text: str, **kw) -> tuple:
    f = recognize_report(text, **kw)
    return f.is_report, f.year, f.year_source, f.agency, f.agency_source


REPORTS = [
    # (text, (is_report, year, year_source, agency, agency_source))
    (
        "安镕县财政局2023年政府信息公开工作年度报告\n" + PERIOD.format(y=2023) + HEADINGS.format(y=2023),
        (True, 2023, "period", "安镕县财政局", "title"),
    ),
    # the 统计期限 wins over the title (a 2021 report titled with last year's number)
    (
        "田黄镇人民政府2020年政府信息公开工作年度报告\n" + PERIOD.format(y=2021),
        (True, 2021, "period", "田黄镇人民政府", "title"),
    ),
    # title split over two lines, then the wrapping notice of a report
    (
        "西咸新区底张街道办事处2023年度政府\n信息公开工作年度报告\n根据《条例》编制本报告。",
        (True, 2023, "title", "西咸新区底张街道办事处", "title"),
    ),
    (
        "贺州市人民政府办公室关于公布\n贺州市2009年度政府信息公开工作年度报告的通知(贺政办发〔2010〕3号)\n"
        "各县(区)人民政府：\n我办编制了本报告，现予公布。\n" + PERIOD.format(y=2009),
        (True, 2009, "period", "贺州市人民政府办公室", "title"),
    ),
    # a spam suffix after the title, a document number above it
    (
        "海关总署(本级机关)2020年政府信息公开工作年度报告-pa凯发国际登录\n" + PERIOD.format(y=2020),
        (True, 2020, "period", "海关总署", "title"),
    ),
    (
        "厦湖府〔2019〕1号\n湖里区人民政府2018年政府信息公开工作年度报告\n发布机构:湖里区人民政府办公室\n",
        (True, 2018, "title", "湖里区人民政府", "title"),
    ),
    # a bare place in the title takes the matching 发布机构, else stays unnamed
    (
        "- 发布机构: 开远市人民政府\n开远市2025年政府信息公开工作年度报告\n" + PERIOD.format(y=2025),
        (True, 2025, "period", "开远市人民政府", "meta"),
    ),
    (
        "四川省2014年政府信息公开工作年度报告\n本年度报告根据《条例》编制。如有疑问请与四川省人民政府信息公开办公室联系。",
        (True, 2014, "title", None, "none"),
    ),
    # a name lacking its place is completed from the first sentence, or dropped
    (
        "市人民政府办公室2025年政府信息公开工作年度报告\n现公开天门市人民政府办公室2025年政府信息公开工作年度报告。",
        (True, 2025, "title", "天门市人民政府办公室", "sentence"),
    ),
    (
        "县统计局2021年政府信息公开工作年度报告\n" + PERIOD.format(y=2021),
        (True, 2021, "period", None, "none"),
    ),
    # no title: headings and first sentences
    (HEADINGS.format(y=2012), (True, 2012, "text", None, "none")),
    (
        "本报告是根据《条例》要求，由两城镇人民政府党政办公室编制。" + PERIOD.format(y=2020),
        (True, 2020, "period", "两城镇人民政府", "sentence"),
    ),
    (
        "本报告是根据《条例》要求，由北京市统计局、国家统计局北京调查总队(以下简称统计局队)编制的"
        "2012 年度政府信息公开工作年度报告。" + PERIOD.format(y=2012),
        (True, 2012, "period", "北京市统计局、国家统计局北京调查总队", "sentence"),
    ),
    (
        "根据《条例》要求，上饶市人民政府根据全市2022年度政府信息公开工作开展情况，编制本报告。"
        "本报告中所列数据统计期限为2022年1月1日至12月31日。",
        (True, 2022, "period", "上饶市人民政府", "sentence"),
    ),
    (
        "一、总体情况\n2023年，在区委、区政府的坚强领导下，官洲街道办事处认真贯彻落实《条例》。\n"
        "二、主动公开政府信息情况\n2023年，主动公开政府信息63条。\n三、收到和处理政府信息公开申请情况\n",
        (True, 2023, "text", "官洲街道办事处", "sentence"),
    ),
    (
        "根据有关规定，特向社会公布我局2010年度信息公开工作年度报告。"
        + PERIOD.format(y=2010)
        + "如对本报告有任何疑问，请与闽侯县水利局政府信息公开工作领导小组办公室联系。",
        (True, 2010, "period", "闽侯县水利局", "sentence"),
    ),
    (
        "依据《条例》规定，编制本报告。所列统计数据时间范围为2024年1月1日至2024年12月31日。"
        "如本报告有疑问，请联系:硚口区统计局党政办公室，地址:硚口区沿河大道518号。",
        (True, 2024, "period", "硚口区统计局", "sentence"),
    ),
    (
        "现将2021年度政府信息公开工作情况报告如下:\n一、总体情况\n(一)主动公开情况。\n(二)依申请公开情况。\n"
        "(三)政府信息管理情况。\n",
        (True, 2021, "text", None, "none"),
    ),
    # a report that cites the format notice is still a report
    (
        "开远市人民政府2025年政府信息公开工作年度报告\n根据《中华人民共和国政府信息公开工作年度报告格式》"
        "(国办公开办函〔2021〕30号)规定，现公布本报告。" + PERIOD.format(y=2025),
        (True, 2025, "period", "开远市人民政府", "title"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), REPORTS)
def test_reports(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 我局/我办/我镇 are not names; spam-replaced and masked names are dropped
        ("现将我局2017年政府信息公开工作年度报告如下。" + PERIOD.format(y=2017), (None, "none")),
        ("2019年，我镇全面贯彻落实《条例》。\n" + HEADINGS.format(y=2019), (None, "none")),
        (
            "本报告是根据《条例》要求，由北京市滚球体育app_188篮球比分-直播|官网:发展和改革委员会编制的2008年度"
            "政府信息公开年度报告。\n一、概述\n",
            (None, "none"),
        ),
        (
            "365bet网上娱乐_365BETAPP官网人民政府合作交流办公室\n2022年政府信息公开工作年度报告\n"
            "2022年，市合作交流办认真贯彻落实新修订的《条例》。",
            (None, "none"),
        ),
        (
            "2017年，澳门金沙城中心_欧洲杯足球网水务局严格按照《条例》规定。现将我局2017年政府信息公开工作年度报告如下。"
            + PERIOD.format(y=2017),
            (None, "none"),
        ),
        ("2020年，某***办认真贯彻落实《条例》。" + PERIOD.format(y=2020) + "本报告如下。", (None, "none")),
    ],
)
def test_no_agency(text, expected):
    f = recognize_report(text)
    assert f.is_report and (f.agency, f.agency_source) == expected


def test_bare_place_in_title_needs_a_matching_body():
    text = "田黄镇2021年政府信息公开工作年度报告\n" + PERIOD.format(y=2021)
    assert facts(text)[3:] == (None, "none")
    assert facts(text, registry_agency="田黄镇人民政府")[3:] == ("田黄镇人民政府", "registry")
    assert facts(text, registry_agency="石阳镇人民政府")[3:] == (None, "none")


def test_page_agency_and_registry_fill_in():
    text = "2023年度政府信息公开工作年度报告\n" + PERIOD.format(y=2023)
    assert facts(text, page_agency="安镕县教育局") == (True, 2023, "period", "安镕县教育局", "meta")
    assert facts(text, registry_agency="安镕县教育局") == (True, 2023, "period", "安镕县教育局", "registry")
    assert facts(text, page_agency="我局", registry_agency="安镕县教育局")[3:] == ("安镕县教育局", "registry")


def test_given_title_is_used_first():
    f = recognize_report(PERIOD.format(y=2022), title="高平市人民政府办公室2022年政府信息公开工作年度报告")
    assert f == ReportFacts(
        True,
        "",
        2022,
        "period",
        "高平市人民政府办公室",
        "title",
        "高平市人民政府办公室2022年政府信息公开工作年度报告",
    )
    excluded = recognize_report(HEADINGS.format(y=2023), title="安镕县2023年政府信息公开工作年度报告解读")
    assert (excluded.is_report, excluded.reason) == (False, "excluded:解读")


NOT_REPORTS = [
    # (text, reason)
    (
        "静海区2023年度法治政府建设情况报告\n来源:静海区人民政府办公室\n2023年，静海区坚持…。",
        "excluded:法治政府建设",
    ),
    ("2022年上半年政府信息公开数据统计\n2022年上半年，全区共受理政府信息公开申请267件。", "excluded:上半年"),
    (
        "国务院办公厅政府信息与政务公开办公室\n关于政府信息公开工作年度报告有关事项的通知\n国办公开办函〔2019〕60号\n",
        "excluded:有关事项的通知",
    ),
    (
        "国务院办公厅政府信息与政务公开办公室 关于印发《中华人民共和国政府信息公开工作 年度报告格式》的通知\n",
        "excluded:年度报告格式",
    ),
    (
        "武威市人民政府办公室关于做好2025年政府信息公开工作年度报告编制和发布工作的通知\n各县区：\n"
        "准确填写本年制发件数、本年废止件数、现行有效件数。",
        "excluded:通知",
    ),
    ("宣汉县人民政府办公室\n关于印发《2023年全县政务公开工作要点》的通知\n", "excluded:工作要点"),
    ("安阳县2023年政府信息公开工作年度报告第三方评估报告\n", "excluded:第三方评估"),
    (
        "《政府信息公开工作年度报告发布情况评估报告 2016》PDF下载\n•出版社:中国社会科学出版社\n",
        "excluded:年度报告发布情况评估",
    ),
    ("安镕县人民政府2023年政府信息公开工作年度报告(图解)\n" + HEADINGS.format(y=2023), "excluded:图解"),
    # no title line: the body decides
    (
        "国办公开办函〔2021〕30号\n各省、自治区、直辖市人民政府办公厅：\n现将修订后的《格式》印发给你们，请认真贯彻执行。\n"
        "一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n",
        "notice",
    ),
    (
        "每年3月31日，是政府信息公开工作年度报告的时间节点。\n2016年政府信息公开工作年度报告展示平台 来源:中国政府网\n"
        "中国社会科学院法学研究所向人民网记者提供了本次年报发布的初步监测分析结果。",
        "news",
    ),
    ("统计期限为2022年1月1日至6月30日。本报告如下。", "half-year"),
    ("政府网站工作年度报表\n各级各类政府网站要编制发布《政府网站工作年度报表》。", "no report evidence"),
    ("", "no report evidence"),
]


@pytest.mark.parametrize(("text", "reason"), NOT_REPORTS)
def test_not_reports(text, reason):
    f = recognize_report(text)
    assert (f.is_report, f.reason, f.year, f.agency) == (False, reason, None, None)


def test_traditional_text_after_cleaning_and_dropped_characters():
    from crawler.extract.cleaning import clean_text

    text = clean_text(
        "2010年度政府信息公開年度報告\n根據規定，現將我辦2010年度政府信息公開情況報告如下。"
    ).text
    assert facts(text) == (True, 2010, "title", None, "none")
    assert facts("本报告所列数据统计期限自202111日起至20211230日止。本报告如下。")[:3] == (
        True,
        2021,
        "period",
    )


# -- crawler/recognize/titles.py additions ---------------------------------------------------
@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("统计期限为2022年1月1日至6月30日。", None),  # half-year statistics
        ("数据统计时间段:2022年1月1日至2022年6月30日", None),
        ("统计期限为2022年1月1日至6月30日；全年统计期限自2022年1月1日起至2022年12月31日止。", 2022),
        ("统计期限为20211月1日至12月31日", 2021),
    ],
)
def test_period_year_half_year(text, year):
    from crawler.recognize.titles import period_year

    assert period_year(text) == year


@pytest.mark.parametrize(
    "title", ["2016年政府信息公开工作年度报告展示平台", "国务院部门政府信息公开工作年度报告集中展示"]
)
def test_showcase_pages_are_not_reports(title):
    from crawler.recognize.titles import recognize_title

    assert not recognize_title(title).is_report


def test_breadcrumbs_and_media_mentions():
    crumb = "首页>政务公开>政府信息公开年报>安镕县财政局2023年政府信息公开工作年度报告\n" + PERIOD.format(
        y=2023
    )
    f = recognize_report(crumb)
    assert (f.agency, f.title) == ("安镕县财政局", "安镕县财政局2023年政府信息公开工作年度报告")
    # an untitled report may mention 人民网 or 上半年 near the top; it cites the 60号 notice too
    untitled = (
        "根据《关于政府信息公开工作年度报告有关事项的通知》(国办公开办函〔2019〕60号)要求编制本报告。"
        + PERIOD.format(y=2020)
        + "\n"
        + HEADINGS.format(y=2020)
        + "上半年，我局在人民网、新华网发布信息20条。"
    )
    assert facts(untitled)[:3] == (True, 2020, "period")


def test_a_website_is_not_a_body():
    text = "2023年，政府门户网站认真贯彻落实《条例》。\n" + PERIOD.format(y=2023) + "本报告如下。"
    assert facts(text) == (True, 2023, "period", None, "none")


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (
            "根据《中华人民共和国政府信息公开工作年度报告格式》(国办公开办函〔2021〕30号)规定，现公布本报告。",
            "template2021",
        ),
        (
            "依据《关于印发中华人民共和国政府信息公开工作年度报告格式的通知》(国办公开办函[2021]30号)编制本报告。",
            "template2021",
        ),
        (
            "国务院办公厅政府信息与政务公开办公室欧洲五大联赛:印发<中华人民共和国政府信息公开工作年度报告格式>的通知",
            "template2021",
        ),
        ("按照《中华人民共和国政府信息公开工作年度报告格式(试行)》编制。", "template2019"),
        # 60号 is a procedural notice, not a format
        ("根据《关于政府信息公开工作年度报告有关事项的通知》(国办公开办函〔2019〕60号)的要求编制。", None),
        ("", None),
    ],
)
def test_cited_format(text, fmt):
    from crawler.recognize.report_text import cited_format

    assert cited_format(text) == fmt


# -- forms seen on real pages (issue 12): written here as synthetic text ------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a title running on into the body on one line, or printed twice
        (
            "某某县财政局2022年政府信息公开工作年度报告根据《条例》要求编制本报告。" + PERIOD.format(y=2022),
            (True, 2022, "period", "某某县财政局", "title"),
        ),
        (
            "某某市农业农村局2021年政府信息公开工作年度报告某某市农业农村局2021年政府信息公开工作年度报告\n"
            + PERIOD.format(y=2021),
            (True, 2021, "period", "某某市农业农村局", "title"),
        ),
        # metadata fields above the title are not titles; a labelled title is
        (
            "信息类别: 政府信息公开年报\n相关解读:\n某某镇人民政府2022年政府信息公开工作年度报告\n"
            + PERIOD.format(y=2022),
            (True, 2022, "period", "某某镇人民政府", "title"),
        ),
        (
            "标题: 某某区公安局2020年政府信息公开工作年度报告\n栏目: 政府信息公开年报\n"
            + PERIOD.format(y=2020),
            (True, 2020, "period", "某某区公安局", "title"),
        ),
        # a column name above the real title does not win over it
        (
            "某某市人民政府\n政府信息公开年报\n某某市审计局2023年政府信息公开工作年度报告\n"
            + PERIOD.format(y=2023),
            (True, 2023, "period", "某某市审计局", "title"),
        ),
    ],
)
def test_titles_among_page_furniture(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("本年度报告由某某县人民政府办公室组织编制。" + PERIOD.format(y=2022), "某某县人民政府办公室"),
        (
            "根据《条例》的要求，某某市某某区某某街道特编制2023年政府信息公开年度报告。"
            + PERIOD.format(y=2023),
            "某某市某某区某某街道",
        ),
        (
            "本年度报告根据《条例》编制。"
            + PERIOD.format(y=2021)
            + "如对本报告有疑问，可与某某市某某生态环境局联系。",
            "某某市某某生态环境局",
        ),
        (
            "依据《条例》第五十条规定，编制本报告。\n一、总体情况\n2024年，某某部坚持以习近平新时代中国特色社会主义思想为指导。"
            + PERIOD.format(y=2024),
            "某某部",
        ),
    ],
)
def test_the_body_named_in_the_first_sentences(text, agency):
    f = recognize_report(text)
    assert f.is_report and f.agency == agency


def test_a_quoted_title_introduces_an_untitled_report():
    text = (
        "根据《条例》要求，现发布《某某市2021年政府信息公开工作年度报告》。\n2021年，全市主动公开政府信息。"
    )
    f = recognize_report(text)
    assert f.is_report and f.year == 2021
    assert f.agency is None  # a bare place is not a body (tests/samples convention)


def test_its_own_table_of_contents_makes_an_untitled_text_a_report():
    text = (
        "本年度报告根据《条例》要求，由某某区人民政府办公室编制。全文包括引言、主动公开政府信息情况、"
        "依申请公开政府信息情况、政府信息公开类行政复议和行政诉讼情况以及存在的主要问题和改进措施等。"
    )
    f = recognize_report(text)
    assert f.is_report and f.agency == "某某区人民政府办公室"
    assert not recognize_report("本报告全文包括三个部分。会议要求各单位认真落实。").is_report


def test_a_region_wide_report_is_not_its_government_offices():
    """A title naming only the place is the region's report: the office that posted it (来源) or
    answers for it is a different body, so no body is named rather than the office."""
    text = "来源: 某某区政府办\n某某市某某区2023年政府信息公开工作年度报告\n" + PERIOD.format(y=2023)
    assert facts(text)[3:] == (None, "none")
    text = (
        "现公布某某县2022年政府信息公开工作年度报告。"
        + PERIOD.format(y=2022)
        + "请与某某县人民政府办公室联系。"
    )
    assert facts(text)[3:] == (None, "none")


def test_a_home_page_naming_its_column_is_no_report():
    """A site's home page (issue 15: `parse` called one a report): its menu and its column's
    name, no year and no body."""
    text = "首页 | 政府信息公开年报 | 站内搜索\n泰阳市自然资源局\n政府信息公开年报"
    f = recognize_report(text, title="泰阳市自然资源局")
    assert not f.is_report and f.reason == "no report text"


def test_an_untitled_2008_form_body_is_known_by_its_statutory_sections_whatever_their_numbers():
    body = (
        "我乡政府信息公开主要通过政府网站和公开栏发布。全年主动公开政府信息86条。\n"
        "三、政府信息依申请公开情况\n本年度未收到政府信息公开申请。\n"
        "四、政府信息公开的收费及减免情况\n本年度未收取任何费用。\n"
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况\n本年度未发生此类情况。\n"
        "六、存在的主要问题及改进措施\n公开内容还不够及时，下一步将加强培训。\n"
    )
    assert recognize_report(body).is_report
    summary = (  # a work summary with numbered headings, none of the report's own sections
        "一、主要工作\n全年开展政务公开培训3次。\n二、主动公开工作\n主动公开信息120条。\n"
        "三、下一步打算\n继续加强平台建设。\n"
    )
    assert not recognize_report(summary).is_report


def test_a_headline_naming_only_a_place_yields_to_the_documents_own_title_naming_its_body():
    text = (
        "某省2013年政府信息公开工作年度报告/全文\n"
        "2014年04月17日16:02 | 某新闻网\n"
        "某省人民政府办公厅2013年政府信息公开工作年度报告\n"
        "根据《中华人民共和国政府信息公开条例》的规定，现公布本报告。本报告中所列数据的统计期限自2013年1月1日起至2013年12月31日止。\n"
        "一、概述\n二、主动公开政府信息情况\n三、依申请公开政府信息情况\n"
    )
    facts = recognize_report(text)
    assert (facts.is_report, facts.year, facts.agency) == (True, 2013, "某省人民政府办公厅")


def test_a_title_followed_by_a_full_text_marker_is_still_the_title():
    text = "某省2011年度政府信息公开工作报告/全文\n\n2012年04月18日 | 某网\n一、基本情况\n全省主动公开信息14.9万条。\n"
    facts = recognize_report(text)
    assert (facts.is_report, facts.year, facts.place) == (True, 2011, "某省")
