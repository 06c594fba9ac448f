"""crawler.registry.regions (the code table, a body's region from its name) and
crawler.registry.placed (a source's region and where it came from)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler.registry.placed import FROM_NAME, FROM_REGISTRY, place, place_sources
from crawler.registry.regions import (
    UNDER_SUPERIOR,
    UNIQUE,
    describe,
    is_within,
    level_of_code,
    name_of,
    names,
    parent,
    region_of,
)
from crawler.registry.sources import load_sources


@pytest.mark.parametrize(
    "agency, code, place",
    [
        ("长沙市芙蓉区人民政府", "430102", "芙蓉区"),
        ("湖南省教育厅", "430000", "湖南省"),
        ("浏阳市人民政府", "430181", "浏阳市"),
        ("湖南省长沙市人民政府", "430100", "长沙市"),
        ("北京市东城区人民政府", "110101", "东城区"),
        ("天津市发展和改革委员会", "120000", "天津市"),
        ("国家税务总局湖南省税务局", "430000", "湖南省"),
        ("湖北省仙桃市人民政府", "429004", "仙桃市"),  # 省直辖: no city between
        ("吉林省吉林市人民政府", "220200", "吉林市"),
        ("重庆市渝北区人民政府", "500112", "渝北区"),
        ("科尔沁右翼中旗人民政府", "152222", "科尔沁右翼中旗"),
        ("黔南布依族苗族自治州民政局", "522700", "黔南布依族苗族自治州"),
        ("湘西州人民政府", "433100", "湘西州"),  # the short form of an autonomous prefecture
        ("城步县人民政府", "430529", "城步县"),  # …and of an autonomous county
        ("广西壮族自治区教育厅", "450000", "广西壮族自治区"),
        ("湖北省荆州市公安县人民政府", "421022", "公安县"),
        ("長沙市芙蓉區人民政府", "430102", "芙蓉区"),  # traditional characters
        ("陕西省咸阳市乾县人民政府", "610424", "乾县"),  # 乾 is not 干 here
        ("湖南省人民政府驻北京办事处", "430000", "湖南省"),  # a later place is what it deals with
    ],
)
def test_region_of_real_names(agency, code, place):
    found = region_of(agency)
    assert found is not None and (found.code, found.place) == (code, place)


@pytest.mark.parametrize(
    "agency",
    [
        "新华区人民政府",  # 石家庄, 沧州, 平顶山
        "朝阳区人民政府",  # 北京, 长春
        "鼓楼区人民政府",
        "城区人民政府",  # a two-character district name needs its superior, even where unique
        "东区人民政府",
        "湖南省朝阳区人民政府",  # the places do not nest
        "湖南省北京市人民政府",
        "中华人民共和国退役军人事务部",  # no place
        "武汉东湖新技术开发区管理委员会",
        "",
        None,
    ],
)
def test_region_of_never_guesses(agency):
    assert region_of(agency) is None


def test_a_shared_name_is_placed_by_its_superior():
    assert region_of("石家庄市新华区人民政府") == ("130105", "新华区", UNDER_SUPERIOR)
    assert region_of("沧州市新华区人民政府").code == "130902"
    assert region_of("北京市朝阳区人民政府").code == "110105"
    assert region_of("阳泉市城区人民政府").code == "140302"
    assert region_of("宁波市江北区住房和城乡建设局").code == "330205"
    assert region_of("重庆市江北区人民政府").code == "500105"
    assert region_of("浏阳市人民政府").how == UNIQUE


def test_the_shipped_registry_agrees_with_the_names():
    """Every shipped source whose name places it is placed where the registry says."""
    checked = 0
    for source in load_sources():
        found = region_of(source.agency)
        if found and source.region:
            assert found.code == source.region, source.agency
            checked += 1
    assert checked >= 50


def test_codes_levels_parents_and_names():
    assert len(names()) > 3000 and names()["430102"] == "芙蓉区"
    assert [level_of_code(c) for c in ("430000", "430100", "430102")] == ["province", "city", "county"]
    assert parent("430102") == "430100" and parent("430100") == "430000" and parent("430000") is None
    assert parent("110105") == "110000"  # a municipality's district: no city in between
    assert parent("429004") == "420000"
    assert is_within("430102", "430000") and is_within("430102", "430100")
    assert not is_within("430102", "430102") and not is_within("420102", "430000")
    assert name_of("430181") == "浏阳市" and name_of("430199") is None
    with pytest.raises(ValueError):
        level_of_code("43")


def test_describe():
    d = describe("430102")
    assert (d.province, d.city, d.county) == ("湖南省", "长沙市", "芙蓉区")
    assert d.name == "湖南省长沙市芙蓉区" and d.own_name == "芙蓉区"
    b = describe("110105")
    assert (b.province, b.city, b.county, b.name) == ("北京市", None, "朝阳区", "北京市朝阳区")
    assert describe("430000").name == "湖南省" and describe("430000").own_name == "湖南省"
    assert describe("110100").name == "北京市"  # a code the table lacks, under a province it has
    assert describe("990100") is None


def test_a_source_without_region_is_placed_from_its_name_and_says_so():
    shipped = load_sources()
    given = next(s for s in shipped if s.region == "430000")
    assert place(given).region_source == FROM_REGISTRY and place(given).region == "430000"
    bare = replace(given, region=None)
    placed = place(bare)
    assert (placed.region, placed.region_source) == ("430000", FROM_NAME)
    assert placed.as_dict()["region_name"] == "湖南省" and placed.as_dict()["region_source"] == FROM_NAME
    unknown = replace(given, region=None, agency="新华区人民政府", other_names=("石家庄市新华区人民政府",))
    assert place(unknown).region == "130105"  # read from another name when the agency does not place it
    nowhere = replace(given, region=None, agency="海关总署", other_names=())
    assert place(nowhere).region is None and place(nowhere).region_source is None
    assert len(place_sources(shipped)) == len(shipped)
