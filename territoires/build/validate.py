"""SHACL validation of the whole graph, with a report that names the file and line of each fact."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..vocabulary.locations import Location, Locations
from ..vocabulary.namespaces import RDF, SH
from ..sources import SourceError, turtle
from .collector import paused_collector


@dataclass
class Result:
    focus: Node
    path: Node | None
    value: Node | None
    severity: str
    messages: dict[str, str]
    shape: Node | None
    component: Node | None
    location: Location | None
    also: list[Location] = field(default_factory=list)   # other places that state the fact
    node: Node | None = None                              # the result in the report's graph

    def message(self, lang: str = "fr") -> str:
        return self.messages.get(lang) or self.messages.get("") or next(iter(self.messages.values()), "")

    def as_dict(self) -> dict:
        def text(node):
            return None if node is None else str(node)

        return {
            "focusNode": text(self.focus), "resultPath": text(self.path),
            "value": text(self.value), "severity": self.severity,
            "message": {lang or "und": msg for lang, msg in sorted(self.messages.items())},
            "sourceShape": text(self.shape), "sourceConstraintComponent": text(self.component),
            "file": str(self.location.file) if self.location else None,
            "line": self.location.line if self.location else None,
            "also": [{"file": str(loc.file), "line": loc.line} for loc in self.also],
        }


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    def only_in(self, paths: list[Path]) -> "Report":
        """The results located in the given files or directories."""
        roots = [p.resolve() for p in paths]

        def inside(result: Result) -> bool:
            if result.location is None:
                return False
            where = result.location.file.resolve()
            return any(where == root or root in where.parents for root in roots)

        kept = [r for r in self.results if inside(r)]
        return Report(not any(r.severity == "Violation" for r in kept), kept, self.graph)

    def text(self) -> str:
        if not self.results:
            return "Conforme / Conforms: no violation.\n"
        lines = []
        for r in self.results:
            where = str(r.location) if r.location else "(unknown source)"
            lines.append(f"{where}: {r.severity}: {r.message('fr')}")
            if r.message("en") != r.message("fr"):
                lines.append(f"    {r.message('en')}")
            lines.extend(f"    also stated at {place}" for place in r.also)
            lines.append(f"    focus: {r.focus}")
            if r.path is not None:
                lines.append(f"    path:  {turtle_term(r.path)}")
            if r.value is not None:
                lines.append(f"    value: {turtle_term(r.value)}")
        count = len(self.violations)
        lines.append(f"{count} violation(s), {len(self.results) - count} other result(s).")
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        return json.dumps({"conforms": self.conforms,
                           "results": [r.as_dict() for r in self.results]},
                          ensure_ascii=False, indent=2) + "\n"



_PREFIXES = Graph(bind_namespaces="rdflib").namespace_manager   # xsd:, rdf:, skos:, time:…


def turtle_term(node: Node) -> str:
    """A term as Turtle writes it: `"2.906"^^xsd:decimal`, `time:inXSDgYear`, `<iri>`."""
    return node.n3(_PREFIXES)


def load_shapes(shapes_dir: Path, base: str) -> Graph:
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise SourceError(shapes_dir, "no SHACL shapes (*.ttl) found")
    shapes = Graph()
    for path in files:
        shapes += turtle.parse(path, base)
    return shapes


def validate(data: Graph | Dataset, shapes: Graph, locations: Locations) -> Report:
    with warnings.catch_warnings(), paused_collector():
        # rdflib's Dataset warns on every union lookup that pyshacl makes (hundreds of thousands).
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        conforms, results_graph, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, inplace=True,
            allow_warnings=True, abort_on_first=False)
    results = [_result(results_graph, node, locations)
               for node in results_graph.subjects(RDF.type, SH.ValidationResult)]
    results.sort(key=lambda r: (str(r.location.file) if r.location else "~",
                                (r.location.line or 0) if r.location else 0, str(r.focus),
                                str(r.path)))
    return Report(bool(conforms), results, results_graph)


def _result(graph: Graph, node: Node, locations: Locations) -> Result:
    focus = graph.value(node, SH.focusNode)
    path = _stated_path(graph, focus, graph.value(node, SH.resultPath), locations)
    severity = graph.value(node, SH.resultSeverity)
    messages = {(m.language or ""): str(m) for m in graph.objects(node, SH.resultMessage)}
    value = graph.value(node, SH.value)
    places = locations.find_all(focus, path)
    if isinstance(value, URIRef) and value != focus:   # a wrong resource a fact points to
        places += [loc for loc in locations.find_all(value) if loc not in places]
    return Result(
        focus=focus, path=path, value=value,
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        messages=messages or {"": "constraint not met"},
        shape=graph.value(node, SH.sourceShape),
        component=graph.value(node, SH.sourceConstraintComponent),
        location=places[0] if places else None, also=places[1:], node=node)


def _stated_path(graph: Graph, focus: Node, path: Node | None, locations: Locations):
    """A result's path as the source states it: of an alternative path (a blank node, as
    `time:inXSDDate|time:inXSDgYear`), the one predicate the focus is written with, so that the
    report names it and its line."""
    if not isinstance(path, BNode):
        return path
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is None:
        return path
    members = [m for m in Collection(graph, alternatives) if isinstance(m, URIRef)]
    stated = [m for m in members if (focus, m) in locations.by_statement]
    return stated[0] if stated else path


__all__ = ["Report", "Result", "load_shapes", "turtle_term", "validate"]
