"""`territoires import-territoires FILE`: load an official list of Territoires d'industrie as its
publisher writes it, and write it as a territory source of the project (layout in
data/territoires/README.md) with the `source.ttl` that describes its named graph.

Two layouts are read:

- **per commune** (the phase-2 list: `insee_com, lib_com, id_ti, lib_ti`): each territory's EPCI
  are derived from its communes with the reference snapshot (`epci_membres.csv.gz`: a commune
  belongs to exactly one EPCI); an EPCI the territory covers only in part is reported with the
  missing communes;
- **per EPCI** (`id_ti, lib_ti, siren_epci`).

The publisher's column names can be mapped (`--column insee_com=CODGEO`); the encoding (UTF-8 with
or without BOM, else cp1252 / Latin-1) and the delimiter (`;`, `,`, tab) are detected. Errors
(unknown commune code or SIREN, contradictory rows) name the file and line and write nothing;
warnings (partly covered EPCI…) are printed and the import goes on. The output is only a source
under data/: the next build maps and validates it like any other, so a bad list never reaches the
published graph.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from .names import fold

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

# What a phase's territories are labelled for when the list gives no date: the start of the
# phase and the end of its term, as the project's sources state them (see data/article/).
PHASE_DEFAULTS = {"1": ("2018", "2023-11"), "2": ("2023-11", "2027")}

LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
CSV_NAME = "territoires.csv"
DESCRIPTION = "source.ttl"
OUTPUT_COLUMNS = ["territoire", "nom", "phase", "date_labellisation", "fin_mandat", "epci_siren",
                  "identifiant_officiel"]

SIREN = re.compile(r"^\d{9}$")
INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_LISTED = 30   # missing communes listed in a warning


class ImportError_(Exception):
    """The file cannot be read at all (encoding, header, columns)."""


@dataclass(frozen=True)
class Message:
    path: str
    line: int
    text: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {kind}{self.text}"


@dataclass
class Territory:
    key: str                  # the identifier, or the name when the list has none
    name: str
    identifier: str
    line: int                 # first line
    epci: dict[str, int] = field(default_factory=dict)        # SIREN → first line
    communes: dict[str, int] = field(default_factory=dict)    # INSEE → line
    failed: int = 0           # rows with an error


@dataclass
class Reference:
    """What the import needs of the reference snapshot: plain dictionaries, no RDF."""

    epci_name: dict[str, str]
    epci_of: dict[str, str]            # current commune → EPCI SIREN
    members: dict[str, list[str]]      # EPCI SIREN → its communes
    commune_name: dict[str, str]       # every code (current, déléguée, associée, arrondissement)
    attached_to: dict[str, str]        # code of a déléguée / associée / arrondissement → commune

    @classmethod
    def read(cls, directory: Path) -> "Reference":
        def rows(name):
            with gzip.open(directory / name, "rt", encoding="utf-8", newline="") as handle:
                yield from csv.DictReader(handle)

        epci_name = {r["siren"]: r["nom"] for r in rows("epci.csv.gz")}
        epci_of, members = {}, defaultdict(list)
        for r in rows("epci_membres.csv.gz"):
            epci_of[r["commune"]] = r["epci"]
            members[r["epci"]].append(r["commune"])
        commune_name, attached_to = {}, {}
        for r in rows("communes.csv.gz"):
            if r["type"] == "commune-actuelle":
                commune_name[r["code"]] = r["nom"]
            else:
                commune_name.setdefault(r["code"], r["nom"])
                if r["rattachement"]:
                    attached_to.setdefault(r["code"], r["rattachement"])
        return cls(epci_name, epci_of, dict(members), commune_name, attached_to)

    def current(self, code: str) -> str | None:
        """The current commune a code stands for (itself, or the commune it is attached to)."""
        if code in self.epci_of or (code in self.commune_name and code not in self.attached_to):
            return code
        return self.attached_to.get(code)


# --- reading the publisher's file -------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with: UTF-8 (BOM or not), else cp1252,
    else Latin-1 (which decodes anything)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        return max(";,\t", key=header.count)


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
                raise ImportError_(f"--column {logical}={wanted}: no column {wanted!r} in the header "
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
    text, encoding = decode(data)
    if not text.strip():
        raise ImportError_(f"{path}: empty file")
    delim = delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header = [h.strip() for h in next(reader)]
    columns = resolve_columns(header, mapping)
    if layout == "auto":
        if "insee_com" not in columns and "siren_epci" not in columns:
            raise ImportError_(
                f"{path}:1: no column for insee_com (per-commune layout) nor for siren_epci "
                f"(per-EPCI layout) in the header ({', '.join(header)}); map one with "
                "--column insee_com=NAME or --column siren_epci=NAME")
        layout = LAYOUT_COMMUNE if "insee_com" in columns else LAYOUT_EPCI
    required = ["insee_com", "lib_ti"] if layout == LAYOUT_COMMUNE else ["siren_epci", "lib_ti"]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportError_(
            f"{path}:1: no column for {', '.join(missing)} in the header ({', '.join(header)}); "
            f"map them with --column {missing[0]}=NAME")
    index = {logical: header.index(actual) for logical, actual in columns.items()}
    errors: list[Message] = []
    warnings: list[Message] = []
    territories: dict[str, Territory] = {}
    where = str(path)

    def cell(row: list[str], logical: str) -> str:
        i = index.get(logical)
        return row[i].strip() if i is not None and i < len(row) else ""

    count = 0
    line = reader.line_num
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in row):
            continue
        count += 1
        name, identifier = cell(row, "lib_ti"), cell(row, "id_ti")
        if not name:
            errors.append(Message(where, start, f"empty {columns['lib_ti']} (territory name)"))
            continue
        key = identifier or fold(name)
        territory = territories.get(key)
        if territory is None:
            territory = territories[key] = Territory(key, name, identifier, start)
        elif territory.name != name:
            errors.append(Message(where, start, f"territory {key}: name {name!r} contradicts "
                                                f"{territory.name!r} given at line {territory.line}"))
            continue
        before = len(errors)
        if layout == LAYOUT_COMMUNE:
            _commune_row(where, start, cell(row, "insee_com"), cell(row, "lib_com"), territory,
                         reference, errors, warnings)
        else:
            _epci_row(where, start, cell(row, "siren_epci"), territory, reference, errors,
                      warnings)
        territory.failed += len(errors) - before
    if layout == LAYOUT_COMMUNE:
        _coverage(where, territories, reference, warnings)
    _shared_communes(where, territories, warnings)
    for territory in territories.values():
        if not territory.epci and not territory.failed:
            errors.append(Message(where, territory.line,
                                  f"territory {territory.name!r} has no EPCI"))
    return Parsed(layout, encoding, delim, columns, territories, count, errors, warnings)


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
                                           "is not in the reference data"))
        return
    if current != code:
        warnings.append(Message(where, line, f"{code} ({reference.commune_name.get(code)}) is not "
                                             f"a current commune; counted as {current} "
                                             f"({reference.commune_name.get(current)})", True))
    if current in territory.communes:
        warnings.append(Message(where, line, f"commune {current} is listed twice for territory "
                                             f"{territory.name!r} (first at line "
                                             f"{territory.communes[current]})", True))
        return
    territory.communes[current] = line
    siren = reference.epci_of.get(current)
    if siren is None:
        warnings.append(Message(where, line, f"commune {current} ({reference.commune_name.get(current)})"
                                             " belongs to no EPCI: it adds none to the territory",
                                True))
        return
    territory.epci.setdefault(siren, line)


def _epci_row(where, line, siren, territory, reference, errors, warnings):
    siren = siren.replace(" ", "")
    if not SIREN.match(siren):
        errors.append(Message(where, line, f"EPCI SIREN {siren!r} is not 9 digits"))
        return
    if siren not in reference.epci_name:
        errors.append(Message(where, line, f"EPCI SIREN {siren} is not an EPCI of the reference data"))
        return
    if siren in territory.epci:
        warnings.append(Message(where, line, f"EPCI {siren} is listed twice for territory "
                                             f"{territory.name!r} (first at line "
                                             f"{territory.epci[siren]})", True))
        return
    territory.epci[siren] = line


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


# --- writing the source -----------------------------------------------------------------------

def slugify(name: str) -> str:
    return fold(name).replace(" ", "-") or "territoire"


def slugs(territories: dict[str, Territory]) -> dict[str, str]:
    """A slug per territory, from its name; made unique with its identifier when names collide."""
    by_slug = defaultdict(list)
    for key, territory in territories.items():
        by_slug[slugify(territory.name)].append(key)
    result = {}
    for slug, keys in by_slug.items():
        for key in keys:
            result[key] = slug if len(keys) == 1 else f"{slug}-{slugify(key)}"
    return result


def csv_text(parsed: Parsed, phase: str, start: str, end: str,
             known_dates: dict[str, tuple[str, str]] = {}) -> str:
    """The rows in the project's layout; `known_dates` (slug → label date, end of term) keeps the
    dates of territories another source already dates more precisely, so both agree."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    names = slugs(parsed.territories)
    for key, territory in sorted(parsed.territories.items(), key=lambda kv: names[kv[0]]):
        first, last = known_dates.get(names[key], (start, end))
        for siren in sorted(territory.epci):
            writer.writerow([names[key], territory.name, phase, first, last, siren,
                             territory.identifier])
    return buffer.getvalue()


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def description_turtle(graph_name: str, file_name: str, sha256: str, size: int, licence: str,
                       retrieved_on: date, source_url: str | None, parsed: Parsed,
                       options: dict[str, str]) -> str:
    graph = f"graph/{graph_name}"
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    epci = sum(len(t.epci) for t in parsed.territories.values())
    summary = (f"Mise en page « {parsed.layout} », encodage {parsed.encoding}, séparateur "
               f"{parsed.delimiter!r} ; {parsed.rows} ligne(s), {len(parsed.territories)} "
               f"territoire(s), {epci} adhésion(s) d'EPCI ; {len(parsed.warnings)} avertissement(s). "
               f"Colonnes : " + ", ".join(f"{k}={v}" for k, v in sorted(parsed.columns.items()))
               + " ; options : " + ", ".join(f"{k}={v}" for k, v in sorted(options.items())) + ".")
    lines = [
        f"# Description of graph/{graph_name}, written by `territoires import-territoires`.",
        "@prefix ti: <def/territoires#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix pav: <http://purl.org/pav/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix spdx: <http://spdx.org/rdf/terms#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{graph}> a ti:SourceGraph ;",
        f"    dcterms:title {_lit('Liste officielle des Territoires d’industrie (' + file_name + ')')}@fr ,",
        f"        {_lit('Official list of the Territoires d’industrie (' + file_name + ')')}@en ;",
        f"    dcterms:description {_lit('Territoires et EPCI importés du fichier publié ' + file_name + ' ; les EPCI sont désignés par leur SIREN officiel' + (', déduits des communes listées grâce au graphe de référence.' if parsed.layout == LAYOUT_COMMUNE else '.'))}@fr ,",
        f"        {_lit('Territories and EPCI imported from the published file ' + file_name + '; EPCI are named by their official SIREN' + (', derived from the listed communes with the reference graph.' if parsed.layout == LAYOUT_COMMUNE else '.'))}@en ;",
        f"    prov:wasDerivedFrom <{graph}#fichier> , <graph/cog> ;",
        f"    prov:wasGeneratedBy <{graph}#import> ;",
    ]
    if source_url:
        lines.append(f"    dcterms:source <{source_url}> ;")
    lines += [
        f"    dcterms:license <{licence}> ;",
        f"    pav:retrievedOn \"{retrieved_on.isoformat()}\"^^xsd:date .",
        "",
        f"<{graph}#fichier> a prov:Entity , dcat:Distribution ;",
        f"    dcterms:title {_lit(file_name)} ;",
        f"    dcat:byteSize \"{size}\"^^xsd:nonNegativeInteger ;",
        f"    spdx:checksum <{graph}#sha256> .",
        "",
        f"<{graph}#sha256> a spdx:Checksum ;",
        "    spdx:algorithm spdx:checksumAlgorithm_sha256 ;",
        f"    spdx:checksumValue \"{sha256}\"^^xsd:hexBinary .",
        "",
        f"<{graph}#import> a prov:Activity ;",
        "    rdfs:label \"Import de la liste par territoires import-territoires\"@fr , "
        "\"Import of the list by territoires import-territoires\"@en ;",
        f"    prov:used <{graph}#fichier> , <graph/cog> ;",
        f"    prov:endedAtTime \"{now}\"^^xsd:dateTime ;",
        f"    rdfs:comment {_lit(summary)}@fr .",
    ]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _other_definitions(data_dir: Path, output: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """The territories other territory sources under data/ define: slug → (where, first row)."""
    found = {}
    for csv_path in sorted(data_dir.rglob("*.csv")):
        if csv_path.parent.resolve() == output.resolve() or not (csv_path.parent / DESCRIPTION).exists():
            continue
        try:
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
            for i, row in enumerate(csv.DictReader(io.StringIO(text), delimiter=delimiter(text)), 2):
                if row.get("territoire"):
                    found.setdefault(row["territoire"].strip(), (f"{csv_path}:{i}", row))
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
    return found


# --- the command ------------------------------------------------------------------------------

def _column_options(values: list[str]) -> dict[str, str]:
    mapping = {}
    for value in values or []:
        logical, sep, actual = value.partition("=")
        if not sep or not actual or logical not in COLUMNS:
            raise ImportError_(f"--column {value!r}: expected LOGICAL=NAME with LOGICAL one of "
                               f"{', '.join(COLUMNS)}")
        mapping[logical] = actual
    return mapping


def command(args, settings) -> int:
    """Run `territoires import-territoires`; 0 when written, 1 when the file has errors."""
    out = sys.stderr
    path = Path(args.file)
    try:
        mapping = _column_options(args.column)
        phase = str(args.phase)
        if not phase.isdigit():
            raise ImportError_(f"--phase {phase!r} is not a number")
        start_default, end_default = PHASE_DEFAULTS.get(phase, (None, None))
        start = args.date_labellisation or start_default
        end = args.fin_mandat or end_default
        if not start or not end:
            raise ImportError_(f"phase {phase}: give --date-labellisation and --fin-mandat")
        for option, value in (("--date-labellisation", start), ("--fin-mandat", end)):
            if not DATE.match(value):
                raise ImportError_(f"{option} {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
        if not NAME.match(args.graph_name):
            raise ImportError_(f"--graph-name {args.graph_name!r} is not a slug (a-z, 0-9, -)")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ImportError_(f"{path}: {error.strerror or error}") from None
        reference = Reference.read(settings.data_dir / "reference")
        parsed = parse(path, data, reference, mapping, args.layout)
    except ImportError_ as error:
        print(f"territoires import-territoires: {error}", file=out)
        return 1

    for message in parsed.warnings:
        print(message, file=out)
    output = Path(args.output) if args.output else settings.data_dir / "territoires-import"
    if parsed.errors:
        for message in sorted(parsed.errors, key=lambda m: m.line):
            print(message, file=out)
        print(f"territoires import-territoires: {len(parsed.errors)} error(s); nothing written "
              f"to {output}", file=out)
        return 1

    names = slugs(parsed.territories)
    elsewhere = _other_definitions(settings.data_dir, output)
    known_dates = {}
    for key, slug in sorted(names.items(), key=lambda kv: kv[1]):
        if slug in elsewhere:
            where, row = elsewhere[slug]
            known_dates[slug] = (row["date_labellisation"], row["fin_mandat"])
            print(Message(str(path), parsed.territories[key].line,
                          f"territoire {slug} is also defined at {where}: its dates "
                          f"{row['date_labellisation']}–{row['fin_mandat']} are kept; name and "
                          "phase must agree too", True), file=out)
    options = {"phase": phase, "date_labellisation": start, "fin_mandat": end}
    turtle = description_turtle(args.graph_name, path.name, hashlib.sha256(data).hexdigest(),
                                len(data), args.licence, args.retrieved_on or date.today(),
                                args.source_url, parsed, options)
    _write(output / CSV_NAME, csv_text(parsed, phase, start, end, known_dates))
    _write(output / DESCRIPTION, turtle)
    epci = sum(len(t.epci) for t in parsed.territories.values())
    print(f"{path}: {parsed.layout} layout ({parsed.encoding}, {parsed.delimiter!r}), "
          f"{parsed.rows} rows → {len(parsed.territories)} territories, {epci} EPCI memberships, "
          f"{len(parsed.warnings)} warning(s); wrote {output / CSV_NAME} and "
          f"{output / DESCRIPTION} (graph/{args.graph_name}). Run `territoires validate` or "
          "`territoires build` next.")
    return 0


def add_parser(commands) -> None:
    """The `import-territoires` subcommand (called from cli.py)."""
    p = commands.add_parser("import-territoires",
                            help="import an official list of territories (per commune or per EPCI)")
    p.add_argument("file", metavar="FILE", help="the published CSV file")
    p.add_argument("--layout", choices=["auto", LAYOUT_COMMUNE, LAYOUT_EPCI], default="auto",
                   help="per commune (insee_com…) or per EPCI (siren_epci…); auto by the columns")
    p.add_argument("--column", action="append", metavar="LOGICAL=NAME",
                   help="the file's name for a column: " + ", ".join(COLUMNS)
                   + " (repeatable), e.g. --column insee_com=CODGEO")
    p.add_argument("--output", help="output directory (default data/territoires-import/)")
    p.add_argument("--graph-name", default="territoires-import",
                   help="the named graph: graph/NAME (default territoires-import)")
    p.add_argument("--phase", default="2", help="programme phase of the list (default 2)")
    p.add_argument("--date-labellisation", help="label date (default: the phase's start)")
    p.add_argument("--fin-mandat", help="end of the term (default: the phase's end)")
    p.add_argument("--licence", default=LICENCE_OUVERTE, help="licence IRI of the list")
    p.add_argument("--source-url", help="where the list was published (dcterms:source)")
    p.add_argument("--retrieved-on", type=date.fromisoformat, help="retrieval date (default today)")
    p.set_defaults(run=command)
