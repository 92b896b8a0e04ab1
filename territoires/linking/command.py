"""The `territoires link wikidata|insee` command: options checked, codes read, the linker run
(usage in the package's docstring)."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

from ..store.sparql_client import Retries, SparqlClient, SparqlError, user_agent
from . import insee, wikidata
from .codes import KINDS, CodesError, read_codes
from .linker import Linker, LinkRun, run

DEFAULT_REFERENCE_DATE = date(2026, 1, 1)   # the COG 2026 of data/reference/
LINKERS = ("wikidata", "insee")
BACKOFF = 2.0   # seconds before the first retry; doubles on each


def linker_agent(contact: str = "", home: str = "") -> str:
    """The linkers' User-Agent: their own product name, with the operator's contact."""
    return user_agent(contact, home, product="territoires-linker")


def linker_for(name: str, reference_date: date = DEFAULT_REFERENCE_DATE) -> Linker:
    if name == "wikidata":
        return wikidata.LINKER
    if name == "insee":
        return insee.linker(reference_date)
    raise ValueError(f"unknown linker {name!r}")


def command(args, settings) -> int:
    """The `territoires link` command (see the module's docstring)."""
    prog = f"territoires link {args.target}"
    reference_date = args.reference_date or DEFAULT_REFERENCE_DATE
    linker = linker_for(args.target, reference_date)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()] if args.kinds else linker.kinds
    unknown = [k for k in kinds if k not in linker.kinds]
    if unknown or args.batch_size < 1 or args.retries < 0 or args.timeout <= 0:
        problem = (f"{args.target} links only {', '.join(linker.kinds)}; not {', '.join(unknown)}"
                   if unknown else "--batch-size ≥ 1, --retries ≥ 0 and --timeout > 0 please")
        print(f"{prog}: {problem}", file=sys.stderr)
        return 2
    say = (lambda _: None) if args.quiet else _stderr
    try:
        codes = read_codes(settings.data_dir / "reference", kinds)
    except CodesError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    contact = args.contact if args.contact is not None else os.environ.get("TERRITOIRES_CONTACT", "")
    client = SparqlClient(args.endpoint or linker.endpoint,
                          linker_agent(contact, settings.base_uri), timeout=args.timeout,
                          retries=Retries(args.retries, BACKOFF), log=_stderr)
    output = Path(args.output) if args.output else settings.data_dir / "links" / args.target
    say(f"[{args.target}] {sum(map(len, codes.values())):,} codes → {client.url} "
        f"(User-Agent: {client.agent})")
    try:
        outcome = run(linker, client, codes, output, batch_size=args.batch_size,
                      reference_date=reference_date, restart=args.restart, progress=say)
    except SparqlError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        print(f"{prog}: finished batches are kept in {output}/progression.json; "
              f"run the command again to resume", file=sys.stderr)
        return 1
    for path in outcome.files:
        say(f"[{args.target}] wrote {path}")
    return 0


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
