"""Reading the publisher's file: its encoding, delimiter and columns detected, each row checked
against the reference snapshot; errors and warnings collected with their line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..vocabulary.names import fold
from .reference import Reference
from .text import Unreadable, decode, delimiter

LAYOUT_COMMUNE = "commune"
LAYOUT_EPCI = "epci"

# Logical column → the names it is found under when no --column option maps it.
COLUMNS = {
    "insee_com": ["insee_com", "codgeo", "code_insee", "insee", "code_commune", "com", "depcom"],
    "lib_com": ["lib_com", "libgeo", "nom_commune", "commune", "libelle_commune"],
    "id_ti": ["id_ti", "identifiant_ti", "code_ti", "identifiant_officiel", "id"],
    "lib_ti": ["lib_ti", "nom_ti", "libelle_ti", "territoire_industrie", "nom"],
    "siren_epci": ["siren_epci", "epci_siren", "siren", "code_epci", "epci"],
    "lib_epci": ["lib_epci", "nom_epci", "libelle_epci", "raison_sociale"],
}

SIREN = re.compile(r"^\d{9}$")
INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
MAX_LISTED = 30   # missing communes listed in a warning
MAX_CELL = 1000   # characters: no name or code is longer
# What a spreadsheet would run as a formula in a cell of the CSV the import writes (OWASP).
FORMULA = re.compile(r"^[=+\-@\t\r]")
# Characters a cell never holds and that change how the text reads or is cut: C0 and C1 controls,
# the bidirectional overrides, embeddings and isolates (U+202E shows "fdp.exe" as "exe.pdf"),
# the line and paragraph separators (a line break to some readers, not to CSV) and a byte
# order mark past the file's start.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\u2028\u2029\ufeff]")


@dataclass(frozen=True)
class Message:
    path: str
    line: int
    text: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.text}"

    @property
    def kind(self) -> str:
        """The message without its particulars (names, codes, numbers): messages of one kind
        are summed up past the first few."""
        return re.sub(r"'[^']*'|\([^)]*\)|\d+", "…", self.text)


@dataclass
class Territory:
    key: str                  # the identifier, or the name when the list has none
    name: str
    identifier: str
    line: int                 # first line
    epci: dict[str, int] = field(default_factory=dict)        # SIREN → first line
    communes: dict[str, int] = field(default_factory=dict)    # INSEE → line
    failed: int = 0           # rows with an error


def _check_header(path: Path, header: list[str]) -> None:
    seen: dict[str, str] = {}
    for column in header:
        if _norm(column) in seen:
            raise Unreadable(f"{path}:1: the header names a column twice ({seen[_norm(column)]!r} "
                             f"and {column!r}): which one is meant cannot be told")
        seen[_norm(column)] = column


def _norm(column: str) -> str:
    return fold(column).replace(" ", "_")


def resolve_columns(header: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Logical column → the file's column, from the explicit mapping, else the usual names."""
    by_norm = {_norm(h): h for h in header}
    found = {}
    for logical, candidates in COLUMNS.items():
        if logical in mapping:
            wanted = mapping[logical]
            actual = wanted if wanted in header else by_norm.get(_norm(wanted))
            if actual is None:
                raise Unreadable(f"--column {logical}={wanted}: no column {wanted!r} in the header "
                                   f"({', '.join(header)})")
            found[logical] = actual
            continue
        for candidate in candidates:
            if candidate in by_norm and by_norm[candidate] not in found.values():
                found[logical] = by_norm[candidate]
                break
    return found


@dataclass
class Parsed:
    layout: str
    encoding: str
    delimiter: str
    columns: dict[str, str]
    territories: dict[str, Territory]
    rows: int
    errors: list[Message]
    warnings: list[Message]


