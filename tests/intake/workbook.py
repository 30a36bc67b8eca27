"""The catalogue workbook as the catalogue administrator handles it: exported from the admin's export page,
edited in Excel (openpyxl here), uploaded on the admin's import page, previewed, confirmed."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_workbook(client) -> Workbook:
    """The admin's export page, first (and only) format: the .xlsx workbook."""
    response = client.post(reverse("admin:intake_item_export"), {"format": "0"})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(BytesIO(response.content))


def rows(ws) -> list[dict]:
    """The sheet's rows as {header: value}, with "_row" the row's number in the sheet."""
    values = list(ws.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, r, strict=False), _row=n) for n, r in enumerate(values[1:], start=2)]


def find(ws, **match) -> dict:
    """The one row whose cells match (headers given as keyword names)."""
    found = [r for r in rows(ws) if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def set_cell(ws, row: int, header: str, value) -> None:
    header_row = [c.value for c in ws[1]]
    ws.cell(row=row, column=header_row.index(header) + 1).value = value  # cell(value=None) would not clear it


def upload(client, book: Workbook):
    """The import page with the workbook uploaded: the preview, or the errors."""
    out = BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("catalogue.xlsx", out.getvalue(), XLSX)
    response = client.post(reverse("admin:intake_item_import"), {"import_file": upload, "format": "0"})
    assert response.status_code == 200
    return response


def import_through_the_admin(client, book: Workbook):
    """Upload, check the preview has no errors, confirm. Returns the preview's result."""
    preview = upload(client, book)
    assert "confirm_form" in preview.context, preview.content.decode()[:3000]
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    done = client.post(reverse("admin:intake_item_process_import"), preview.context["confirm_form"].initial)
    assert done.status_code == 302
    return result
