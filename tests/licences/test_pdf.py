"""The licence PDF (issue 21, DESIGN §11) looks like a Chinese licence: the CJK font embedded (no font left
to the reader's machine), the dates written the Chinese way, the issuing authority and the date of issue at
the foot beside the QR code, and long contents kept inside the frame without running into each other."""

import datetime
import io
import types

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from licences import pdf

URL = "https://zwfw.example.gov.cn/licences/verify/?number=MZJ0012026000123&holder=%E9%98%B3%E5%85%89"
LONG_DEPT = "福建省福州市鼓楼区人民政府行政审批服务局（市场监督管理综合执法分局）"


def _licence(**changes):
    values = dict(
        title="食品经营许可证",
        number="SCJGJ2026000001",
        holder_name="福州市鼓楼区王小明餐饮店",
        fields=[{"label": "经营场所", "value": "福建省福州市鼓楼区五四路100号一层"}],
        scope="预包装食品销售（含冷藏冷冻食品）、热食类食品制售",
        valid_from=datetime.date(2026, 9, 25),
        valid_until=datetime.date(2031, 9, 24),
        issuing_department=types.SimpleNamespace(name="福州市鼓楼区市场监督管理局"),
        issued_on=datetime.date(2026, 9, 25),
    )
    values.update(changes)
    return types.SimpleNamespace(**values)


def _read(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    chunks: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            chunks.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text))

    text = page.extract_text(visitor_text=visit)
    return reader, page, text, chunks


def test_the_pdf_embeds_its_only_font_and_reads_like_a_licence(settings):
    reader, page, text, _chunks = _read(pdf.render(licence=_licence(), verify_url=URL))
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    # only the CJK font, embedded as subsets: no Helvetica left for the reader's machine to guess
    assert fonts
    for font in fonts:
        assert "+" in str(font["/BaseFont"]) and "WenQuanYi" in str(font["/BaseFont"]), font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"]
    flat = text.replace(" ", "")
    for expected in (
        "食品经营许可证",
        "编号：SCJGJ2026000001",
        "持证人",
        "福州市鼓楼区王小明餐饮店",
        "许可范围",
        "有效期限\n2026年9月25日至2031年9月24日",
        "发证机关：福州市鼓楼区市场监督管理局",
        "发证日期：2026年9月25日",
        "扫码核验真伪",
    ):
        assert expected in flat, expected
    assert "2026-09-25" not in text  # dates as a Chinese licence writes them
    (qr,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.images[0].data)))
    assert qr.text == URL


def test_long_contents_stay_in_the_frame_and_the_authority_clears_the_qr_code():
    licence = _licence(
        holder_name="福州市鼓楼区阳光社区养老服务中心有限责任公司",
        fields=[
            {"label": "住所（经营场所）", "value": "福建省福州市鼓楼区五四路100号一层至三层东侧商铺"},
            {"label": "经营面积（平方米）", "value": "350"},
            {"label": "字号名称", "value": ""},
        ],
        scope="预包装食品销售（含冷藏冷冻食品）、热食类食品制售、冷食类食品制售、自制饮品制售、"
        "生食类食品制售、糕点类食品制售（不含裱花蛋糕）、保健食品销售、特殊医学用途配方食品销售、"
        "婴幼儿配方乳粉销售、其他婴幼儿配方食品销售、散装食品销售、网络食品销售；养老服务；日间照料",
        valid_until=None,
        issuing_department=types.SimpleNamespace(name=LONG_DEPT),
    )
    _reader, _page, text, chunks = _read(pdf.render(licence=licence, verify_url=URL))
    width, height = A4
    for x, y, chunk in chunks:
        assert 15 * mm < x < width - 15 * mm and 15 * mm < y < height - 15 * mm, chunk
    flat = text.replace(" ", "").replace("\n", "")
    assert "2026年9月25日起长期有效" in flat and "网络食品销售" in flat
    assert "经营面积（平方米）" in flat and LONG_DEPT in flat
    # no line starts with a pause mark (行首禁则)
    assert not any(chunk.lstrip().startswith(("、", "，", "；", "）")) for _x, _y, chunk in chunks)
    # the value column starts after the longest label: "350" is drawn to the right of "经营面积（平方米）"
    label_x = next(x for x, _y, c in chunks if "经营面积" in c)
    value_x = next(x for x, _y, c in chunks if c.strip() == "350")
    assert value_x - label_x > 40 * mm
    # the authority's lines (right-aligned at the foot) start right of the QR code (32 mm + 36 mm wide)
    foot = [(x, c) for x, y, c in chunks if y < 80 * mm and ("发证机关" in c or "局" in c)]
    assert foot and all(x > 68 * mm for x, _c in foot), foot