def parse(path: Path, data: bytes, reference: Reference, mapping: dict[str, str],
          layout: str = "auto") -> Parsed:
    """Read the whole file: every error and warning is collected, each with its line."""
    table = _open(path, data, mapping, layout)
    parsed = Parsed(table.layout, table.encoding, table.delimiter, table.columns, {}, 0, [], [])
    where = str(path)
    line = table.reader.line_num
    try:
        for row in table.reader:
            start, line = line + 1, table.reader.line_num
            if any(c.strip() for c in row):
                parsed.rows += 1
                if _cells_read(where, start, line, row, parsed.errors):
                    _row(where, start, table.cells(row), parsed, reference)
    except csv.Error as error:   # a quote never closed, a cell over csv's own limit
        reason = (f"a cell over {csv.field_size_limit():,} characters"
                  if "field limit" in str(error) else f"{error}: an unbalanced quote?")
        raise Unreadable(f"{path}:{line + 1}: {reason}") from None
    if not parsed.rows:
        parsed.errors.append(Message(where, 1, "no row after the header: the list is empty"))
    if parsed.layout == LAYOUT_COMMUNE:
        _coverage(where, parsed.territories, reference, parsed.warnings)
    _shared_communes(where, parsed.territories, parsed.warnings)
    for territory in parsed.territories.values():
        if not territory.epci and not territory.failed:
            parsed.errors.append(Message(where, territory.line,
                                         f"territory {territory.name!r} has no EPCI"))
    return parsed


@dataclass
class _Table:
    layout: str
    encoding: str
    delimiter: str
    columns: dict[str, str]        # logical column → the file's
    index: dict[str, int]          # logical column → its position
    reader: Iterator[list[str]]

    def cells(self, row: list[str]) -> dict[str, str]:
        return {logical: row[i].strip() if i < len(row) else ""
                for logical, i in self.index.items()}


def _open(path: Path, data: bytes, mapping: dict[str, str], layout: str) -> _Table:
    """The file's table: its encoding, delimiter and header read, its layout and columns
    chosen, or Unreadable."""
    text, encoding = decode(data, path)
    if not text.strip():
        raise Unreadable(f"{path}: empty file")
    delim = delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as error:
        raise Unreadable(f"{path}:1: {error}") from None
    _check_header(path, header)
    columns = resolve_columns(header, mapping)
    if layout == "auto":
        if "insee_com" not in columns and "siren_epci" not in columns:
            raise Unreadable(
                f"{path}:1: no column for insee_com (per-commune layout) nor for siren_epci "
                f"(per-EPCI layout) in the header ({', '.join(header)}); map one with "
                "--column insee_com=NAME or --column siren_epci=NAME")
        layout = LAYOUT_COMMUNE if "insee_com" in columns else LAYOUT_EPCI
    required = ["insee_com", "lib_ti"] if layout == LAYOUT_COMMUNE else ["siren_epci", "lib_ti"]
    missing = [c for c in required if c not in columns]
    if missing:
        raise Unreadable(
            f"{path}:1: no column for {', '.join(missing)} in the header ({', '.join(header)}); "
            f"map them with --column {missing[0]}=NAME")
    index = {logical: header.index(actual) for logical, actual in columns.items()}
    return _Table(layout, encoding, delim, columns, index, reader)


def _cells_read(where: str, start: int, end: int, row: list[str], errors: list[Message]) -> bool:
    """Whether every cell of a row can be read as what it says: one line, no control
    character, no formula, a sensible length; otherwise the row is refused in words."""
    problem = None
    if end != start:
        problem = f"a cell runs over lines {start}–{end}: an unbalanced quote?"
    for cell in row:
        if problem:
            break
        if len(cell) > MAX_CELL:
            problem = f"a cell of {len(cell):,} characters (at most {MAX_CELL:,})"
        elif found := CONTROL.search(cell):
            problem = (f"a control character (U+{ord(found.group()):04X}: NUL, escape, C1, "
                       f"bidi override, line separator, byte order mark…) in a cell")
        elif FORMULA.match(cell.strip() if cell.strip() else cell):
            problem = (f"the cell {cell[:40]!r} looks like a spreadsheet formula (it starts "
                       f"with {cell.strip()[:1] or cell[:1]!r}): refused, since a spreadsheet "
                       f"opening the CSV the import writes would run it")
    if problem:
        errors.append(Message(where, start, problem))
    return problem is None


