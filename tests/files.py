"""Real files for upload tests: uploads are parsed (pypdf) and decoded (Pillow) since issue 17, so a file
that only starts with the right magic bytes is refused. Small and built once per process."""

import io

from PIL import Image
from pypdf import PdfWriter


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image(fmt: str, colour: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format=fmt)
    return out.getvalue()


PDF = _pdf()
PNG = _image("PNG")
JPEG = _image("JPEG")


def pdf_variant(extra: bytes) -> bytes:
    """A different but still whole PDF: ``extra`` as a comment line before ``startxref`` (bytes appended
    after ``%%EOF`` are refused since issue 17)."""
    if not extra:
        return PDF
    return PDF.replace(b"startxref", b"%" + extra.replace(b"\n", b" ") + b"\nstartxref", 1)
