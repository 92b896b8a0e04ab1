"""Any table of a page as CSV or XLSX: the columns the page shows, titled as it titles them, every
row in the order the page's parameters ask for (`<table>-tri`), a figure as its plain value
(`2500`, not `2 500`; a number in the spreadsheet). CSV: UTF-8, a header row, RFC 4180 quoting
by the standard library's csv module; XLSX: one sheet written by XlsxWriter, its header row
frozen, a link cell kept as a link."""

from __future__ import annotations

import csv
import io

import xlsxwriter

from ..documents.entities import Table
from ..documents.entities.model import Text


def write(table: Table, rows: list[tuple[Text, ...]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([column.title for column in table.columns])
    for row in rows:
        writer.writerow([cell_value(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def cell_value(cell: Text) -> str:
    """What a cell holds for a machine: its value when it has one (a figure), else its text; an
    unknown figure (`—`) is empty."""
    if cell.value:
        return cell.value
    return "" if cell.text == "—" else cell.text


def write_xlsx(table: Table, rows: list[tuple[Text, ...]], title: str) -> bytes:
    out = io.BytesIO()
    # Text stays text: a cell that looks like a formula (`=…`) is never evaluated.
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    for column, c in enumerate(table.columns):
        sheet.write_string(0, column, c.title, bold)
    for line, row in enumerate(rows, start=1):
        for column, (cell, c) in enumerate(zip(row, table.columns)):
            value = cell_value(cell)
            if c.numeric and _is_number(value):
                sheet.write_number(line, column, float(value))
            elif cell.href and cell.href.startswith(("http://", "https://")):
                sheet.write_url(line, column, cell.href, string=value)
            else:
                sheet.write_string(line, column, value)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
