"""Hostile lists for `territoires import-territoires`: each a file the importer must refuse in
words (`file:line: …`, exit 1, nothing written, no traceback), or read with its messages
bounded. Each entry builds its bytes from a valid list of the article's territory, so the one
defect it carries is the only reason to refuse it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

HEADER = "insee_com,lib_com,id_ti,lib_ti"
NAME = "Alliances Luxe & Précision, Doubs"


@dataclass(frozen=True)
class HostileList:
    why: str
    make: Callable[[list[str]], bytes]   # from the valid rows (without the header) to a file
    says: str                            # what the refusal must say


def rows_with(name: str, rows: list[str], at: int = 3) -> list[str]:
    first = rows[at].split(",")
    return rows[:at] + [",".join(first[:3] + [name])] + rows[at + 1:]


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def lines(rows: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


LISTS = [
    *(HostileList(f"a formula as a name: {formula}",
                  lambda rows, f=formula: lines(rows_with(quoted(f), rows)), "formula")
      for formula in ("=cmd|'/c calc'!A1", "@SUM(1+1)*cmd|' /C calc'!A0",
                      "-2+3+cmd|' /C calc'!A0", "+1+1", "=HYPERLINK(\"http://x\")")),
    HostileList("a NUL in a cell", lambda rows: lines(rows_with("Alli\x00ances", rows)),
                "control character"),
    HostileList("an escape character in a cell", lambda rows: lines(rows_with("A\x1b[31m", rows)),
                "control character"),
    *(HostileList(f"{what} in a cell", lambda rows, c=char: lines(rows_with(f"Alli{c}ances", rows)),
                  "control character")
      for what, char in (("a C1 control (U+0085)", "\x85"), ("a C1 control (U+009B)", "\x9b"),
                         ("a bidi override (U+202E)", "\u202e"),
                         ("a bidi isolate (U+2066)", "\u2066"),
                         ("a line separator (U+2028)", "\u2028"),
                         ("a byte order mark inside the file", "\ufeff"))),
    HostileList("UTF-8 with a cp1252 character on every line (an ambiguous encoding)",
                lambda rows: b"".join(
                    (line + "\n").encode("utf-8").replace(b",ti-", "\u2019".encode(
                        "cp1252") + b",ti-", 1) if i else (line + "\n").encode()
                    for i, line in enumerate([HEADER, *rows])), "ambiguous encoding"),
    HostileList("a quote never closed, swallowing the rows after it",
                lambda rows: lines(rows_with('"Alliances', rows)), "unbalanced quote"),
    HostileList("UTF-8 and Latin-1 lines in one file",
                lambda rows: lines(rows[:5]) + "\n".join(rows[5:]).encode("latin-1") + b"\n",
                "mixes encodings"),
    HostileList("a column named twice", lambda rows: lines(rows, HEADER + ",lib_ti"),
                "names a column twice"),
    HostileList("a header and no row", lambda rows: lines([]), "the list is empty"),
    HostileList("a cell of 200,000 characters",
                lambda rows: lines(rows_with("x" * 200_000, rows)), "characters"),
    HostileList("a cell of 2,000 characters",
                lambda rows: lines(rows_with("x" * 2000, rows)), "at most 1,000"),
]
