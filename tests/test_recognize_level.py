"""The level of a body, or of a region-wide report's place, from its name (synthetic names)."""

from __future__ import annotations

import pytest

from crawler.recognize.level import LEVELS, level_of


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("教育部", "state_council_dept"),
        # cities whose names end in 城 and districts named 城区, a 州 inside a county's name, a
        # county followed by 市场监督管理局 (real bodies the earlier rules misread)
        ("盐城市人民政府", "city"),
        ("聊城市东昌府区教育局", "county_dept"),
        ("北京市东城区人民政府", "county"),
        ("江州县林业局", "county_dept"),
        ("通州区人民政府", "county"),
        ("宝盛县市场监督管理局", "county_dept"),
        ("海淀区市场监督管理局", "county_dept"),
        ("杭州市城市管理局", "city_dept"),
        ("海关总署", "state_council_dept"),
        ("某某省人民政府", "province"),
        ("某某自治区", "province"),
        ("北京市人民政府", "province"),
        ("某某省教育厅", "province_dept"),
        ("重庆市人民政府办公厅", "province_dept"),
        ("北京市教育委员会", "province_dept"),
        ("某某市人民政府", "city"),
        ("某某白族自治州", "city"),
        ("某某盟审计局", "city_dept"),
        ("某某市财政局", "city_dept"),
        ("某某市某某区人民政府", "county"),
        ("北京市某某区", "county"),
        ("某某旗", "county"),
        ("某某县人民政府办公室", "county_dept"),
        ("某某市某某县教育局", "county_dept"),
        ("某某镇人民政府", "township"),
        ("某某区某某街道办事处", "township"),
        ("某某旗某某苏木", "township"),
        ("某某高新区", "other"),
    ],
)
def test_levels(name, level):
    assert level_of(name) == level


@pytest.mark.parametrize("name", ["", "某", "我局", "政府信息公开年报"])
def test_unreadable_names_give_none(name):
    assert level_of(name) is None


def test_every_answer_is_a_registry_level():
    from crawler.vocab.words import LEVELS as REGISTRY_LEVELS

    assert set(LEVELS) == set(REGISTRY_LEVELS)
