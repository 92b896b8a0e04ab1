"""Links to a resource from others, counted by property and paged: a département is named by
hundreds of communes, and a reader sees how many and can page through all of them (never an
arbitrary first fifty)."""

from __future__ import annotations

import pyoxigraph as ox

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
    rows = [(link(known.hosts, s, name), Text(terms.name(p)))
            for (p, s), name in _named(select(live, "incoming-links", resource=known.iri))]
    summary = ", ".join(f"{n} par « {terms.name(p)} »"
                        for p, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    table = Table("liens", COLUMNS, rows, "propriete", f"{total} liens entrants")
    # Within one property, the rows keep their IRIs' order (sorting is stable).
    return Block("liens-entrants", f"Liens entrants ({total})", "table", table=table,
                 note=f"{total} ressources ou liens pointent ici : {summary}.")


def _named(rows: list[dict]) -> list[tuple[tuple[str, object], object]]:
    """One row per link, in the order of the linking IRIs, named in French if it can be: its
    own name, else its role and organisation (a membership), else any name."""
    best: dict[tuple[str, object], tuple[int, object]] = {}
    for row in rows:
        name, rank = row.get("name"), 2
        if name is not None and getattr(name, "language", "") in ("fr", ""):
            rank = 0
        elif "role" in row:
            name, rank = ox.Literal(f"{row['role'].value} — {row['in'].value}"), 1
        key = (row["p"].value, row["s"])
        if key not in best or rank < best[key][0]:
            best[key] = (rank, name)
    return [(key, name) for key, (_, name) in sorted(best.items(), key=lambda kv: kv[0][1].value)]
