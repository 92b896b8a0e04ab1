"""The validation report as published data: the SHACL report (sh:ValidationReport, warnings
included) and a summary as W3C DQV quality measurements — shapes, focus nodes checked,
violations, warnings, information results, over the whole dataset and per named graph.

The same graph is what `territoires validate --format turtle` prints and what a build stores
(`validation.nt`, served at `/validation`): the report of a build is its validation, not a new
one. Its IRIs are fragments of `{base}validation`; the results stay blank nodes, as pyshacl
makes them (compare two reports as graphs: rdflib.compare.isomorphic)."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ..vocabulary.namespaces import DCTERMS, PROV, RDF, RDFS, SH, SKOS, XSD
from ..sources import Sources
from .validate import Report

DQV = Namespace("http://www.w3.org/ns/dqv#")
PATH = "validation"

# metric → (French label, English label, French definition, English definition)
METRICS = {
    "formes": ("formes", "shapes", "Nombre de formes SHACL appliquées.",
               "Number of SHACL shapes applied."),
    "noeuds-controles": ("nœuds contrôlés", "focus nodes checked",
                         "Ressources visées par les cibles SHACL Core des formes.",
                         "Resources targeted by the shapes' SHACL Core targets."),
    "violations": ("violations", "violations", "Résultats de gravité sh:Violation.",
                   "Results of severity sh:Violation."),
    "avertissements": ("avertissements", "warnings", "Résultats de gravité sh:Warning.",
                       "Results of severity sh:Warning."),
    "informations": ("informations", "information", "Résultats de gravité sh:Info.",
                     "Results of severity sh:Info."),
}
SEVERITIES = {"Violation": "violations", "Warning": "avertissements", "Info": "informations"}


def dataset_iri(base: str) -> URIRef:
    return URIRef(f"{base}.well-known/void#territoires")   # as VoID and DCAT name it


def report_graph(report: Report, sources: Sources, shapes: Graph, base: str) -> Graph:
    """The SHACL report of `report`'s results and its DQV summary, as one graph."""
    g = Graph()
    for prefix, namespace in (("sh", SH), ("dqv", DQV), ("dcterms", DCTERMS), ("prov", PROV),
                              ("skos", SKOS)):
        g.bind(prefix, namespace)
    node = URIRef(f"{base}{PATH}#rapport")
    g.add((node, RDF.type, SH.ValidationReport))
    g.add((node, SH.conforms, Literal(report.conforms)))
    g.add((node, DCTERMS.conformsTo, URIRef(f"{base}shapes/territoires")))
    for result in report.results:
        g.add((node, SH.result, _copy(report.graph, result.node, g)))
    _metrics(g, base)
    subjects = {str(s.iri): set(s.graph.subjects()) for s in sources.graphs}
    with warnings.catch_warnings():   # rdflib's Dataset warns on every union lookup
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        sources.dataset.default_union = True
        focus = focus_nodes(shapes, sources.dataset)
    _measure(g, base, dataset_iri(base), node, _counts(report.results, focus, shapes, None))
    for graph, members in sorted(subjects.items()):
        counts = _counts(report.results, focus, shapes, members)
        _measure(g, base, URIRef(graph), node, counts, graph.rsplit("/", 1)[-1])
    return g


def _copy(source: Graph, node: Node, target: Graph) -> Node:
    """A result and what hangs from it (its path, its details), blank nodes followed."""
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        if isinstance(o, BNode):
            _copy(source, o, target)
    return node


def _metrics(g: Graph, base: str) -> None:
    dimension = URIRef(f"{base}{PATH}#conformite")
    g.add((dimension, RDF.type, DQV.Dimension))
    g.add((dimension, SKOS.prefLabel, Literal("conformité aux formes SHACL", lang="fr")))
    g.add((dimension, SKOS.prefLabel, Literal("conformance to the SHACL shapes", lang="en")))
    for name, (fr, en, def_fr, def_en) in METRICS.items():
        metric = URIRef(f"{base}{PATH}#{name}")
        g.add((metric, RDF.type, DQV.Metric))
        g.add((metric, SKOS.prefLabel, Literal(fr, lang="fr")))
        g.add((metric, SKOS.prefLabel, Literal(en, lang="en")))
        g.add((metric, SKOS.definition, Literal(def_fr, lang="fr")))
        g.add((metric, SKOS.definition, Literal(def_en, lang="en")))
        g.add((metric, DQV.expectedDataType, XSD.integer))
        g.add((metric, DQV.inDimension, dimension))


def _measure(g: Graph, base: str, on: URIRef, report: URIRef, counts: dict[str, int],
             scope: str = "jeu") -> None:
    for name, value in counts.items():
        measurement = URIRef(f"{base}{PATH}#{name}-{scope}")
        g.add((measurement, RDF.type, DQV.QualityMeasurement))
        g.add((measurement, DQV.computedOn, on))
        g.add((measurement, DQV.isMeasurementOf, URIRef(f"{base}{PATH}#{name}")))
        g.add((measurement, DQV.value, Literal(value)))
        g.add((measurement, PROV.wasDerivedFrom, report))
        g.add((on, DQV.hasQualityMeasurement, measurement))


def _counts(results, focus: set[Node], shapes: Graph, members: set[Node] | None
            ) -> dict[str, int]:
    """The measures over the whole dataset (`members` None) or one graph's subjects."""
    severities = Counter(SEVERITIES.get(r.severity, "informations") for r in results
                         if members is None or r.focus in members)
    checked = len(focus) if members is None else len(focus & members)
    return {"formes": len(_shapes(shapes)), "noeuds-controles": checked,
            **{name: severities.get(name, 0) for name in SEVERITIES.values()}}


def _shapes(shapes: Graph) -> set[Node]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape))
    return {s for s in found if isinstance(s, URIRef)}


def focus_nodes(shapes: Graph, data) -> set[Node]:
    """The nodes the shapes' SHACL Core targets select in `data` (the union of the graphs):
    instances of a target class or of its subclasses, target nodes, subjects and objects of
    target properties. (SPARQL targets select only wrong resources: they add none.)"""
    found: set[Node] = set()
    for cls in set(shapes.objects(None, SH.targetClass)):
        for sub in _subclasses(data, cls):
            found.update(data.subjects(RDF.type, sub))
    found.update(shapes.objects(None, SH.targetNode))
    for prop in set(shapes.objects(None, SH.targetSubjectsOf)):
        found.update(s for s, _ in data.subject_objects(prop))
    for prop in set(shapes.objects(None, SH.targetObjectsOf)):
        found.update(o for _, o in data.subject_objects(prop))
    return found


def _subclasses(data, cls: Node) -> Iterable[Node]:
    seen, todo = {cls}, [cls]
    while todo:
        for sub in data.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen


__all__ = ["DQV", "PATH", "dataset_iri", "focus_nodes", "report_graph"]
