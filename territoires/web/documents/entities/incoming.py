"""Links to a resource from others, counted by property and paged: a département is named by
hundreds of communes, and a reader sees how many and can page through all of them (never an
arbitrary first fifty). Every link is listed in the page's model (property, IRI: cheap even for
a région's thousands); only the slice shown is named, when it is rendered (`name_slice`)."""

from __future__ import annotations

import pyoxigraph as ox

from .... import queries
from ....store import Store
from ...hosts import HostMap
from ..labels import TermLabels
from .data import Known, integer, select, table_query, values
from .french import date, number, of, plural
from .model import Block, Column, Table, Text

COLUMNS = (Column("ressource", "ressource"), Column("propriete", "par la propriété"))
TABLE = "liens"


def incoming_block(live: Store, known: Known, terms: TermLabels) -> Block | None:
    counts = {row["p"].value: integer(row["count"])
              for row in select(live, "incoming-count", resource=known.iri)}
    total = sum(counts.values())
    if not total:
        return None
    # Projected: ?resource ?p ?s.
    links = sorted({(p, s) for _, p, s in values(live, "incoming-links", resource=known.iri)},
                   key=lambda link: (terms.name(link[0]), link[1]))
    # The resource's cell holds its IRI until the slice shown is named; sorted by IRI.
    rows = [(Text(s.rsplit("/", 1)[-1], known.hosts.url(s), sort=s, value=s),
             Text(terms.name(p))) for p, s in links]
    summary = ", ".join(f"{n} par « {terms.name(p)} »"
                        for p, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    table = Table(TABLE, COLUMNS, rows, "propriete", plural(total, "lien entrant", "liens entrants"),
                  query=table_query(live, "incoming-links", resource=known.iri))
    who = "ressource ou lien pointe" if total == 1 else "ressources ou liens pointent"
    return Block("liens-entrants", f"Liens entrants ({total})", "table", table=table,
                 note=f"{number(total)} {who} ici : {summary}.",
                 folded=f"Les {number(total)} liens, un par un" if total > 1 else "Voir le lien")


def name_slice(live: Store, rows: list[tuple[Text, ...]], hosts: HostMap) -> list[tuple]:
    """The rows shown, each resource named (French first; a membership by its role and
    organisation, an event by its kind and date, a perimeter's gap by its explanation; its
    IRI's end when it has no name)."""
    iris = [row[0].value for row in rows]
    if not iris:
        return rows
    best: dict[str, tuple[float, str, str]] = {}
    for found in live.select(queries.get("pages/names"), s=[ox.NamedNode(iri) for iri in iris]):
        iri, name = found["s"].value, found["name"]
        if name is not None:
            lang = name.language or ""
            rank, text = (0 if lang in ("fr", "") else 2), name.value
        elif found["date"] is not None:
            # an event of the history, by its plainest kind (the shortest label: `fusion de
            # communes` over `création de commune nouvelle`) and its date
            rank, lang = 1.5 + len(found["kind"].value) / 1000, ""
            text = f"{found['kind'].value} du {date(found['date'].value)}"
        else:
            # a membership: `rôle de référent industriel du territoire …` (its role, where)
            rank, lang = 1, ""
            text = f"rôle de {found['role'].value} {of(found['in'].value)}"
        if iri not in best or rank < best[iri][0]:
            best[iri] = (rank, text, "" if lang in ("fr", "") else lang)
    return [(Text(best[row[0].value][1], row[0].href, best[row[0].value][2])
             if row[0].value in best else row[0], *row[1:]) for row in rows]
