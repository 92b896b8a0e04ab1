"""What an entity's page is made from: rows of the named queries of `territoires/queries/pages/`
(run through the store interface, values bound as terms), and the resource's own document (its
triples and its fragments', its neighbours' names)."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from .... import queries
from ....vocabulary.namespaces import RDF
from ....store import Document, Store
from ...hosts import HostMap
from ..labels import pick
from ..view import names_of
from .french import number
from .model import Text


def select(live: Store, name: str, **bindings: str) -> list[dict[str, ox.Term]]:
    """The rows of the query `pages/<name>`, each IRI binding given as a string."""
    terms = {key: ox.NamedNode(value) for key, value in bindings.items()}
    rows = live.select(queries.get(f"pages/{name}"), **terms)
    variables = [(v, v.value) for v in rows.variables]
    return [{name: row[v] for v, name in variables if row[v] is not None} for row in rows]


def values(live: Store, name: str, **bindings: str) -> list[tuple[str | None, ...]]:
    """The rows of the query `pages/<name>` as tuples of plain values, in the order of its
    projected variables: cheaper than `select` for thousands of rows."""
    terms = {key: ox.NamedNode(value) for key, value in bindings.items()}
    rows = live.select(queries.get(f"pages/{name}"), **terms)
    width = len(rows.variables)
    return [tuple(row[i].value if row[i] is not None else None for i in range(width))
            for row in rows]


def table_query(live: Store, name: str, **bindings: str) -> str:
    """The query `tables/<name>` for a reader to run on /sparql: its values bound by a VALUES
    block, the build's base declared (its rows are those of a page's table)."""
    terms = {key: ox.NamedNode(value) for key, value in bindings.items()}
    return queries.with_base(queries.get(f"tables/{name}").values(terms), live.base)


def integer(term) -> int | None:
    try:
        return int(term.value)
    except (AttributeError, ValueError):
        return None


class Known:
    """The resource's document, read as facts: values of a subject's predicate, names."""

    def __init__(self, document: Document, hosts: HostMap, ti: str):
        self.iri = document.iri
        self.hosts = hosts
        self.ti = ti
        self.names = names_of(document.quads)
        self.facts: dict[tuple[str, str], list] = defaultdict(list)
        for quad in document.own:
            self.facts[(quad.subject.value, quad.predicate.value)].append(quad.object)

    def all(self, predicate: str, subject: str | None = None) -> list:
        return self.facts.get((subject or self.iri, predicate), [])

    def one(self, predicate: str, subject: str | None = None):
        found = self.all(predicate, subject)
        return found[0] if found else None

    def term(self, local: str, subject: str | None = None):
        """The first value of `ti:<local>`."""
        return self.one(self.ti + local, subject)

    def types(self) -> set[str]:
        return {t.value for t in self.all(str(RDF.type))}

    def name(self, iri: str) -> str:
        return pick(self.names.get(iri, {})) or iri.rsplit("/", 1)[-1]

    def link(self, iri: str, name: str | None = None) -> Text:
        return Text(name or self.name(iri), self.hosts.url(iri))


def link(hosts: HostMap, term, name=None) -> Text:
    """A link to a term of a row, named by another term of it (a literal), its language kept."""
    if term is None:
        return Text("")
    text = name.value if name is not None else term.value.rsplit("/", 1)[-1]
    lang = getattr(name, "language", None) or ""
    return Text(text, hosts.url(term.value), "" if lang in ("", "fr") else lang)


def figure(term, unit: str = "") -> Text:
    """A figure of a row, written in French, sorted as a number, its value kept for machines."""
    return count(integer(term), unit)


def count(value: int | None, unit: str = "") -> Text:
    """A figure, written in French, sorted as a number, its value kept for machines."""
    if value is None:
        return Text("—", sort=-1)
    return Text(number(value) + (f" {unit}" if unit else ""), sort=value, value=str(value))