def _row(where: str, line: int, cells: dict[str, str], parsed: Parsed,
         reference: Reference) -> None:
    """One row: its territory found or started, then its commune or its EPCI."""
    name, identifier = cells.get("lib_ti", ""), cells.get("id_ti", "")
    errors = parsed.errors
    if not name:
        errors.append(Message(where, line, f"empty {parsed.columns['lib_ti']} (territory name)"))
        return
    key = identifier or fold(name)
    territory = parsed.territories.setdefault(key, Territory(key, name, identifier, line))
    if territory.name != name:
        errors.append(Message(where, line, f"territory {key}: name {name!r} contradicts "
                                           f"{territory.name!r} given at line {territory.line}"))
        return
    before = len(errors)
    if parsed.layout == LAYOUT_COMMUNE:
        _commune_row(where, line, cells.get("insee_com", ""), cells.get("lib_com", ""),
                     territory, reference, errors, parsed.warnings)
    else:
        _epci_row(where, line, cells.get("siren_epci", ""), territory, reference, errors,
                  parsed.warnings)
    territory.failed += len(errors) - before


def _commune_row(where, line, code, label, territory, reference, errors, warnings):
    if len(code) == 4 and code.isdigit():
        code = "0" + code          # a spreadsheet dropped the leading zero
    if not INSEE.match(code):
        errors.append(Message(where, line, f"commune code {code!r} is not an INSEE code "
                                           "(5 characters: digits, or 2A/2B and 3 digits)"))
        return
    current = reference.current(code)
    if current is None:
        errors.append(Message(where, line, f"commune {code}"
                                           f"{' (' + label + ')' if label else ''} "
                                           f"is not in {reference.where}"))
        return
    if current != code:
        warnings.append(Message(where, line, reference.changed(code, current), True))
    if current in territory.communes:
        warnings.append(Message(where, line, f"commune {current} is listed twice for territory "
                                             f"{territory.name!r} (first at line "
                                             f"{territory.communes[current]})", True))
        return
    territory.communes[current] = line
    sirens = reference.epci_for(code, current)
    if not sirens:
        warnings.append(Message(where, line, f"commune {current} ({reference.commune_name.get(current)})"
                                             " belongs to no EPCI: it adds none to the territory",
                                True))
        return
    for siren in sirens:
        territory.epci.setdefault(siren, line)


def _epci_row(where, line, siren, territory, reference, errors, warnings):
    siren = siren.replace(" ", "")
    if not SIREN.match(siren):
        errors.append(Message(where, line, f"EPCI SIREN {siren!r} is not 9 digits"))
        return
    now = reference.current_epci(siren)
    if not now:
        errors.append(Message(where, line, f"EPCI SIREN {siren} is not an EPCI of {reference.where}"))
        return
    if now != [siren]:
        warnings.append(Message(where, line, f"EPCI {siren} of {reference.where} is now "
                                             f"{', '.join(now)} in the current geography", True))
    if siren in territory.epci:
        warnings.append(Message(where, line, f"EPCI {siren} is listed twice for territory "
                                             f"{territory.name!r} (first at line "
                                             f"{territory.epci[siren]})", True))
        return
    for current in now:
        territory.epci.setdefault(current, line)


def _coverage(where, territories, reference, warnings):
    for territory in territories.values():
        for siren, line in territory.epci.items():
            members = reference.members.get(siren, [])
            missing = [c for c in members if c not in territory.communes]
            if not missing:
                continue
            listed = ", ".join(f"{c} {reference.commune_name.get(c, '?')}" for c in missing[:MAX_LISTED])
            more = f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
            warnings.append(Message(
                where, line,
                f"territory {territory.name!r} covers {len(members) - len(missing)} of the "
                f"{len(members)} communes of EPCI {siren} ({reference.epci_name.get(siren)}); "
                f"missing: {listed}{more}", True))


def _shared_communes(where, territories, warnings):
    first: dict[str, Territory] = {}
    for territory in territories.values():
        for code, line in territory.communes.items():
            other = first.setdefault(code, territory)
            if other is not territory:
                warnings.append(Message(where, line, f"commune {code} is in territory "
                                                     f"{territory.name!r} and in {other.name!r}",
                                        True))



