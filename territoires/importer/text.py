"""The publisher's file as text: its encoding told (UTF-8 with or without a BOM, else cp1252,
else Latin-1, which decodes anything), a file mixing UTF-8 lines with others refused rather
than decoded into mojibake — a line mixing both too — and its delimiter sniffed."""

from __future__ import annotations

import csv
import re
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
    if (line := _line_with_utf8_sequences(data)) is not None:
        raise Unreadable(f"{path}:{line}: this line holds UTF-8 sequences (as 'é' is written "
                         f"in UTF-8) beside bytes that are not UTF-8: an ambiguous encoding, "
                         f"which would be read as mojibake; save the file again in UTF-8")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


# A multi-byte UTF-8 sequence: in a cp1252 or Latin-1 text, two or three characters such as
# "Ã©" that French names never hold.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")


def _line_with_utf8_sequences(data: bytes) -> int | None:
    """The first line of a file that is not UTF-8 that holds a UTF-8 sequence, if any."""
    found = _UTF8_SEQUENCE.search(data)
    return None if found is None else data.count(b"\n", 0, found.start()) + 1


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
