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

from .command import (
    KINDS,
    LINKERS,
    Linker,
    LinkRun,
    SparqlClient,
    SparqlError,
    command,
    linker_agent,
    linker_for,
    read_codes,
    run,
)

__all__ = ["KINDS", "LINKERS", "Linker", "LinkRun", "SparqlClient", "SparqlError", "command",
           "linker_agent", "linker_for", "read_codes", "run"]
