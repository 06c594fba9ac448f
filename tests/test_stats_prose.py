"""Labelled quantities in report prose (domain.md §2 free-form indicators, §6.8)."""

from __future__ import annotations

import pytest

from crawler.stats.prose import Quantity, cn_number, narrative_numbers, proactive_parts


def values(text: str) -> dict[str, tuple]:
    return {k: (q.value, q.approximate) for k, q in narrative_numbers(text).items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年，主动公开政府信息63条。", {"proactive_disclosures": (63, False)}),
        ("全年主动公开政府信息1.53万条。", {"proactive_disclosures": (15300, False)}),
        ("全年主动公开政府信息800余条。", {"proactive_disclosures": (800, True)}),
        ("主动公开政府信息755多条。", {"proactive_disclosures": (755, True)}),
        ("主动公开政府信息约1200条。", {"proactive_disclosures": (1200, True)}),
        (
            "主动公开政府信息173769万条。",
            {"proactive_disclosures": (1_737_690_000, True)},
        ),  # stray 万: never exact
        ("区统计局主动公开政府信息共148篇。", {"proactive_disclosures": (148, False)}),
        ("市政府办公室共发布各类主动公开信息96件。", {"proactive_disclosures": (96, False)}),
        ("全镇通过政府门户网站累计主动公开政府信息51条。", {"proactive_disclosures": (51, False)}),
        # the year's count, not the running total
        (
            "截至2010年底，我局主动公开政府信息历年累计52条，其中2010年新增主动公开政府信息14条。",
            {"proactive_disclosures": (14, False)},
        ),
        ("截至目前共发布592条信息，2019年公开政府信息60条。", {"proactive_disclosures": (60, False)}),
        ("全年共公开信息253条。", {"proactive_disclosures": (253, False)}),
        # website / new-media posts are not the proactive total
        ("通过门户网站公开信息2017条，通过微信公众号等新媒体公开信息1039条。", {}),
        ("全年通过政府门户网站发布信息3091条，“番禺政府网”微信公众号推送各类信息750条。", {}),
        (
            "共制作政府信息3021条，其中主动公开信息1027条，依申请公开信息459条，不予公开信息1535条。",
            {"proactive_disclosures": (1027, False)},
        ),
    ],
)
def test_proactive(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年，本机关收到4件政府信息公开申请。", {"requests_received": (4, False)}),
        (
            "2024年，区统计局新收到依申请公开政府信息5件，上年结转申请0件，结转下年度继续办理0件。",
            {"requests_received": (5, False), "requests_carried_over": (0, False)},
        ),
        (
            "2022年全市共收到政府信息申请公开件658件，因政府信息公开引起的行政复议22件、行政诉讼案件1件。",
            {
                "requests_received": (658, False),
                "reconsideration_total": (22, False),
                "litigation_total": (1, False),
            },
        ),
        (
            "本年度共收到政府信息公开申请十二件，上年结转两件。",
            {"requests_received": (12, False), "requests_carried_over": (2, False)},
        ),
        (
            "全年受理依申请公开3件，同意公开2件，同意部分公开1件，不予公开0件。",
            {
                "requests_received": (3, False),
                "replies_granted": (2, False),
                "replies_partial": (1, False),
                "replies_refused": (0, False),
            },
        ),
        # 办理 counts may include carried-over requests: never read as received
        (
            "2024年共办理政府信息公开申请80件，同比增长5.26%；上年结转2件，结转下年办理8件。",
            {"requests_handled": (80, False), "requests_carried_over": (2, False)},
        ),
        (
            "2023年共收到政府信息公开申请25件(含上年结转3件)。",
            {"requests_handled": (25, False), "requests_carried_over": (3, False)},
        ),
        # none received
        ("2018年，我单位未收到任何要求政府信息公开申请。", {"requests_received": (0, False)}),
        ("全年未接到公民、法人和其他组织提出的政府信息公开申请。", {"requests_received": (0, False)}),
        ("2012年度，本单位未收到申请公开政府信息件。", {"requests_received": (0, False)}),
        ("2021年，我乡无依申请公开政府信息事项。", {"requests_received": (0, False)}),
        ("没有收到过相关申请。", {"requests_received": (0, False)}),
        # only one kind of applicant, or letters rather than requests: not stated
        ("2021年度，未收到法人或者其他组织对依申请公开政府信息的申请。", {}),
        ("2023年，全年未收到依申请公开来信，无意见投诉情况。", {}),
        # not FOI counts at all
        ("全年收到群众来信12件，受理12345热线工单300件，办理人大建议5件、政协提案3件。", {}),
        ("收到政府信息公开申请数量比上年增加5件。", {}),
        ("全年诉求工作，中心网站、微博共办理66余件，市长信箱及市长公开电话等35件。", {}),
    ],
)
def test_requests(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "因政府信息公开申请被行政复议5宗、行政诉讼0宗，其中2宗维持原答复，1宗结果纠正，1宗其他结果，1宗尚未审结。",
            {
                "reconsideration_total": (5, False),
                "reconsideration_upheld": (2, False),
                "reconsideration_corrected": (1, False),
                "reconsideration_other": (1, False),
                "litigation_total": (0, False),
            },
        ),
        (
            "2018年，我单位未出现因政府信息公开申请行政复议和提起行政诉讼的情况。",
            {"reconsideration_total": (0, False), "litigation_total": (0, False)},
        ),
        (
            "我办2010年度未发生针对本部门有关政府信息公开事务的行政复议案件和行政诉讼案件。",
            {"reconsideration_total": (0, False), "litigation_total": (0, False)},
        ),
        (
            "2012年，我局未收到政府信息公开投诉及因政府信息公开提起行政诉讼和行政申诉情况。",
            {"litigation_total": (0, False)},
        ),
        (
            "四、因政府信息公开申请行政复议、提起行政诉讼情况\n本年度发生行政复议两件，行政诉讼一件。",
            {"reconsideration_total": (2, False), "litigation_total": (1, False)},
        ),
        (
            "2023年，因政府信息公开工作被申请行政复议和提起行政诉讼均为0件。",
            {"reconsideration_total": (0, False), "litigation_total": (0, False)},
        ),
        # not about disclosure
        ("全年办理行政复议案件36件，行政处罚1472件。", {}),
        ("尚未审结1件。", {}),
    ],
)
def test_reconsideration_and_litigation(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2025年全市实际收取信息处理费共计400元，减免费用100元。",
            {"fees_collected": (400, False), "fees_waived": (100, False)},
        ),
        (
            "全年未涉及政府信息公开的收费及减免情况。",
            {"fees_collected": (0, False), "fees_waived": (0, False)},
        ),
        ("本机关未收取任何费用。", {"fees_collected": (0, False)}),
    ],
)
def test_fees(text, expected):
    assert values(text) == expected


