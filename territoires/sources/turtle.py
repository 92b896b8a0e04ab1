"""Turtle sources (curated facts, the ontology, the `source.ttl` descriptions).

The files use relative IRIs, resolved against the base URI at parse time. rdflib does not say on
which line a triple was written, so a light scan of the text finds the line where each subject's
block starts and where each of its predicates appears: enough to point a steward at the fact.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF
from rdflib.plugins.parsers.notation3 import BadSyntax

from ..vocabulary.locations import Location, Locations
from .base import SourceError, SourceGraph

# A subject at the start of a line: <iri> or prefix:local (not a directive).
_SUBJECT = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.%-]*)(?=\s|$)")
# A predicate at the start of a (continuation) line or after ';'.
_PREDICATE = re.compile(r"(?:^\s+|;\s*)(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.%-]*|a)(?=\s)")


def parse(path: Path, base: str) -> Graph:
    graph = Graph(store="SimpleMemory")
    try:
        graph.parse(path, format="turtle", publicID=base)
    except BadSyntax as error:   # rdflib's own message quotes the file as bytes: not that
        line = error.lines + 1
        raise SourceError(Location(path, line), f"invalid Turtle: {error._why}\n"
                                                f"    {_line(path, line)}") from None
    except Exception as error:  # rdflib raises several kinds; all mean "bad Turtle"
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        offending = f"\n    {_line(path, line)}" if line else ""
        raise SourceError(Location(path, line),
                          f"invalid Turtle: {str(error).splitlines()[0]}{offending}") from None
    return graph


def _line(path: Path, number: int) -> str:
    """The text of line `number` of `path` (1-based), as the steward wrote it."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


def locate(path: Path, graph: Graph, base: str) -> Locations:
    """Locations of the subjects and statements written in one Turtle file."""
    locations = Locations()
    namespaces = {prefix: str(ns) for prefix, ns in graph.namespaces()}

    def expand(token: str) -> URIRef | None:
        if token == "a":
            return RDF.type
        if token.startswith("<"):
            iri = token[1:-1]
            return URIRef(iri if re.match(r"^[a-z][a-z0-9+.-]*:", iri) else base + iri)
        prefix, _, local = token.partition(":")
        return URIRef(namespaces[prefix] + local) if prefix in namespaces else None

    subject = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#") or line.startswith("@"):
            continue
        match = _SUBJECT.match(line)
        if match:
            subject = expand(match.group(1))
            if subject is not None:
                locations.add(subject, Location(path, number))
            rest = line[match.end():]
            first = re.match(r"\s+(<[^>\s]*>|[A-Za-z][\w.-]*:[\w.%-]*|a)(?=\s)", rest)
            if first and subject is not None and (pred := expand(first.group(1))) is not None:
                locations.add(subject, Location(path, number), pred)
            continue
        if subject is None:
            continue
        for token in _PREDICATE.findall(line):
            pred = expand(token)
            if pred is not None:
                locations.add(subject, Location(path, number), pred)
    return locations


def load(name: str, files: list[Path], base: str, graph: Graph) -> SourceGraph:
    """Parse the Turtle `files` into `graph`."""
    parsed = Graph(store="SimpleMemory")
    locations = Locations()
    for path in files:
        part = parse(path, base)
        parsed += part
        locations.update(locate(path, part, base))
    graph += skolemized(parsed, base)
    return SourceGraph(name, graph.identifier, graph, files, locations)


def skolemized(graph: Graph, base: str) -> Graph:
    """Blank nodes replaced by IRIs derived from their canonical labels (RDF 1.1 skolem IRIs):
    stores relabel blank nodes at will, and the content hash must not change between builds."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    canonical = Graph(store="SimpleMemory")
    canonical += to_canonical_graph(graph)
    return canonical.skolemize(authority=base, basepath=".well-known/genid/")

