"""What every source gives the build: a named graph of triples, where they came from, and errors
that name the file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from ..vocabulary.locations import Location, Locations


class SourceError(Exception):
    """A source file is wrong; the message names the file and line."""

    def __init__(self, location: Location | Path | str, message: str,
                 also: list[Location] | None = None):
        self.location = location
        self.message = message
        self.also = list(also or [])   # the other places the finding concerns
        super().__init__(f"{location}: {message}")


@dataclass
class SourceGraph:
    name: str
    iri: URIRef
    graph: Graph
    files: list[Path]
    locations: Locations = field(default_factory=Locations)

    def __len__(self) -> int:
        return len(self.graph)