def test_period_year_and_table_rows_left_alone():
    text = (
        "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。\n"
        "一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |\n行政处罚 | 1472 |"
    )
    assert values(text) == {"period_year": (2021, False)}


def test_quantity_keeps_the_phrase_and_unit():
    q = narrative_numbers("全年主动公开政府信息800余条。")["proactive_disclosures"]
    assert q == Quantity(800, True, "主动公开政府信息800余条", "条")
    assert narrative_numbers("收取信息处理费1.2万元。")["fees_collected"] == Quantity(
        12000, False, "收取信息处理费1.2万元", "元"
    )  # in 元


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "2023年，主动公开政府信息63条，其中，组织机构类信息16条，动态类信息36条，预决算信息5条，其他信息5条。",
            [16, 36, 5, 5],
        ),
        (
            "2024年，区统计局主动公开政府信息共148篇，其中发布统计报告25篇、统计数据11期、工作动态112篇。",
            [25, 11, 112],
        ),
        (
            "主动公开信息27条，其中概况信息1条、法制新聞12条，其中主站采用15条。",
            [1, 12],
        ),  # a second 其中 is another split
        ("主动公开政府信息63条。其中组织机构类16条。", []),
        ("没有主动公开的数字。", []),
    ],
)
def test_proactive_parts(text, parts):
    assert [q.value for q in proactive_parts(text)] == parts


