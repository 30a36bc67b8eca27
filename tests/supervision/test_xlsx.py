"""The exports' .xlsx writer: what a spreadsheet program (here openpyxl) reads back is what was written."""

import datetime
import io
import zipfile

from openpyxl import load_workbook

from supervision.exports import Table, to_xlsx
from supervision.xlsx import column_letter

N = datetime.datetime  # Excel date-times are naive (the exports give none with a time zone)


def test_workbook_reads_back_as_written():
    rows = [
        [1, 0.8333, None, "办结率", datetime.date(2026, 3, 31)],
        [True, -2, 1.5e-05, "  前后空格  ", N(2026, 3, 31, 17, 30, 5)],
        ['=HYPERLINK("x")', 'a<b & c>"d"', "bell\x07 removed", 12345678901, ""],
    ]
    body = to_xlsx(
        [
            Table("a", "总体指标", ["受理量", "办结率", "空", "名称", "日期"], rows),
            Table("b", "总体指标", ["x"], []),  # the same title twice: numbered, as openpyxl does
            Table(
                "c", "一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的标题", ["y"], [[1]]
            ),
        ]
    )
    wb = load_workbook(io.BytesIO(body))
    assert wb.sheetnames == [
        "总体指标",
        "总体指标1",
        "一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长"[:31],
    ]
    ws = wb["总体指标"]
    got = [[c.value for c in row] for row in ws.iter_rows()]
    assert got[0] == ["受理量", "办结率", "空", "名称", "日期"]
    assert got[1] == [1, 0.8333, None, "办结率", N(2026, 3, 31)]
    assert got[2] == [True, -2, 1.5e-05, "  前后空格  ", N(2026, 3, 31, 17, 30, 5)]
    # text that starts like a formula is neutralised; markup is text; control characters are dropped;
    # an empty string is an empty cell
    assert got[3] == ['\'=HYPERLINK("x")', 'a<b & c>"d"', "bell removed", 12345678901, None]
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws["E2"].number_format == "yyyy-mm-dd"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 10 and ws.column_dimensions["D"].width == 10
    assert wb["总体指标1"].max_row == 1
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None


def test_column_letters():
    assert [column_letter(i) for i in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
