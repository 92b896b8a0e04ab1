"""Data extension of the reconciliation service: the columns OpenRefine can add once a column is
reconciled ("Add columns from reconciled values"), in the 0.2 protocol and the 1.0 draft.

- property proposals: the properties an entity type has (`propose(type)`);
- an extension: for entity ids (as the service gives them: `epci/242500361`) and property ids,
  the values, read in one query (territoires/queries/lookup/extend.rq) for the whole batch:
  `population` (an integer) and `populationSource` (the title and version of the graph stating
  it: its vintage), `siren`, `codeInsee` (strings), `epci`, `departement`, `region`, `territoire`
  (entities, with their French names).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from ... import queries
from ...store import Store
from .types import TYPES, class_iri, type_mask

MAX_IDS = 100
MAX_PROPERTIES = 10


class BadExtension(ValueError):
    """An extension request that cannot be answered as asked (a 400, saying why)."""


@dataclass(frozen=True)
class ExtensionProperty:
    id: str
    name: str
    description: str
    kind: str                  # "int", "str" or an entity type key ("epci", …)
    types: tuple[str, ...]     # the entity types (TYPES keys) that have it


PLACES = ("commune", "commune-deleguee")
PROPERTIES = [
    ExtensionProperty("population", "population", "population légale (commune : totale ; EPCI : "
             "totale) / legal population", "int", ("commune", "epci")),
    ExtensionProperty("populationSource", "millésime de la population / population vintage",
             "source, millésime et version de la population / where the population comes from",
             "str", ("commune", "epci")),
    ExtensionProperty("siren", "SIREN", "numéro SIREN / SIREN number", "str", ("epci", "commune")),
    ExtensionProperty("codeInsee", "code Insee / INSEE code", "code officiel géographique",
             "str", (*PLACES, "departement", "region")),
    ExtensionProperty("epci", "EPCI", "l'intercommunalité de la commune / the commune's EPCI", "epci",
             ("commune",)),
    ExtensionProperty("departement", "département", "le département / the département", "departement",
             ("territoire", "epci", *PLACES)),
    ExtensionProperty("region", "région / region", "la région / the region", "region",
             ("territoire", "epci", *PLACES, "departement")),
    ExtensionProperty("territoire", "territoire d'industrie / industry territory",
             "le territoire d'industrie dont l'entité fait partie / the industry territory it is "
             "part of", "territoire", ("epci", "commune")),
]
BY_ID = {p.id: p for p in PROPERTIES}
_TYPE_KEYS = [t.key for t in TYPES]


def propose(type_id: str | None, ti: str, limit: int | None = None) -> list[ExtensionProperty]:
    """The properties of a type (every property when no type is given)."""
    if not type_id:
        found = PROPERTIES
    else:
        try:
            mask = type_mask(type_id, ti)
        except ValueError as error:
            raise BadExtension(f"type: {error}") from None
        keys = {key for i, key in enumerate(_TYPE_KEYS) if mask & (1 << i)}
        found = [p for p in PROPERTIES if keys & set(p.types)]
    return found[:limit] if limit else found


def meta(prop: ExtensionProperty, ti: str) -> dict:
    """A column's description; an entity-valued one names the type of its values."""
    described = {"id": prop.id, "name": prop.name}
    if prop.kind in _TYPE_KEYS:
        kind = TYPES[_TYPE_KEYS.index(prop.kind)]
        described["type"] = {"id": class_iri(kind, ti), "name": kind.name}
    return described


def parse(query, base: str) -> tuple[list[str], list[ExtensionProperty]]:
    """A data extension query, `{"ids": […], "properties": [{"id": …}]}`, checked."""
    if not isinstance(query, dict):
        raise BadExtension('extend: a JSON object {"ids": […], "properties": [{"id": …}]}')
    ids, props = query.get("ids"), query.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadExtension("extend.ids: a list of entity ids (strings)")
    if not isinstance(props, list) or not all(isinstance(p, dict) for p in props):
        raise BadExtension('extend.properties: a list of {"id": …}')
    if len(ids) > MAX_IDS or len(props) > MAX_PROPERTIES:
        raise BadExtension(f"extend: at most {MAX_IDS} ids and {MAX_PROPERTIES} properties")
    if not all(isinstance(p.get("id"), str) for p in props):   # an object or a list is no key
        raise BadExtension('extend.properties[].id: a property id, a string ("population")')
    unknown = [str(p.get("id"))[:100] for p in props if p.get("id") not in BY_ID]
    if unknown:
        raise BadExtension(f"extend.properties: unknown {', '.join(map(repr, unknown))}; "
                           f"known: {', '.join(BY_ID)}")
    for i in ids:
        _iri(i, base)
    return ids, [BY_ID[p["id"]] for p in props]


def _iri(entity_id: str, base: str) -> str:
    """An entity id as the service gives it (`epci/242500361`), or its IRI, as an IRI."""
    iri = entity_id if entity_id.startswith(base) else f"{base}id/{entity_id}"
    try:
        return ox.NamedNode(iri).value
    except ValueError:
        raise BadExtension(f"extend.ids: not an entity id: {entity_id[:100]!r}") from None


def values(live: Store, ids: list[str], props: list[ExtensionProperty]) -> dict[str, dict[str, list]]:
    """{entity id: {property id: [value, …]}} in the protocol's value objects: `{"int": …}`,
    `{"str": …}`, `{"id": …, "name": …}`; every id and property is there, if only empty."""
    base, prefix = live.base, live.base + "id/"
    asked = {_iri(i, base): i for i in ids}
    found: dict[str, dict[str, list]] = {i: {p.id: [] for p in props} for i in ids}
    seen: dict[tuple[str, str], set] = defaultdict(set)
    wanted = {p.id: p for p in props}
    rows = live.select(queries.get("lookup/extend"),
                       entity=[ox.NamedNode(iri) for iri in asked]) if asked else []
    for row in rows:
        entity, key = asked.get(row["entity"].value), row["key"].value
        if entity is None or key not in wanted:
            continue
        value = _value(wanted[key], row["value"], row["label"], prefix)
        marker = repr(sorted(value.items()))
        if value and marker not in seen[entity, key]:
            seen[entity, key].add(marker)
            found[entity][key].append(value)
    for columns in found.values():     # the same answer, whatever order the store read
        for listed in columns.values():
            listed.sort(key=lambda v: repr(sorted(v.items())))
    return found


def _value(prop: ExtensionProperty, term, label, prefix: str) -> dict:
    if prop.kind == "int":
        try:
            return {"int": int(term.value)}
        except ValueError:
            return {}
    if prop.kind == "str":
        return {"str": term.value}
    iri = term.value
    local = iri[len(prefix):] if iri.startswith(prefix) else iri
    return {"id": local, "name": label.value if label is not None else local}
