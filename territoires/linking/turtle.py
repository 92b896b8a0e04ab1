"""A link run's two Turtle files, written by rdflib: `liens.ttl` (the links) and `source.ttl`
(the graph's description: a `ti:SourceGraph` and `void:Linkset`).

Our resources are written as relative IRIs (`<id/commune/25056>`, `<graph/liens-insee>`,
`ti:` as `<def/territoires#>`): the graph holds them as relative terms, which rdflib writes as
they are, so the files are read under whatever base the build is made for, as every curated
source is. rdflib sorts the subjects and their statements: the same links give the same bytes.
"""

from __future__ import annotations

from datetime import date

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, VOID, XSD

from ..vocabulary.namespaces import DATASET_PATH, PAV

TI = Namespace("def/territoires#")     # relative: resolved against the build's base
PREFIXES = {"ti": TI, "dcterms": DCTERMS, "prov": PROV, "pav": PAV, "void": VOID, "rdfs": RDFS,
            "xsd": XSD}


def _graph(linker: "Linker", **prefixes) -> Graph:
    graph = Graph(bind_namespaces="none")
    curie, namespace = linker.predicate
    for prefix, iri in {**prefixes, curie.split(":")[0]: Namespace(namespace)}.items():
        graph.bind(prefix, iri)
    return graph


def predicate(linker: "Linker") -> URIRef:
    curie, namespace = linker.predicate
    return URIRef(namespace + curie.split(":", 1)[1])


def links_turtle(linker: "Linker", links: list[tuple[str, str, str]], report: str) -> str:
    """One statement per linked code: `<id/{kind}/{code}> {predicate} <item>`."""
    graph = _graph(linker)
    for kind, code, item in links:
        graph.add((URIRef(f"id/{kind}/{code}"), predicate(linker), URIRef(iri(item))))
    return (f"# Links to {linker.name}, written by `territoires link {linker.name}`: do not edit.\n"
            f"# One {linker.predicate[0]} per code with exactly one candidate; see {report} "
            f"for the others.\n" + graph.serialize(format="turtle"))


def description_turtle(linker: "Linker", endpoint: str, targets: list["EntityKind"], count: int,
                       retrieved_on: date, times: tuple[str, str], batch_size: int) -> str:
    """The graph's provenance: where, when and how the links were fetched, and how many."""
    graph = _graph(linker, **PREFIXES)
    me = URIRef(f"graph/{linker.graph}")
    source = URIRef(iri(endpoint))
    for kind in (TI.SourceGraph, VOID.Linkset):
        graph.add((me, RDF.type, kind))
    for p, o in ((DCTERMS.title, Literal(linker.title_fr, lang="fr")),
                 (DCTERMS.title, Literal(linker.title_en, lang="en")),
                 (RDFS.comment, Literal(linker.comment_fr, lang="fr")),
                 (RDFS.comment, Literal(linker.comment_en, lang="en")),
                 (PROV.wasDerivedFrom, source),
                 (DCTERMS.source, URIRef(iri(linker.source))),
                 (DCTERMS.license, URIRef(iri(linker.licence))),
                 (PAV.retrievedOn, Literal(retrieved_on.isoformat(), datatype=XSD.date)),
                 (VOID.subjectsTarget, URIRef(DATASET_PATH)),   # this dataset, as VoID names it
                 (VOID.objectsTarget, URIRef(iri(linker.objects_target))),
                 (VOID.linkPredicate, predicate(linker)),
                 (VOID.triples, Literal(count))):
        graph.add((me, p, o))
    for target in targets:
        activity = URIRef(f"graph/{linker.graph}#requete-{target.kind}")
        graph.add((me, PROV.wasGeneratedBy, activity))
        _activity(graph, activity, target, source, times, batch_size)
    return (f"# Description of graph/{linker.graph}, written by "
            f"`territoires link {linker.name}`.\n" + graph.serialize(format="turtle"))


def _activity(graph: Graph, activity: URIRef, target: "EntityKind", source: URIRef,
              times: tuple[str, str], batch_size: int) -> None:
    """One kind's query, as a PROV activity: its text, endpoint and times."""
    started, ended = times
    for p, o in ((RDF.type, PROV.Activity),
                 (RDFS.label, Literal("Requête SPARQL : " + target.label_fr, lang="fr")),
                 (RDFS.label, Literal("SPARQL query: " + target.label_en, lang="en")),
                 (PROV.used, source),
                 (PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)),
                 (PROV.endedAtTime, Literal(ended, datatype=XSD.dateTime)),
                 (RDFS.comment, Literal(provenance_text(target, batch_size)))):
        graph.add((activity, p, o))


def provenance_text(target: "EntityKind", batch_size: int) -> str:
    return (f"# Sent in batches of at most {batch_size} codes of our {target.kind} entities, "
            f"bound to ?code as string literals"
            + (" (also typed " + ", ".join(target.datatypes) + ")" if target.datatypes else "")
            + ".\n" + target.template.strip())


def iri(text: str) -> str:
    """`text` if it can be written as an IRI; a ValueError naming it otherwise."""
    if not text or any(c in text for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not an IRI: {text!r}")
    return text
