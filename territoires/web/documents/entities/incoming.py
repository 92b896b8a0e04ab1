"""Links to a resource from others, counted by property and paged: a département is named by
hundreds of communes, and a reader sees how many and can page through all of them (never an
arbitrary first fifty)."""

from __future__ import annotations

from ....store import Store
from ..labels import TermLabels
from .data import Known, integer, link, select
from .model import Block, Column, Table, Text

COLUMNS = (Column("ressource", "ressource"), Column("propriete", "par la propriété"))


def incoming_block(live: Store, known: Known, terms: TermLabels) -> Block | None:
    counts = {row["p"].value: integer(row["count"])
              for row in select(live, "incoming-count", resource=known.iri)}
    total = sum(counts.values())
    if not total:
        return None
    rows = [(link(known.hosts, row["s"], row.get("name")), Text(terms.name(row["p"].value)))
            for row in select(live, "incoming-links", resource=known.iri)]
    summary = ", ".join(f"{n} par « {terms.name(p)} »"
                        for p, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    table = Table("liens", COLUMNS, rows, "propriete", f"{total} liens entrants")
    # Within one property, the rows keep the query's stable order (sorting is stable).
    return Block("liens-entrants", f"Liens entrants ({total})", "table", table=table,
                 note=f"{total} ressources ou liens pointent ici : {summary}.")
