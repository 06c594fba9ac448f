"""OFD (GB/T 33190-2016): reading order, sniffing, routing, recognition and bad packages.

The packages are built here with zipfile in the shape real writers use: ``OFD.xml`` →
``Doc_0/Document.xml`` → ``Doc_0/Pages/Page_N/Content.xml``, the text objects written out of
reading order, some text split over several ``TextCode``s with ``DeltaX``.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from crawler.extract import extract_bytes, sniff
from crawler.extract.ofd import extract_ofd
from crawler.parse_file import parse_file

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
TITLE = "某县人民政府2023年政府信息公开工作年度报告"

OFD_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:OFD {NS} Version="1.0" DocType="OFD">
  <ofd:DocBody>
    <ofd:DocInfo><ofd:DocID>0c9e4f4a</ofd:DocID><ofd:Title>{TITLE}</ofd:Title></ofd:DocInfo>
    <ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>
  </ofd:DocBody>
</ofd:OFD>"""


def document_xml(pages: int) -> str:
    listed = "".join(f'<ofd:Page ID="{10 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(pages))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Document {NS}>
  <ofd:CommonData>
    <ofd:MaxUnitID>99</ofd:MaxUnitID>
    <ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>
    <ofd:PublicRes>PublicRes.xml</ofd:PublicRes>
  </ofd:CommonData>
  <ofd:Pages>{listed}</ofd:Pages>
</ofd:Document>"""


PUBLIC_RES = f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Res {NS} BaseLoc="Res"><ofd:Fonts>
<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>"""


def text_object(x: float, y: float, text: str, size: float = 4.0, split: int = 1) -> str:
    """One TextObject at (x, y) (its box's top left, mm): the text in ``split`` TextCodes, each
    with its X offset and a ``DeltaX`` of one font size per glyph, the baseline at Y = size."""
    codes = []
    step = -(-len(text) // split)
    for start in range(0, len(text), step):
        chunk = text[start : start + step]
        delta = f' DeltaX="g {len(chunk) - 1} {size}"' if len(chunk) > 1 else ""
        codes.append(f'<ofd:TextCode X="{start * size}" Y="{size}"{delta}>{chunk}</ofd:TextCode>')
    box = f"{x} {y} {len(text) * size} {size * 1.2}"
    return f'<ofd:TextObject ID="1" Boundary="{box}" Font="2" Size="{size}">{"".join(codes)}</ofd:TextObject>'


IMAGE = '<ofd:ImageObject ID="5" Boundary="20 20 170 257" ResourceID="6" CTM="170 0 0 257 0 0"/>'


def content_xml(*objects: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page {NS}><ofd:Content><ofd:Layer ID="3" Type="Body">
{"".join(objects)}
</ofd:Layer></ofd:Content></ofd:Page>"""


# Page 1, listed bottom-up and right-to-left: sorting must restore the reading order.
PAGE_1 = content_xml(
    text_object(120, 120, "12"),
    text_object(90, 120, "1"),
    text_object(60, 120, "3"),
    text_object(20, 120, "规范性文件"),
    text_object(120, 110, "0"),
    text_object(90, 110, "0"),
    text_object(60, 110, "0"),
    text_object(20, 110, "规章"),
    text_object(120, 100, "现行有效件数"),
    text_object(20, 100, "信息内容"),
    text_object(90, 100, "本年废止件数"),
    text_object(60, 100, "本年制发件数"),
    text_object(20, 90, "二、主动公开政府信息情况"),
    text_object(20, 80, "2023年，某县人民政府主动公开政府信息1250条。", split=4),
    text_object(20, 70, "一、总体情况"),
    text_object(20, 50, "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。", split=3),
    text_object(20, 40, "本报告根据《中华人民共和国政府信息公开条例》编制。"),
    IMAGE.replace("20 20 170 257", "180 10 20 20"),  # a logo: the page is not a scan
    text_object(20, 20, TITLE, size=6.0, split=5),
)
# Page 2: one TextObject holding two lines (the TextCode Y decides), a continuation TextCode
# without X/Y, and a line whose two halves sit in separate objects without a gap.
PAGE_2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page {NS}><ofd:Content><ofd:Layer ID="4">
<ofd:PageBlock ID="7">
{text_object(28, 50, "其他需要报告的事项")}
{text_object(20, 50, "六、")}
</ofd:PageBlock>
<ofd:TextObject ID="8" Boundary="20 20 170 20" Font="2" Size="4">
<ofd:TextCode X="0" Y="4" DeltaX="g 16 4">三、收到和处理政府信息公开申请情况</ofd:TextCode>
<ofd:TextCode X="0" Y="14" DeltaX="g 7 4">本年度无行政复议</ofd:TextCode>
<ofd:TextCode>。</ofd:TextCode>
</ofd:TextObject>
<ofd:TextObject ID="9" Boundary="20 40 100 5" Font="2" Size="4" CTM="0.5 0 0 0.5 0 0">
<ofd:TextCode X="0" Y="8" DeltaX="g 8 8">五、存在的主要问题</ofd:TextCode>
</ofd:TextObject>
</ofd:Layer></ofd:Content></ofd:Page>"""

EXPECTED = (
    f"{TITLE}\n"
    "本报告根据《中华人民共和国政府信息公开条例》编制。\n"
    "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。\n"
    "一、总体情况\n"
    "2023年，某县人民政府主动公开政府信息1250条。\n"
    "二、主动公开政府信息情况\n"
    "信息内容 本年制发件数 本年废止件数 现行有效件数\n"
    "规章 0 0 0\n"
    "规范性文件 3 1 12"
    "\f"
    "三、收到和处理政府信息公开申请情况\n"
    "本年度无行政复议。\n"
    "五、存在的主要问题\n"
    "六、其他需要报告的事项"
)


def ofd_package(
    parts: dict[str, str | bytes] | None = None,
    *,
    pages: tuple[str, ...] = (PAGE_1, PAGE_2),
    drop: tuple[str, ...] = (),
    level: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An OFD with ``pages`` (Content.xml texts); ``parts`` adds or replaces members, ``drop``
    leaves members out."""
    members: dict[str, str | bytes] = {
        "OFD.xml": OFD_XML,
        "Doc_0/Document.xml": document_xml(len(pages)),
        "Doc_0/PublicRes.xml": PUBLIC_RES,
        **{f"Doc_0/Pages/Page_{i}/Content.xml": page for i, page in enumerate(pages)},
        **(parts or {}),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=level) as zf:
        for name, body in members.items():
            if name not in drop:
                zf.writestr(name, body)
    return buf.getvalue()


OFD = ofd_package()


def test_text_in_reading_order_pages_by_form_feed() -> None:
    result = extract_ofd(OFD)
    assert (result.status, result.error) == ("ok", None)
    assert result.text == EXPECTED
    assert (result.pages, result.file_type, result.extractor, result.ocr) == (2, "ofd", "ofd", False)
    assert result.version.startswith("lxml ") and result.tables == []


def test_extract_bytes_routes_ofd() -> None:
    assert extract_bytes(OFD) == extract_ofd(OFD)
    labelled = extract_bytes(OFD, content_type="application/ofd", url="http://x.gov.cn/a.docx")
    assert (labelled.status, labelled.file_type, labelled.text) == ("ok", "ofd", EXPECTED)


def test_parse_file_recognises_the_report() -> None:
    parsed = parse_file(OFD, url="http://x.gov.cn/a.ofd")
    assert parsed["extraction"]["status"] == "ok" and parsed["extraction"]["file_type"] == "ofd"
    assert parsed["extraction"]["pages"] == 2
    assert parsed["is_annual_report"] is True and parsed["report_year"] == 2023


def test_several_documents_absolute_and_relative_locations() -> None:
    ofd_xml = OFD_XML.replace(
        "</ofd:OFD>",
        "<ofd:DocBody><ofd:DocRoot>/Doc_1/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
    )
    second = document_xml(1).replace("Pages/Page_0/Content.xml", "/Doc_1/Pages/Page_0/Content.xml")
    data = ofd_package(
        {
            "OFD.xml": ofd_xml,
            "Doc_1/Document.xml": second,
            "Doc_1/Pages/Page_0/Content.xml": content_xml(text_object(20, 20, "附件：统计表")),
        }
    )
    result = extract_ofd(data)
    assert result.status == "ok" and result.pages == 3
    assert result.text == EXPECTED + "\f附件：统计表"


def test_no_namespace_and_case_insensitive_names() -> None:
    plain = content_xml(text_object(20, 30, "第二行"), text_object(20, 20, "第一行")).replace("ofd:", "")
    data = ofd_package(
        {"ofd.XML": OFD_XML, "Doc_0/Pages/Page_0/Content.xml": plain}, pages=(PAGE_1,), drop=("OFD.xml",)
    )
    assert sniff(data) == "ofd"
    result = extract_bytes(data)
    assert (result.status, result.text, result.pages) == ("ok", "第一行\n第二行", 1)


@pytest.mark.parametrize(
    ("ctype", "url"),
    [
        (None, None),
        (None, "http://x.gov.cn/a.ofd"),
        ("application/ofd", None),
        (None, "a.docx"),
        (None, "a.xlsx"),
    ],
)
def test_sniff_by_content(ctype: str | None, url: str | None) -> None:
    assert sniff(OFD, ctype, url) == "ofd"


def test_sniff_by_name_and_type() -> None:
    truncated = OFD[: len(OFD) // 2]
    assert sniff(truncated) == "ofd"  # the local header of OFD.xml survives the cut
    headless = b"PK\x03\x04" + b"\x00" * 100
    assert sniff(headless, None, "http://x.gov.cn/P020240101.ofd") == "ofd"
    assert sniff(headless, "application/ofd; charset=binary") == "ofd"
    assert sniff(headless) == "zip"
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert sniff(docx.getvalue(), "application/ofd", "a.ofd") == "docx"


def test_truncated_package() -> None:
    truncated = OFD[: len(OFD) // 2]
    for result in (extract_ofd(truncated), extract_bytes(truncated), extract_bytes(truncated, url="a.ofd")):
        assert (result.status, result.file_type) == ("error", "ofd")
        assert result.error == "damaged OFD: File is not a zip file"


def test_zip_without_ofd_xml() -> None:
    data = ofd_package(drop=("OFD.xml",))
    result = extract_ofd(data)
    assert (result.status, result.error) == (
        "error",
        "damaged OFD: no OFD.xml in the ZIP (not an OFD package)",
    )
    assert sniff(data, None, "a.ofd") == "zip"  # a plain ZIP by content: not routed to the OFD reader


def test_missing_document_and_page() -> None:
    no_doc = extract_bytes(ofd_package(drop=("Doc_0/Document.xml",)))
    assert (no_doc.status, no_doc.error) == (
        "error",
        "damaged OFD: document 'Doc_0/Document.xml' named in OFD.xml is missing",
    )
    no_page = extract_bytes(ofd_package(drop=("Doc_0/Pages/Page_1/Content.xml",)))
    assert (no_page.status, no_page.error) == (
        "error",
        "damaged OFD: page 2 of Doc_0/Document.xml (Pages/Page_1/Content.xml) is missing",
    )
    no_root = extract_bytes(ofd_package({"OFD.xml": f"<ofd:OFD {NS}><ofd:DocBody/></ofd:OFD>"}))
    assert (no_root.status, no_root.error) == (
        "error",
        "damaged OFD: OFD.xml names no document (no DocBody/DocRoot)",
    )


def test_malformed_xml() -> None:
    result = extract_bytes(ofd_package({"Doc_0/Pages/Page_0/Content.xml": "<ofd:Page><unclosed"}))
    assert result.status == "error" and result.file_type == "ofd"
    assert result.error.startswith("damaged OFD: Doc_0/Pages/Page_0/Content.xml is not well-formed XML: ")


def test_entity_bomb() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">]><ofd:Page>&a;</ofd:Page>'
    result = extract_bytes(ofd_package({"Doc_0/Pages/Page_1/Content.xml": bomb}))
    assert (result.status, result.error) == (
        "error",
        "XML entity bomb guard: Doc_0/Pages/Page_1/Content.xml declares a DOCTYPE/ENTITY, "
        "which OFD never does",
    )


def test_zip_bomb_entry() -> None:
    padded = PAGE_1.replace("<ofd:Content>", "<ofd:Content>" + " " * 30_000_000)
    bomb = ofd_package({"Doc_0/Pages/Page_0/Content.xml": padded})
    assert len(bomb) < 100_000
    result = extract_bytes(bomb)
    assert (result.status, result.file_type) == ("error", "ofd")
    assert result.error.startswith("zip bomb guard: Doc_0/Pages/Page_0/Content.xml inflates ")


def test_image_only_pages_need_ocr() -> None:
    scan = content_xml(IMAGE)
    result = extract_bytes(ofd_package(pages=(scan, scan)), ocr=True)
    assert (result.status, result.pages, result.text, result.file_type) == ("needs_ocr", 2, "", "ofd")
    assert result.error == (
        "2 of 2 pages have no text, only images (a scan); OCR of OFD page images is not implemented"
    )
    mixed = extract_ofd(ofd_package(pages=(PAGE_1, scan)))
    assert (mixed.status, mixed.pages) == ("needs_ocr", 2)
    assert mixed.text == EXPECTED.split("\f")[0] and mixed.error.startswith("1 of 2 pages")


def test_blank_pages_are_empty_not_scans() -> None:
    result = extract_ofd(ofd_package(pages=(content_xml(),)))
    assert (result.status, result.error, result.pages) == ("empty", "no text found", 1)


def test_delta_x_repeat_is_bounded_by_the_text() -> None:
    page = content_xml(
        '<ofd:TextObject ID="1" Boundary="20 20 100 5" Size="4">'
        '<ofd:TextCode X="0" Y="4" DeltaX="g 1e12 4 g inf x">年度报告</ofd:TextCode></ofd:TextObject>'
    )
    result = extract_ofd(ofd_package(pages=(page,)))
    assert (result.status, result.text) == ("ok", "年度报告")
