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
    # Every place, not only the first: two sources that contradict each other (a territory
    # dated in the article and in the territory list) are both named in a report.
    every: dict[tuple[Node, Node | None], list[Location]] = field(default_factory=dict)

    def add(self, subject: Node, location: Location, predicate: Node | None = None) -> None:
        if predicate is None:
            self.by_subject.setdefault(subject, location)
        else:
            self.by_statement.setdefault((subject, predicate), location)
        places = self.every.setdefault((subject, predicate), [])
        if location not in places:
            places.append(location)

    def update(self, other: "Locations") -> None:
        for key, loc in other.by_subject.items():
            self.by_subject.setdefault(key, loc)
        for key, loc in other.by_statement.items():
            self.by_statement.setdefault(key, loc)
        for key, places in other.every.items():
            mine = self.every.setdefault(key, [])
            mine.extend(loc for loc in places if loc not in mine)

    def find_all(self, subject: Node, predicate: Node | None = None) -> list[Location]:
        """Every place that states (subject, predicate), then the places that describe the
        subject (or, for a fragment IRI, its owner) in other files; the first is `find`'s."""
        found = [loc for loc in [self.find(subject, predicate)] if loc is not None]
        found.extend(loc for loc in self.every.get((subject, predicate), []) if loc not in found)
        keys = [(subject, None)]
        if "#" in str(subject):
            keys.append((type(subject)(str(subject).split("#", 1)[0]), None))
        files = {loc.file for loc in found}
        for key in keys:
            found.extend(loc for loc in self.every.get(key, [])
                         if loc not in found and loc.file not in files)
        return found

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
