"""Every source found on disk (a directory with its `source.ttl`) and mapped into one named graph
of one rdflib Dataset; then each territory's perimeter through the history, and `graph/sources`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

from ..config import Settings
from ..vocabulary.locations import Location, Locations
from ..vocabulary.namespaces import DCTERMS, LICENCE_OUVERTE, PROV, RDF, Vocabulary
from . import (contours, continuity, curated_checks, history, links, perimeters, populations, programme,
               programme_checks, programme_lists, reference, territories, turtle)
from .base import SourceError, SourceGraph

DESCRIPTION = "source.ttl"

Progress = Callable[[str], None]


def source_directories(settings: Settings) -> list[Path]:
    """The ontology first, then every directory under `data/` that describes a source
    (`data/links/wikidata/` as well as `data/article/`)."""
    found = [settings.ontology_dir]
    found += sorted(p.parent for p in settings.data_dir.rglob(DESCRIPTION))
    return found


def describe(directory: Path, vocab: Vocabulary) -> tuple[URIRef, Graph]:
    """The graph IRI a directory's `source.ttl` declares, and the description's triples."""
    path = directory / DESCRIPTION
    if not path.exists():
        raise SourceError(directory, f"no {DESCRIPTION} describing this source's named graph")
    graph = turtle.parse(path, vocab.base)
    named = sorted(set(graph.subjects(RDF.type, vocab.ti.SourceGraph)))
    if len(named) != 1:
        raise SourceError(path, f"must describe exactly one ti:SourceGraph, found {len(named)}")
    return named[0], graph


@dataclass
class Sources:
    """Every source mapped into one rdflib Dataset, one named graph each."""

    dataset: Dataset
    graphs: list[SourceGraph]
    locations: Locations = field(default_factory=Locations)

    def nquads(self) -> list[bytes]:
        """Every quad as a sorted, duplicate-free N-Quads line: the canonical form that the
        content hash, the dumps and the store are all made from."""
        lines: set[bytes] = set()
        for source in self.graphs:
            graph = b" <" + str(source.iri).encode() + b"> ."
            ntriples = source.graph.serialize(format="nt", encoding="utf-8")
            lines.update(line[:-2] + graph for line in ntriples.splitlines() if line)
        return sorted(lines)


def load_all(settings: Settings, extra: list[Path] = (), progress: Progress = lambda _: None
             ) -> Sources:
    """Map every source; `extra` adds source directories beyond the configured ones."""
    vocab = Vocabulary(settings.base_uri)
    directories = source_directories(settings)
    known = {d.resolve() for d in directories}
    directories += [d for d in extra if d.resolve() not in known]
    descriptions = Graph(store="SimpleMemory")
    plans = _plans(directories, vocab, descriptions)
    dataset = Dataset()
    loaded: list[SourceGraph] = []
    state = _State()
    for directory, iri in plans:
        progress(f"mapping {directory.name}/ → <{iri}>")
        source, derived = _map(directory, dataset, dataset.graph(iri), vocab, descriptions, state)
        progress(f"  {len(source):,} triples from {len(source.files)} file(s)")
        loaded.append(source)
        for linkset in derived:
            progress(f"  {len(linkset):,} triples derived → <{linkset.iri}>")
            loaded.append(linkset)

    _programme(vocab, loaded, state, descriptions, progress)
    curated_checks.check(vocab, curated_turtle(loaded), loaded, descriptions)
    _perimeters(vocab, loaded, state, progress)
    _populations(vocab, loaded, state, dataset, descriptions, progress)
    loaded.append(_sources_graph(vocab, descriptions, directories, dataset))
    return _located(Sources(dataset, loaded))


@dataclass
class _State:
    """What a source mapped earlier gives the later ones: the reference's EPCI index (territory
    lists are checked against it) and the reference itself (populations are read from it)."""
    epci_index: territories.EpciIndex | None = None
    reference: SourceGraph | None = None
    history: history.HistorySource | None = None
    curated: list[SourceGraph] = field(default_factory=list)   # the curated territory lists
    programme: SourceGraph | None = None
    listed: list[programme.Mapped] = field(default_factory=list)   # the official territories


def _map(directory: Path, dataset: Dataset, graph: Graph, vocab: Vocabulary,
         descriptions: Graph, state: _State) -> tuple[SourceGraph, list[SourceGraph]]:
    """One source directory mapped into `graph`, with the graphs derived from it."""
    if history.is_history(directory):
        state.history = history.load(vocab, directory, graph)
        return state.history, []
    if programme.is_programme(directory) or contours.is_contours(directory):
        return _official(vocab, directory, graph, state), []
    if list(directory.glob("*.csv.gz")):
        state.reference = reference.load(vocab, directory, graph)
        state.epci_index = territories.EpciIndex(graph, vocab)
        return state.reference, links.load(vocab, state.reference, dataset, descriptions)
    if list(directory.glob("*.csv")):
        if state.epci_index is None:
            raise SourceError(directory, "territory lists need the reference snapshot")
        source = territories.load(vocab, directory, graph, state.epci_index)
        state.curated.append(source)
        return source, []
    files = sorted(p for p in directory.glob("*.ttl") if p.name != DESCRIPTION)
    return turtle.load(directory.name, files, vocab.base, graph), []


def _plans(directories: list[Path], vocab: Vocabulary, descriptions: Graph
           ) -> list[tuple[Path, URIRef]]:
    """Each directory with the graph its `source.ttl` describes (added to `descriptions`), the
    reference data first: territory lists are checked against it."""
    plans: list[tuple[Path, URIRef]] = []
    seen: dict[URIRef, Path] = {}
    for directory in directories:
        iri, description = describe(directory, vocab)
        if iri in seen:
            raise SourceError(directory / DESCRIPTION,
                              f"graph {iri} is already described by {seen[iri]}")
        seen[iri] = directory / DESCRIPTION
        descriptions += description
        plans.append((directory, iri))
    plans.sort(key=lambda plan: _rank(plan[0]))
    return plans


def _rank(directory: Path) -> int:
    """The reference first (territory lists are checked against it), then the history, the
    curated lists, the others, and last the official lists, which read all of these."""
    if list(directory.glob("*.csv.gz")):
        return 0
    if history.is_history(directory):
        return 1
    if list(directory.glob("*.csv")):
        return 2
    return 4 if programme.is_programme(directory) or contours.is_contours(directory) else 3


def _official(vocab: Vocabulary, directory: Path, graph: Graph, state: _State) -> SourceGraph:
    """The programme's official lists, or the outlines, mapped with the reference at hand."""
    if state.reference is None or state.history is None:
        raise SourceError(directory, "the official lists need the reference and its history")
    reference_dir = state.reference.files[0].parent
    if contours.is_contours(directory):
        return contours.load(vocab, directory, graph, reference_dir)
    source, state.listed = programme.load(vocab, directory, graph, reference_dir,
                                          state.history.timeline, state.curated)
    state.programme = source
    return source


