"""The publisher's file as text: its encoding told (UTF-8 with or without a BOM, else cp1252,
else Latin-1, which decodes anything), a file mixing UTF-8 lines with others refused rather
than decoded into mojibake, and its delimiter sniffed."""

from __future__ import annotations

import csv
from pathlib import Path


class Unreadable(Exception):
    """The file cannot be read at all (encoding, header, columns, quoting)."""


def decode(data: bytes, path: Path | str = "") -> tuple[str, str]:
    """The text of a file and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError as error:
        bad = data.count(b"\n", 0, error.start) + 1
    utf8 = _first_utf8_line(data)
    if bom or utf8:
        raise Unreadable(f"{path}:{bad}: this line is not UTF-8 while line {utf8 or 1} is: the "
                         f"file mixes encodings; save it again in one (UTF-8)")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _first_utf8_line(data: bytes) -> int | None:
    """The first line holding characters beyond ASCII that reads as UTF-8, if any."""
    for number, line in enumerate(data.split(b"\n"), 1):
        if max(line, default=0) > 0x7F:
            try:
                line.decode("utf-8")
                return number
            except UnicodeDecodeError:
                continue
    return None


def delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        return max(";,\t", key=header.count)
