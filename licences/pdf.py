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
BREAK_AFTER = "、，；,; ）)"
NO_LINE_START = "、，。；：！？）》」』”,.;:!?)"


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
            if ch in NO_LINE_START:  # 行首禁则: a pause never starts a line; it hangs at the end of this one
                line += ch
            elif pdfmetrics.stringWidth(line + ch, font, size) > width and line:
                # prefer to break after a pause (、，；) near the end rather than inside a word
                cut = max(line.rfind(p) for p in BREAK_AFTER)
                if cut >= len(line) - 6 and cut < len(line) - 1:
                    lines.append(line[: cut + 1])
                    line = line[cut + 1 :] + ch
                else:
                    lines.append(line)
                    line = ch
            else:
                line += ch
        lines.append(line)
    return lines


def _fit(text: str, font: str, size: float, width: float, smallest: float = 9) -> float:
    """The largest size up to ``size`` at which ``text`` fits in ``width`` on one line."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def cn_date(day: Any) -> str:
    """A date as a Chinese licence prints it: 2026年9月25日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _rows(licence: Any) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [(_("持证人"), licence.holder_name)]
    rows += [(str(f.get("label", "")), str(f.get("value", "")) or "—") for f in licence.fields or []]
    if licence.scope:
        rows.append((_("许可范围"), licence.scope))
    if licence.valid_until:
        validity = f"{cn_date(licence.valid_from)} {_('至')} {cn_date(licence.valid_until)}"
    else:
        validity = f"{cn_date(licence.valid_from)} {_('起长期有效')}"
    rows.append((_("有效期限"), validity))
    return rows


def render(*, licence: Any, verify_url: str) -> bytes:
    """One A4 page laid out like a paper licence: the title and number at the top, the printed rows
    (holder, the type's fields, scope, validity), and at the foot the QR code (left) beside the issuing
    authority and the date of issue (right)."""
    font = _font()
    buf = io.BytesIO()
    width, height = A4
    # the CJK font from the first operator on: no unembedded Helvetica in the file
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=12)
    c.setTitle(f"{licence.title} {licence.number}")
    c.setAuthor(licence.issuing_department.name)
    c.setSubject(licence.number)
    c.setCreator("一窗受理政务服务平台")
    red = (0.62, 0.08, 0.08)
    # frame: a heavy outer and a thin inner line
    c.setStrokeColorRGB(*red)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(0.8)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    # title, number
    c.setFillColorRGB(*red)
    c.setFont(font, _fit(licence.title, font, 32, width - 50 * mm, smallest=16))
    c.drawCentredString(width / 2, height - 48 * mm, licence.title)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 13)
    c.drawCentredString(width / 2, height - 60 * mm, f"{_('编号')}：{licence.number}")
    c.setStrokeColorRGB(*red)
    c.setLineWidth(0.6)
    c.line(30 * mm, height - 67 * mm, width - 30 * mm, height - 67 * mm)

    # the rows, in the largest size that fits above the foot (a long scope or many fields shrink it); the
    # label column as wide as its widest label (long ones wrap)
    left, right = 32 * mm, width - 32 * mm
    top, floor = height - 82 * mm, 92 * mm
    rows = _rows(licence)
    size = 15.0
    while True:
        label_w = min(max(pdfmetrics.stringWidth(label, font, size) for label, _v in rows), 48 * mm) + 6 * mm
        value_w = right - left - label_w
        wrapped = [
            (_wrap(label, font, size, label_w - 6 * mm), _wrap(value, font, size, value_w))
            for label, value in rows
        ]
        needed = sum(max(len(a), len(b)) * size * 0.55 * mm + size * 0.45 * mm for a, b in wrapped)
        if top - needed >= floor or size <= 9:
            break
        size -= 1
    line_h, gap = size * 0.55 * mm, size * 0.45 * mm
    y = top
    c.setFont(font, size)
    for label_lines, value_lines in wrapped:
        c.setFillColorRGB(0.25, 0.25, 0.25)
        for i, line in enumerate(label_lines):
            c.drawString(left, y - i * line_h, line)
        c.setFillColorRGB(0, 0, 0)
        for i, line in enumerate(value_lines):
            c.drawString(left + label_w, y - i * line_h, line)
        y -= max(len(label_lines), len(value_lines)) * line_h + gap

    # foot, left: the QR code to the public verification page
    qr = 36 * mm
    qx, qy = 32 * mm, 36 * mm
    c.drawImage(ImageReader(io.BytesIO(qr_png(verify_url))), qx, qy, qr, qr)
    c.setFont(font, 10)
    c.drawCentredString(qx + qr / 2, qy - 5 * mm, _("扫码核验真伪"))
    # foot, right: the issuing authority and the date, where a paper licence has its seal (a long name
    # of the authority goes on more lines, right-aligned, clear of the QR code)
    room = right - (qx + qr + 10 * mm)
    authority = f"{_('发证机关')}：{licence.issuing_department.name}"
    foot = 14.0
    lines = [authority]
    if pdfmetrics.stringWidth(authority, font, foot) > room:
        foot = 12.0
        lines = _wrap(authority, font, foot, room)[:3]
    c.setFont(font, foot)
    y = 52 * mm + 10 * mm + (len(lines) - 1) * foot * 0.5 * mm
    for line in lines:
        c.drawRightString(right, y, line)
        y -= foot * 0.5 * mm
    c.setFont(font, 14)
    c.drawRightString(right, 52 * mm, f"{_('发证日期')}：{cn_date(licence.issued_on)}")
    c.setFont(font, 9)
    c.setFillColorRGB(0.3, 0.3, 0.3)
    c.drawCentredString(
        width / 2,
        21 * mm,
        _("本证照可在政务服务网“证照核验”页面输入编号和持证人名称核验，也可扫描二维码核验。"),
    )
    c.showPage()
    c.save()
    return buf.getvalue()