def curated_turtle(loaded: list[SourceGraph]) -> list[SourceGraph]:
    """The curated facts written in Turtle (data/article/, a steward's own source), not the
    ontology: the sources whose wordings, counts and series curated_checks.py reads."""
    return [s for s in loaded if s.files and all(f.suffix == ".ttl" for f in s.files)
            and s.name != "ontology" and s.name != "sources"]


def _located(sources: Sources) -> Sources:
    for source in sources.graphs:
        sources.locations.update(source.locations)
    return sources


def _programme(vocab: Vocabulary, loaded: list[SourceGraph], state: _State,
               descriptions: Graph, progress: Progress) -> None:
    """Continuity between the phases, and the checks of the curated facts against the lists."""
    if state.programme is None:
        return
    pairs = continuity.deduce(state.listed)
    continuity.add(vocab, state.programme.graph, pairs)
    progress(f"  {len(state.listed)} official territories; {len(pairs)} phase-2 territories "
             f"continue a phase-1 one (deduced from shared groupements)")
    others = [s for s in loaded if s is not state.programme]
    if (state.programme.iri, vocab.ti.extrait, Literal(True)) not in descriptions:
        programme_checks.check_counts(vocab, others, state.listed)
    programme_checks.check_successions(others, pairs, state.listed)


def _populations(vocab: Vocabulary, loaded: list[SourceGraph], state: _State, dataset: Dataset,
                 descriptions: Graph, progress: Progress) -> None:
    """The curated territories' populations over every vintage (they need the history's
    files and the territory lists, so they come once both are mapped)."""
    if state.history is None or not state.curated:
        return
    history_dir = state.history.files[0].parent.parent
    timeline = state.history.timeline
    source = populations.load(vocab, history_dir, state.curated, dataset, descriptions,
                              timeline.epci_of if timeline is not None else None)
    progress(f"  {len(source):,} triples derived → <{source.iri}>")
    loaded.append(source)


def _perimeters(vocab: Vocabulary, loaded: list[SourceGraph], state: _State,
                progress: Progress) -> None:
    """Each territory read in the vintage of its label date (an official list's: its COG
    year) and today, into the history."""
    found = state.history
    if found is None:
        return
    before = len(found.graph)
    listed = {m.iri: (str(programme_lists.VINTAGES[m.listed.phase]), m.epci,
                      m.fixed_communes) for m in state.listed}
    curated = Graph()
    for source in loaded:
        if source is not found and source.files and all(f.suffix == ".csv" for f in source.files):
            curated += source.graph
    count = perimeters.resolve(vocab, found.timeline, found.graph, curated, listed)
    progress(f"  {count} territories read at their labelling and today: "
             f"{len(found.graph) - before:,} triples → <{found.iri}>")
    found.timeline = None   # ~200 MB of vintages: not held through the validation


def _sources_graph(vocab: Vocabulary, descriptions: Graph, directories: list[Path],
                   dataset: Dataset) -> SourceGraph:
    """`graph/sources`: every source description, and its own."""
    iri = vocab.graph("sources")
    graph = dataset.graph(iri)
    graph += descriptions
    graph.add((iri, RDF.type, vocab.ti.SourceGraph))
    graph.add((iri, DCTERMS.title, Literal("Description des sources du graphe", lang="fr")))
    graph.add((iri, DCTERMS.title, Literal("Descriptions of the graph's sources", lang="en")))
    graph.add((iri, DCTERMS.license, LICENCE_OUVERTE))
    for described in sorted(set(graph.subjects(RDF.type, vocab.ti.SourceGraph))):
        if described != iri:
            graph.add((iri, PROV.wasDerivedFrom, described))
    files = [d / DESCRIPTION for d in directories]
    source = SourceGraph("sources", iri, graph, files)
    for path in files:
        source.locations.update(turtle.locate(path, graph, vocab.base))
    source.locations.add(iri, Location(Path(__file__)))
    return source
