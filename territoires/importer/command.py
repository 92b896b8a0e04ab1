"""The `import-territoires` command: its options checked, the file read, and the source written
only when the file has no error."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..sources import snapshot
from ..vocabulary.namespaces import LICENCE_OUVERTE
from .reading import COLUMNS, LAYOUT_COMMUNE, LAYOUT_EPCI, Message, Parsed, parse
from .reference import Reference, VintageReference
from .text import Unreadable
from .writing import (CSV_NAME, DESCRIPTION, BadIri, ImportedFile, checked_iri, csv_text,
    description_turtle, other_definitions, slugs, write_atomically)

# What a phase's territories are labelled for when the list gives no date: the start of the
# phase and the end of its term, as the project's sources state them (see data/article/).
PHASE_DEFAULTS = {"1": ("2018", "2023-11"), "2": ("2023-11", "2027")}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
SHOWN_PER_KIND = 50   # messages of one kind printed before a summary of the rest
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Options:
    mapping: dict[str, str]    # logical column → the file's
    phase: str
    start: str                 # label date
    end: str                   # end of the term


def command(args, settings) -> int:
    """Run `territoires import-territoires`; 0 when written, 1 when the file has errors."""
    out = sys.stderr
    path = Path(args.file)
    try:
        _utf8_name(args.file)
        options = _options(args)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise Unreadable(f"{path}: {error.strerror or error}") from None
        reference = _reference(args, settings)
        parsed = parse(path, data, reference, options.mapping, args.layout)
    except (Unreadable, snapshot.SnapshotError, ValueError) as error:
        print(f"territoires import-territoires: {error}", file=out)
        return 1
    report(parsed.warnings, out)
    output = Path(args.output) if args.output else settings.data_dir / "territoires-import"
    if parsed.errors:
        report(sorted(parsed.errors, key=lambda m: m.line), out)
        print(f"territoires import-territoires: {len(parsed.errors)} error(s); nothing written "
              f"to {output}", file=out)
        return 1
    known_dates = _known_dates(path, parsed, other_definitions(settings.data_dir, output))
    turtle = description_turtle(
        args.graph_name, ImportedFile(path.name, hashlib.sha256(data).hexdigest(), len(data)),
        args.licence, args.retrieved_on or date.today(), args.source_url, parsed,
        {"phase": options.phase, "date_labellisation": options.start,
         "fin_mandat": options.end})
    try:
        write_atomically({output / CSV_NAME: csv_text(
            parsed, options.phase, options.start, options.end, reference.epci_name,
            known_dates, f"graph/{args.graph_name}#fichier"), output / DESCRIPTION: turtle})
    except OSError as error:
        print(f"territoires import-territoires: could not write {output}: "
              f"{error.strerror or error}; nothing written", file=out)
        return 1
    epci = sum(len(t.epci) for t in parsed.territories.values())
    print(f"{path}: {parsed.layout} layout ({parsed.encoding}, {parsed.delimiter!r}), "
          f"{parsed.rows} rows → {len(parsed.territories)} territories, {epci} EPCI memberships, "
          f"{len(parsed.warnings)} warning(s); wrote {output / CSV_NAME} and "
          f"{output / DESCRIPTION} (graph/{args.graph_name}). Run `territoires validate` or "
          "`territoires build` next.")
    return 0


def _reference(args, settings) -> Reference:
    """The current reference, or the vintage of `--millesime` carried forward to it."""
    if args.millesime is None:
        return Reference.read(settings.data_dir / "reference")
    return VintageReference.read_vintage(settings.data_dir / "reference",
                                         settings.data_dir / "historique", args.millesime)


def report(messages: list[Message], out) -> None:
    """Each message, up to SHOWN_PER_KIND of a kind; then how many more of each kind there were
    (a list of a million rows must not print a million lines)."""
    shown: dict[str, int] = {}
    for message in messages:
        shown[message.kind] = shown.get(message.kind, 0) + 1
        if shown[message.kind] <= SHOWN_PER_KIND:
            print(message, file=out)
    for kind, count in shown.items():
        if count > SHOWN_PER_KIND:
            print(f"… and {count - SHOWN_PER_KIND:,} more like: {kind}", file=out)


def _utf8_name(name: str) -> None:
    """The file's name goes into the source's description (its title): a name that is not
    UTF-8 (bytes Python kept as surrogates) cannot be written there, so it is refused first."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(name).decode("utf-8", "backslashreplace")
        raise Unreadable(f"{shown}: the file name is not UTF-8; rename the file "
                         f"(e.g. with convmv) and import it again") from None


def _options(args) -> Options:
    mapping = _column_options(args.column)
    phase = str(args.phase)
    if not phase.isdigit():
        raise Unreadable(f"--phase {phase!r} is not a number")
    start_default, end_default = PHASE_DEFAULTS.get(phase, (None, None))
    start = args.date_labellisation or start_default
    end = args.fin_mandat or end_default
    if not start or not end:
        raise Unreadable(f"phase {phase}: give --date-labellisation and --fin-mandat")
    for option, value in (("--date-labellisation", start), ("--fin-mandat", end)):
        if not DATE.match(value):
            raise Unreadable(f"{option} {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    try:
        checked_iri("--licence", args.licence)
        if args.source_url is not None:
            checked_iri("--source-url", args.source_url, web=True)
    except BadIri as error:
        raise Unreadable(str(error)) from None
    if not NAME.match(args.graph_name):
        raise Unreadable(f"--graph-name {args.graph_name!r} is not a slug (a-z, 0-9, -)")
    return Options(mapping, phase, start, end)


def _column_options(values: list[str]) -> dict[str, str]:
    mapping = {}
    for value in values or []:
        logical, sep, actual = value.partition("=")
        if not sep or not actual or logical not in COLUMNS:
            raise Unreadable(f"--column {value!r}: expected LOGICAL=NAME with LOGICAL one of "
                             f"{', '.join(COLUMNS)}")
        mapping[logical] = actual
    return mapping


def _known_dates(path: Path, parsed: Parsed, elsewhere: dict) -> dict[str, tuple[str, str]]:
    """The dates of territories another source already defines (slug → label date, end of
    term): kept, so both agree; each is reported as a warning."""
    known = {}
    for key, slug in sorted(slugs(parsed.territories).items(), key=lambda kv: kv[1]):
        if slug in elsewhere:
            where, row = elsewhere[slug]
            known[slug] = (row["date_labellisation"], row["fin_mandat"])
            print(Message(str(path), parsed.territories[key].line,
                          f"territoire {slug} is also defined at {where}: its dates "
                          f"{row['date_labellisation']}–{row['fin_mandat']} are kept; name and "
                          "phase must agree too", True), file=sys.stderr)
    return known


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
    p.add_argument("--millesime", type=int, metavar="YYYY",
                   help="the COG year the list's codes are given in (default: the current one); "
                        "each code is carried forward to the current geography with a warning "
                        "per code that changed")
    p.add_argument("--licence", default=str(LICENCE_OUVERTE), help="licence IRI of the list")
    p.add_argument("--source-url", help="where the list was published (dcterms:source)")
    p.add_argument("--retrieved-on", type=date.fromisoformat, help="retrieval date (default today)")
    p.set_defaults(run=command)
