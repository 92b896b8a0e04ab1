"""Links to other knowledge graphs by official code: `territoires link wikidata|insee`.

    territoires link wikidata --contact ops@example.org        # Wikidata items (owl:sameAs)
    territoires link insee                                      # Insee COG versions (skos:exactMatch)
    territoires link insee --reference-date 2026-01-01 --kinds commune,epci
    territoires link wikidata --endpoint http://127.0.0.1:7878/query --batch-size 50
    territoires link wikidata --restart                         # forget an interrupted run

Options: `--endpoint` (default https://query.wikidata.org/sparql, https://rdf.insee.fr/sparql),
`--batch-size` (codes per query, default 200), `--timeout` (seconds per request, default 60),
`--retries` (further attempts of a failing request, default 5: exponential back-off from 2 s,
or the server's `Retry-After` on 429/503), `--output` (default `data/links/{wikidata,insee}/`),
`--reference-date` (Insee: the version valid on that day, default 2026-01-01), `--kinds`
(comma-separated among region, departement, epci, commune, arrondissement-municipal,
commune-deleguee, commune-associee; default all the linker knows), `--resume` (default: skip the
batches a previous, interrupted run finished) or `--restart`, `--contact` (e-mail or URL put in
the User-Agent; env TERRITOIRES_CONTACT; the Wikimedia policy asks for one).

Our codes are read from the reference snapshot (`data/reference/*.csv.gz`): no build needed.
Output, in the output directory: `liens.ttl` (links, relative IRIs, sorted), `source.ttl`
(the graph `graph/liens-wikidata` / `graph/liens-insee`, a `ti:SourceGraph` and `void:Linkset`
with endpoint, queries, retrieval date, licence, predicate, target and count), `rapport.json`
(codes with several candidates, none, or a candidate shared with another entity: never linked),
and while running `progression.json` (finished batches). The next `territoires build` picks the
directory up as a source like any other and validates it. Progress and errors go to stderr;
the exit status is 1 if the endpoint could not be queried (the finished batches are kept).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

from . import insee, wikidata
from .client import SparqlClient, SparqlError, user_agent
from .codes import KINDS, CodesError, read_codes
from .linker import Linker, Outcome, run

DEFAULT_REFERENCE_DATE = date(2026, 1, 1)   # the COG 2026 of data/reference/
LINKERS = ("wikidata", "insee")


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
    client = SparqlClient(args.endpoint or linker.endpoint, user_agent(contact, settings.base_uri),
                          timeout=args.timeout, retries=args.retries, log=_stderr)
    output = Path(args.output) if args.output else settings.data_dir / "links" / args.target
    say(f"[{args.target}] {sum(map(len, codes.values())):,} codes → {client.endpoint} "
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


__all__ = ["KINDS", "LINKERS", "Linker", "Outcome", "SparqlClient", "SparqlError", "command",
           "linker_for", "read_codes", "run", "user_agent"]
