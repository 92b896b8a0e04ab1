"""Writing the import as a source of the project: `territoires.csv` in the project's layout
(data/territoires/README.md) and the `source.ttl` that describes its named graph, each file
replaced whole."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.term import _is_valid_uri

from ..vocabulary.names import fold
from .reading import LAYOUT_COMMUNE, Parsed, Territory
from .text import delimiter

CSV_NAME = "territoires.csv"
DESCRIPTION = "source.ttl"
OUTPUT_COLUMNS = ["territoire", "nom", "phase", "date_labellisation", "fin_mandat", "epci_siren",
                  "epci_nom", "identifiant_officiel", "source", "deduit", "raisonnement"]
# The published lists give no dates: they are the phase's (or another source's), so deduced.
DATES_DEDUCED = ("Le fichier importé ne donne pas de dates : ce sont celles de la phase, ou celles "
                 "d'une autre source du projet qui date ce territoire.")
EPCI_DEDUCED = " Les EPCI sont déduits des communes listées, par le graphe de référence."


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


def csv_text(parsed: Parsed, phase: str, start: str, end: str, epci_names: dict[str, str],
             known_dates: dict[str, tuple[str, str]] = {}, source: str = "") -> str:
    """The rows in the project's layout; `epci_names` (SIREN → reference name) fills `epci_nom`,
    which the build checks against the SIREN; `known_dates` (slug → label date, end of term)
    keeps the dates of territories another source already dates more precisely, so both agree.
    Each row cites `source` (the imported file, as described in source.ttl) and says what is
    deduced."""
    deduced = "date_labellisation fin_mandat"
    reasoning = DATES_DEDUCED
    if parsed.layout == LAYOUT_COMMUNE:
        deduced, reasoning = deduced + " epci", reasoning + EPCI_DEDUCED
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    names = slugs(parsed.territories)
    for key, territory in sorted(parsed.territories.items(), key=lambda kv: names[kv[0]]):
        first, last = known_dates.get(names[key], (start, end))
        for siren in sorted(territory.epci):
            writer.writerow([names[key], territory.name, phase, first, last, siren,
                             epci_names[siren], territory.identifier, source, deduced,
                             reasoning])
    return buffer.getvalue()


def _lit(text: str) -> str:
    """A Turtle string, written by rdflib (quotes, backslashes and line ends escaped)."""
    return Literal(text).n3()


def _iri(value: str) -> str:
    """A Turtle IRI, written by rdflib, of an IRI `checked_iri` accepted."""
    return URIRef(value).n3()


class BadIri(ValueError):
    """An option that should be an absolute IRI and is not."""


def checked_iri(option: str, value: str, web: bool = False) -> str:
    """`value` if it is an absolute IRI that can be written as one (no space, `<`, `>`, `"`,
    braces…: rdflib's test), with a host when `web`; raises BadIri saying why otherwise. A
    value spliced into `<…>` unchecked could close it and add triples of its own."""
    parts = urlsplit(value)
    if not parts.scheme or not _is_valid_uri(value) or any(ord(c) < 0x21 for c in value):
        raise BadIri(f"{option} {value[:200]!r} is not an absolute IRI (a scheme, no space, "
                     f"no <>\"{{}}|\\^`)")
    if web and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise BadIri(f"{option} {value[:200]!r} is not an http(s) URL")
    return value


PREFIXES = [
    "@prefix ti: <def/territoires#> .",
    "@prefix dcterms: <http://purl.org/dc/terms/> .",
    "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
    "@prefix prov: <http://www.w3.org/ns/prov#> .",
    "@prefix pav: <http://purl.org/pav/> .",
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    "@prefix spdx: <http://spdx.org/rdf/terms#> .",
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
]


@dataclass(frozen=True)
class ImportedFile:
    """The publisher's file as the description records it."""
    name: str
    sha256: str
    size: int


def description_turtle(graph_name: str, imported: ImportedFile, licence: str,
                       retrieved_on: date, source_url: str | None, parsed: Parsed,
                       options: dict[str, str]) -> str:
    """The `source.ttl` of the imported source, written with relative IRIs as every source of
    the project is (no `@base`: the build resolves them against its base)."""
    graph = f"graph/{graph_name}"
    lines = [f"# Description of graph/{graph_name}, written by `territoires import-territoires`.",
             *PREFIXES, ""]
    lines += _graph(graph, imported.name, licence, retrieved_on, source_url, parsed.layout)
    lines += _file_and_import(graph, imported, _summary(parsed, options))
    return "\n".join(lines) + "\n"


def _graph(graph: str, file_name: str, licence: str, retrieved_on: date, source_url: str | None,
           layout: str) -> list[str]:
    derived_fr = (", déduits des communes listées grâce au graphe de référence."
                  if layout == LAYOUT_COMMUNE else ".")
    derived_en = (", derived from the listed communes with the reference graph."
                  if layout == LAYOUT_COMMUNE else ".")
    lines = [
        f"<{graph}> a ti:SourceGraph ;",
        f"    dcterms:title {_lit('Liste officielle des Territoires d’industrie (' + file_name + ')')}@fr ,",
        f"        {_lit('Official list of the Territoires d’industrie (' + file_name + ')')}@en ;",
        f"    dcterms:description {_lit('Territoires et EPCI importés du fichier publié ' + file_name + ' ; les EPCI sont désignés par leur SIREN officiel' + derived_fr)}@fr ,",
        f"        {_lit('Territories and EPCI imported from the published file ' + file_name + '; EPCI are named by their official SIREN' + derived_en)}@en ;",
        f"    prov:wasDerivedFrom <{graph}#fichier> , <graph/cog> ;",
        f"    prov:wasGeneratedBy <{graph}#import> ;",
    ]
    if source_url:
        lines.append(f"    dcterms:source {_iri(source_url)} ;")
    return lines + [f"    dcterms:license {_iri(licence)} ;",
                    f"    pav:retrievedOn \"{retrieved_on.isoformat()}\"^^xsd:date .", ""]


def _file_and_import(graph: str, imported: ImportedFile, summary: str) -> list[str]:
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return [
        f"<{graph}#fichier> a prov:Entity , dcat:Distribution ;",
        f"    dcterms:title {_lit(imported.name)} ;",
        f"    dcat:byteSize \"{imported.size}\"^^xsd:nonNegativeInteger ;",
        f"    spdx:checksum <{graph}#sha256> .",
        "",
        f"<{graph}#sha256> a spdx:Checksum ;",
        "    spdx:algorithm spdx:checksumAlgorithm_sha256 ;",
        f"    spdx:checksumValue \"{imported.sha256}\"^^xsd:hexBinary .",
        "",
        f"<{graph}#import> a prov:Activity ;",
        "    rdfs:label \"Import de la liste par territoires import-territoires\"@fr , "
        "\"Import of the list by territoires import-territoires\"@en ;",
        f"    prov:used <{graph}#fichier> , <graph/cog> ;",
        f"    prov:endedAtTime \"{now}\"^^xsd:dateTime ;",
        f"    rdfs:comment {_lit(summary)}@fr .",
    ]


def _summary(parsed: Parsed, options: dict[str, str]) -> str:
    epci = sum(len(t.epci) for t in parsed.territories.values())
    return (f"Mise en page « {parsed.layout} », encodage {parsed.encoding}, séparateur "
            f"{parsed.delimiter!r} ; {parsed.rows} ligne(s), {len(parsed.territories)} "
            f"territoire(s), {epci} adhésion(s) d'EPCI ; {len(parsed.warnings)} avertissement(s). "
            f"Colonnes : " + ", ".join(f"{k}={v}" for k, v in sorted(parsed.columns.items()))
            + " ; options : " + ", ".join(f"{k}={v}" for k, v in sorted(options.items())) + ".")


def write_atomically(files: dict[Path, str]) -> None:
    """Each file replaced whole, all of them or none: every text is encoded and written aside
    first, and a failure on the way removes what was written aside (no stray temporary file)."""
    encoded = {path: text.encode("utf-8") for path, text in files.items()}   # fails before any
    aside: dict[Path, str] = {}
    try:
        for path, data in encoded.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, aside[path] = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
    except BaseException:
        for tmp in aside.values():
            Path(tmp).unlink(missing_ok=True)
        raise
    for path, tmp in aside.items():
        os.replace(tmp, path)


def other_definitions(data_dir: Path, output: Path) -> dict[str, tuple[str, dict[str, str]]]:
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
