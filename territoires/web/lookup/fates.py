"""What became of a former entity, in words: "Ancienne commune", "fusionnée dans
Éternoz-Vallée-du-Lison (absente du COG depuis 2025)"; and which commune a commune déléguée or
associée belongs to. Search shows them, so that a former commune and the commune déléguée it
became are no longer two rows that look the same."""

from __future__ import annotations

import re

from ... import queries
from ...store import Store

FORMER = {"Commune": "Ancienne commune", "EPCI": "Ancien EPCI"}


def successors(index, store: Store) -> dict[int, tuple[int, str, str]]:
    """{entity: (the entity it became part of, the local name of what it was, the first COG
    vintage without it)}, from territoires/queries/lookup/successors.rq."""
    found: dict[int, tuple[int, str, str]] = {}
    for row in store.select(queries.get("lookup/successors")):
        n, m = index._entity(row["entity"].value), index._entity(row["successor"].value)
        if n is None or m is None:
            continue
        was, end = row["was"], row["end"]
        found[n] = (m, was.value.rsplit("#", 1)[-1] if was else "", _year(end.value) if end else "")
    return found


def kind(index, n: int) -> str:
    """What an entity is: its type's name, or what a former one was ("Ancienne commune")."""
    was = index.successor.get(n, (0, "", ""))[1]
    if index.is_former(n) and was:
        return FORMER.get(was, f"Ancien {was}")
    return index.primary_type(n).name.split(" / ")[0]


def fate(index, n: int) -> str:
    """What became of a former entity, or the commune a commune déléguée belongs to; ""
    for the others."""
    if n not in index.successor:
        return ""
    m, _, end = index.successor[n]
    if index.is_former(n):
        return f"fusionnée dans {index.names[m]}" + (f" (absente du COG depuis {end})" if end else "")
    return f"rattachée à {index.names[m]}"


def _year(iri: str) -> str:
    """The year of a vintage's IRI (".../millesime/2025#debut" → "2025")."""
    found = re.search(r"/(\d{4})(?:#|$)", iri)
    return found.group(1) if found else ""
