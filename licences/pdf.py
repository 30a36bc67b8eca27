"""The licence as a PDF (ReportLab): the type's title, the number, the printed fields, the validity and the
issuing department, with the CJK font embedded (a subset of it) and a QR code (segno) that leads to the
public verification page."""

import io
from typing import Any

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_NAME = "PortalCJK"
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def _font() -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path = getattr(settings, "LICENCE_FONT", DEFAULT_FONT)
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    return FONT_NAME


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (character by character: Chinese has no spaces)."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if pdfmetrics.stringWidth(line + ch, font, size) > width and line:
                lines.append(line)
                line = ch
            else:
                line += ch
        lines.append(line)
    return lines


def render(*, licence: Any, verify_url: str) -> bytes:
    font = _font()
    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{licence.title} {licence.number}")
    c.setAuthor(licence.issuing_department.name)
    c.setSubject(licence.number)
    c.setCreator("一窗受理政务服务平台")
    # frame
    c.setStrokeColorRGB(0.6, 0.1, 0.1)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    # title and number
    c.setFillColorRGB(0.55, 0.05, 0.05)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 50 * mm, licence.title)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 12)
    c.drawCentredString(width / 2, height - 62 * mm, f"{_('证照编号')}：{licence.number}")

    rows: list[tuple[str, str]] = [(_("持证人"), licence.holder_name)]
    rows += [(str(f.get("label", "")), str(f.get("value", ""))) for f in licence.fields or []]
    if licence.scope:
        rows.append((_("许可范围"), licence.scope))
    until = licence.valid_until.isoformat() if licence.valid_until else _("长期")
    rows.append((_("有效期限"), f"{licence.valid_from.isoformat()} {_('至')} {until}"))
    rows.append((_("发证机关"), licence.issuing_department.name))
    rows.append((_("发证日期"), licence.issued_on.isoformat()))

    y = height - 85 * mm
    left, label_w = 30 * mm, 35 * mm
    value_w = width - 60 * mm - label_w
    for label, value in rows:
        c.setFont(font, 13)
        c.drawString(left, y, label)
        for line in _wrap(value, font, 13, value_w):
            c.drawString(left + label_w, y, line)
            y -= 8 * mm
        y -= 3 * mm

    # QR code to the verification page
    size = 38 * mm
    qx, qy = width - 30 * mm - size, 28 * mm
    c.drawImage(ImageReader(io.BytesIO(qr_png(verify_url))), qx, qy, size, size)
    c.setFont(font, 9)
    c.drawCentredString(qx + size / 2, qy - 5 * mm, _("扫码核验真伪"))
    c.setFont(font, 9)
    c.drawString(30 * mm, 30 * mm, _("本证照可在政务服务网“证照核验”页面输入编号和持证人核验。"))
    c.showPage()
    c.save()
    return buf.getvalue()
