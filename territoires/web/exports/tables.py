"""Any table of a page as CSV: the columns the page shows, titled as it titles them, every row in
the order the page's parameters ask for (`<table>-tri`), a figure as its plain value (`2500`,
not `2 500`); UTF-8, a header row, RFC 4180 quoting by the standard library's csv module."""

from __future__ import annotations

import csv
import io

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
