"""Applies one mutation at a time to a private copy of the real sources and says whether the
mapping or the validation reported it at the right file and line.

Fast by sharing what a mutation does not touch: the sources are mapped once (the reference
snapshot, the links, the ontology, the descriptions); a mutation rewrites one file of
`data/article/` or `data/territoires/`, and only that source's named graph is mapped again,
in place, before the union is validated; then the file and the graph are put back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from territoires.build.pipeline import map_sources
from territoires.config import Settings
from territoires.vocabulary.locations import Location, Locations
from territoires.vocabulary.namespaces import Vocabulary
from territoires.sources import (DESCRIPTION, SourceError, Sources, curated_checks, programme,
                                 programme_curated, territories, turtle)
from territoires.build.validate import Result, load_shapes, validate

from . import Mutation


@dataclass
class Outcome:
    mutation: Mutation
    expected: Location
    reported: list[tuple[str, Location | None]]   # (what said it, where)

    @property
    def detected(self) -> bool:
        return bool(self.reported)

    @property
    def caught(self) -> bool:
        """Reported at the file and line the steward changed."""
        return any(where == self.expected for _, where in self.reported)


class Bench:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.vocab = Vocabulary(settings.base_uri)
        self.sources: Sources = map_sources(settings, lambda _: None)
        self.shapes = load_shapes(settings.shapes_dir, settings.base_uri)
        cog = next(g for g in self.sources.graphs if g.name == "cog")
        self.epci = territories.EpciIndex(cog.graph, self.vocab)
        self.lists = programme.read_all(self.settings.data_dir / "programme")
        report = validate(self.sources.dataset, self.shapes, self.sources.locations)
        self.baseline = {_key(r) for r in report.results}   # what the sources say unmutated

    def run(self, mutation: Mutation) -> Outcome:
        path = self.settings.data_dir / mutation.file
        original = path.read_text(encoding="utf-8")
        mutated = mutation.apply(original)
        expected = Location(path, mutation.line_in(mutated))
        source = next(g for g in self.sources.graphs if path in g.files)
        kept = Graph(store="SimpleMemory")
        kept += source.graph
        path.write_text(mutated, encoding="utf-8")
        try:
            return Outcome(mutation, expected, self._reported(source, path.parent))
        finally:
            path.write_text(original, encoding="utf-8")
            source.graph.remove((None, None, None))
            source.graph += kept

    def _reported(self, source, directory: Path) -> list[tuple[str, Location | None]]:
        source.graph.remove((None, None, None))
        try:
            remapped = self._remap(source, directory)
        except SourceError as error:
            places = [error.location, *error.also]
            return [(f"mapping: {error.message}", where if isinstance(where, Location) else None)
                    for where in places]
        locations = Locations()
        for other in self.sources.graphs:
            locations.update(remapped.locations if other is source else other.locations)
        report = validate(self.sources.dataset, self.shapes, locations)
        return [(f"{r.severity} {str(r.shape).rsplit('#', 1)[-1]}", place)
                for r in report.results if _key(r) not in self.baseline
                for place in [r.location, *r.also]]

    def _remap(self, source, directory: Path):
        if list(directory.glob("*.csv")):
            remapped = territories.load(self.vocab, directory, source.graph, self.epci)
            # what the official lists check of the curated rows (programme.py)
            programme_curated.check_names(self.vocab, [remapped], self.lists)
            programme_curated.check_members(self.vocab, [remapped], self.lists,
                                    lambda siren: siren in self.epci.by_siren)
            return remapped
        files = sorted(p for p in directory.glob("*.ttl") if p.name != DESCRIPTION)
        remapped = turtle.load(directory.name, files, self.vocab.base, source.graph)
        # what the curated facts must agree with in the other sources (curated_checks.py)
        curated_checks.check(self.vocab, [remapped], self.sources.graphs)
        return remapped


def _key(result: Result) -> tuple:
    return (result.shape, result.focus, result.path, result.value)
