"""The kinds of documents the linked-data routes serve, each saying what it describes and how
people see it: a resource (its triples, its fragments', its links), the ontology (the whole
ontology graph), the shapes (those the build was validated with), and nothing (a path that makes
no IRI, or a shape other than the published one)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import render_template

from ...vocabulary import formats
from ... import queries
from ...vocabulary.namespaces import FOAF, RDFS, Vocabulary
from ...store import Store
from ..context import context
from ..hosts import HostMap
from . import entities, vocabulary
from ..answer import Described, Target
from ..memento import history
from .labels import term_labels
from .view import ViewBuilder

ONTOLOGY = "def/territoires"
SHAPES = "shapes/territoires"


class Resource:
    def describe(self, live: Store, target: Target) -> Described | None:
        # Kept for the build: each sorted or paged variant of a page describes it again, and a
        # région's description reads thousands of links (a third of a second).
        key = ("described", target.iri, target.path, live.version, live.base)
        kept = context().documents.get(key)
        if kept is not None:
            return kept.described
        document = live.describe(target.iri)
        if not document.exists:
            return None
        meta = _about_the_document(live.base, target, document.more_incoming)
        described = Described(document.quads + meta, document)
        context().documents.put(key, _Kept(described))
        return described

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        document = described.content
        terms = term_labels(live)
        view = ViewBuilder(document, terms, host).build()
        entity = entities.model(live, document, host, terms)
        resource = ox.NamedNode(target.iri)
        return render_template(
            "resource.html", view=view, entity=entity,
            tables=entities.table_views(entity, target.view, live, host, target.path),
            hosts=host,
            document_path=target.path, formats=formats.DOCUMENTS,
            incoming_query=all_incoming(resource), reproducing_query=reproducing(resource),
            version=live.version,
            timeline=history.on_a_date(live, host.root, target.thing or ""))


    def history(self, target: Target, root: str) -> list[str]:
        """A commune, an EPCI or a territory says where its TimeGate and TimeMap are."""
        return history.original(root, target.thing or "")


class _Kept:
    """A description in the cache of documents, weighed by its quads."""

    def __init__(self, described: Described):
        self.described = described
        self.size = 1024 + 300 * len(described.quads)

    def __len__(self) -> int:
        return self.size


def all_incoming(resource: ox.NamedNode) -> str:
    """The query listing every link to the resource, for a reader to run."""
    return queries.get("documents/all-incoming").values({"resource": resource})


def reproducing(resource: ox.NamedNode) -> str:
    """The query that reproduces the resource's document, for a reader to run."""
    return queries.get("documents/reproducing").values({"resource": resource})


def _about_the_document(base: str, target: Target, truncated: bool) -> list[ox.Quad]:
    """What the document says about itself: its topic, and where the incoming links it left
    out can be listed (a SPARQL query URL on the canonical base)."""
    document = ox.NamedNode(base + target.path)
    quads = []
    if target.thing is not None:
        quads.append(ox.Quad(document, ox.NamedNode(str(FOAF.primaryTopic)),
                             ox.NamedNode(target.iri)))
    if truncated:
        query = all_incoming(ox.NamedNode(target.iri))
        quads.append(ox.Quad(document, ox.NamedNode(str(RDFS.seeAlso)),
                             ox.NamedNode(HostMap(base, base).sparql(query))))
    return quads


class Ontology:
    def describe(self, live: Store, target: Target) -> Described:
        return Described(live.graph(str(Vocabulary(live.base).graph("ontologie"))))

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        view = vocabulary.ontology(described.quads, host.base + ONTOLOGY, term_labels(live), host)
        return render_template("ontology.html", doc=view, hosts=host, document_path=ONTOLOGY,
                               formats=formats.DOCUMENTS)


class Shapes:
    def describe(self, live: Store, target: Target) -> Described | None:
        triples = live.shapes()
        if not triples:
            return None
        return Described([ox.Quad(t.subject, t.predicate, t.object) for t in triples], triples)

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        view = vocabulary.shapes(described.content, host.base + SHAPES, term_labels(live), host)
        return render_template("shapes.html", doc=view, hosts=host, document_path=SHAPES,
                               formats=formats.DOCUMENTS)


class Nothing:
    def describe(self, live: Store, target: Target) -> None:
        return None

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        raise AssertionError("nothing has no page")
