"""Where each fact came from: the source file and line of the triples of a subject, so that a
validation report can point a data steward at the line to fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib.term import Node


@dataclass(frozen=True)
class Location:
    file: Path
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else str(self.file)


@dataclass
class Locations:
    """Subject → location, refined by (subject, predicate) where one subject spans several lines."""

    by_subject: dict[Node, Location] = field(default_factory=dict)
    by_statement: dict[tuple[Node, Node], Location] = field(default_factory=dict)

    def add(self, subject: Node, location: Location, predicate: Node | None = None) -> None:
        if predicate is None:
            self.by_subject.setdefault(subject, location)
        else:
            self.by_statement.setdefault((subject, predicate), location)

    def update(self, other: "Locations") -> None:
        for key, loc in other.by_subject.items():
            self.by_subject.setdefault(key, loc)
        for key, loc in other.by_statement.items():
            self.by_statement.setdefault(key, loc)

    def find(self, subject: Node, predicate: Node | None = None) -> Location | None:
        if predicate is not None and (subject, predicate) in self.by_statement:
            return self.by_statement[(subject, predicate)]
        if subject in self.by_subject:
            return self.by_subject[subject]
        # A fragment IRI (…#periode) is written beside its owner.
        text = str(subject)
        if "#" in text:
            return self.by_subject.get(type(subject)(text.split("#", 1)[0]))
        return None