@pytest.mark.parametrize(
    ("s", "n"),
    [
        ("零", 0),
        ("一", 1),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("三千二百", 3200),
        ("十二条", None),
        ("", None),
    ],
)
def test_cn_number(s, n):
    assert cn_number(s) == n


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a qualifier between 主动公开 and (政府)信息 / 文件
        (
            "2021年主动公开各类财务信息320条，受理政府信息公开申请6件。",
            {"proactive_disclosures": (320, False), "requests_received": (6, False)},
        ),
        ("全年累计主动公开本局政府信息88条。", {"proactive_disclosures": (88, False)}),
        ("全年通过门户网站主动公开各类文件57件。", {"proactive_disclosures": (57, False)}),
        ("本年度主动公开信息数为31条。", {"proactive_disclosures": (31, False)}),
        ("政务公开专栏共主动发布政府信息212条。", {"proactive_disclosures": (212, False)}),
        # an enumeration closed by 等
        (
            "全年主动公开规划计划、财政预决算、人事任免等在内的信息74条。",
            {"proactive_disclosures": (74, False)},
        ),
        # a bare total with 各类 / 公布
        ("全年共公开各类信息640条，其中工作动态300条。", {"proactive_disclosures": (640, False)}),
        ("本年度共公布政府信息915条。", {"proactive_disclosures": (915, False)}),
        # a category inside a breakdown is a part, not the total
        (
            "全年公开各类信息500条，其中工作动态信息300篇、法定主动公开信息200篇。",
            {"proactive_disclosures": (500, False)},
        ),
        (
            "共公布政府信息700条（其中规划类信息40条，其他应主动公开政府信息660条）。",
            {"proactive_disclosures": (700, False)},
        ),
        # the share of a total split by how it is disclosed (a later 依申请 clause does not void it)
        (
            "全年共制发政府信息300条，其中主动公开政府信息90条（含规范性文件类5条）、依申请公开150条、不予公开60条。",
            {"proactive_disclosures": (90, False)},
        ),
        # the first bare count is the sum of the others
        (
            "全市累计公开政府信息1500条。市政府网站公开政府信息600条，各部门共公开各类政府信息900条。",
            {"proactive_disclosures": (1500, False)},
        ),
        # a running total is not the year's count
        (
            "截至目前，我局累计主动公开本局政府信息900条，其中2020年度共主动公开政府信息120条。",
            {"proactive_disclosures": (120, False)},
        ),
    ],
)
def test_proactive_more_phrasings(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年度我局共收到8件依申请公开，均按时答复。", {"requests_received": (8, False)}),
        ("本年度共收到依申请公开11条，均已办结。", {"requests_received": (11, False)}),
        ("我局共收到6份政府信息依申请公开事项。", {"requests_received": (6, False)}),
        ("本年收到政府信息公开申请3条，均为自然人。", {"requests_received": (3, False)}),
        ("我局2022年度依申请公开申请数为15件。", {"requests_received": (15, False)}),
        ("2023年，全年未接收到政府信息公开申请。", {"requests_received": (0, False)}),
        (
            "新受理政府信息公开申请9件，上年转结政府信息公开申请0件。",
            {"requests_received": (9, False), "requests_carried_over": (0, False)},
        ),
        (
            "新收政府信息公开申请40件，结转上年政府信息公开申请2件。",
            {"requests_received": (40, False), "requests_carried_over": (2, False)},
        ),
        # a slogan with a Chinese numeral is no count
        ("建立登记受理、第一时间回复申请的“三个一”工作机制。", {}),
    ],
)
def test_requests_more_phrasings(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "(二)依申请公开情况\n2022年共收到申请10件。2022年度发生行政复议案件2件，行政诉讼案件1件。",
            {
                "requests_received": (10, False),
                "reconsideration_total": (2, False),
                "litigation_total": (1, False),
            },
        ),
        (
            "本年度收到有关政府信息公开的行政复议申请4件，发生3起关于政府信息公开的行政诉讼案件。",
            {"reconsideration_total": (4, False), "litigation_total": (3, False)},
        ),
        (
            "2016年度未发生针对政府信息公开事务的复议、诉讼和申诉。",
            {"reconsideration_total": (0, False), "litigation_total": (0, False)},
        ),
        # the header of Table C run into the text is no statement
        ("政府信息公开行政复议、行政诉讼情况 未经复议直接起诉 复议后起诉", {}),
    ],
)
def test_cases_more_phrasings(text, expected):
    assert values(text) == expected
