"""Builders of the golden inputs (also used at test time for the generated, non-golden files)."""

from __future__ import annotations

import io

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SCAN_LINES = [
    "某某市人民政府办公室2023年政府信息公开工作年度报告",
    "一、总体情况",
    "2023年，我市认真贯彻落实政府信息公开条例，",
    "主动公开政府信息1250条，收到政府信息公开申请86件。",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


def scan_image(lines: list[str] = SCAN_LINES, dpi: int = 200):
    """An A4-ish white page with the lines drawn in WenQuanYi Micro Hei (a 'scan')."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, size=int(dpi * 0.16))
    y = int(dpi * 0.8)
    for line in lines:
        draw.text((int(dpi * 0.8), y), line, font=font, fill=0)
        y += int(dpi * 0.32)
    return img


def scan_pdf(pages: int = 1, lines: list[str] = SCAN_LINES) -> bytes:
    """A PDF whose pages are only images (no text layer)."""
    imgs = [scan_image(lines) for _ in range(pages)]
    buf = io.BytesIO()
    imgs[0].save(buf, format="PDF", resolution=200, save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def _doc():
    from portalsim.content import report_document

    return report_document(7, 3, 2023, 0)


def report_html(encoding: str = "utf-8") -> bytes:
    """A TRS-style detail page: nav, breadcrumb, metadata, the report in .TRS_Editor with
    2021-format tables (rowspan/colspan), 纠错 and print widgets, a footer with a badge."""
    from portalsim.documents import blocks_html

    doc = _doc()
    charset = "gb2312" if encoding != "utf-8" else "utf-8"
    page = f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>{doc["title"]}_某某区人民政府</title>
<script>var trs = "nav";</script><style>.x{{color:red}}</style></head><body>
<div class="header"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
<div class="nav"><ul><li>机构概况</li><li>政策文件</li><li>年度报告</li></ul></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div>
<table class="xxgk_table"><tr><td>索引号：</td><td>11350100/2024-00012</td><td>发布机构：</td><td>{doc["agency"]}</td></tr></table>
<h1>{doc["title"]}</h1>
<div class="info">发布日期：2024-01-20 字号：[大] [中] [小]</div>
<div class="TRS_Editor">
{blocks_html(doc["blocks"])}
</div>
<div class="share">分享到：微信 微博</div>
<div><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="footer">主办单位：某某区人民政府办公室 版权所有 网站标识码1234567890
<span id="_ideConac"><script src="//dcs.conac.cn/js/33/000/0000/60000000/CA330000000600000000000.js"></script></span>
<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html">我要纠错</a></div>
</body></html>"""
    return page.encode("gb18030" if encoding != "utf-8" else "utf-8")


def report_pdf() -> bytes:
    """The simulator's reportlab PDF (STSong-Light, not embedded) of a 2021-format report."""
    from portalsim.documents import pdf_bytes

    return pdf_bytes(_doc())


def report_rtf() -> bytes:
    """The simulator's "DOC" (really RTF with \\uNNNN? escapes)."""
    from portalsim.documents import rtf_bytes

    return rtf_bytes(_doc())


def gbk_rtf() -> bytes:
    r"""RTF as Chinese Word writes it: \ansicpg936 and GBK bytes as \'xx escapes, a Latin font."""

    def esc(s: str) -> str:
        return "".join(ch if ord(ch) < 128 else "".join(f"\\'{b:02x}" for b in ch.encode("gbk")) for ch in s)

    body = "\\par\n".join(
        esc(line) for line in ["2023年政府信息公开工作年度报告", "一、总体情况", "主动公开政府信息120条。"]
    )
    return (
        "{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}"
        "{\\f1\\fnil\\fcharset134 \\'cb\\'ce\\'cc\\'e5;}}\\f0 " + body + "\\par}"
    ).encode("ascii")


def report_docx() -> bytes:
    """A .docx made with python-docx: headings, paragraphs and a table with merged cells."""
    import docx

    d = docx.Document()
    d.add_heading("某某县财政局2023年政府信息公开工作年度报告", level=1)
    d.add_paragraph("一、总体情况")
    d.add_paragraph("2023年，我局主动公开政府信息56条。")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).merge(t.cell(1, 0)).text = "本列数据的勾稽关系"
    t.cell(0, 1).merge(t.cell(0, 3)).text = "申请人情况"
    for c, label in enumerate(["自然人", "法人或其他组织", "总计"], start=1):
        t.cell(1, c).text = label
    for r, (label, *nums) in enumerate(
        [
            ("一、本年新收政府信息公开申请数量", "5", "1", "6"),
            ("二、上年结转政府信息公开申请数量", "0", "0", "0"),
        ],
        start=2,
    ):
        for c, value in enumerate([label, *nums]):
            t.cell(r, c).text = value
    d.add_paragraph("六、其他需要报告的事项")
    d.add_paragraph("本年度未收取信息处理费。")
    d.core_properties.created = __import__("datetime").datetime(2024, 1, 1)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


GOLDEN = {  # name → builder; the expected text is <name>.txt
    "report_2021.html": report_html,
    "report_gbk.html": lambda: report_html("gbk"),
    "report.pdf": report_pdf,
    "report_rtf.doc": report_rtf,
    "report_gbk.rtf": gbk_rtf,
    "report.docx": report_docx,
}
