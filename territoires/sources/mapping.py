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
from . import history, links, perimeters, populations, reference, territories, turtle
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

    _perimeters(vocab, loaded, progress)
    loaded.append(_sources_graph(vocab, descriptions, directories, dataset))
    return _located(Sources(dataset, loaded))


@dataclass
class _State:
    """What a source mapped earlier gives the later ones: the reference's EPCI index (territory
    lists are checked against it) and the reference itself (populations are read from it)."""
    epci_index: territories.EpciIndex | None = None
    reference: SourceGraph | None = None


def _map(directory: Path, dataset: Dataset, graph: Graph, vocab: Vocabulary,
         descriptions: Graph, state: _State) -> tuple[SourceGraph, list[SourceGraph]]:
    """One source directory mapped into `graph`, with the graphs derived from it."""
    if history.is_history(directory):
        return history.load(vocab, directory, graph), []
    if list(directory.glob("*.csv.gz")):
        state.reference = reference.load(vocab, directory, graph)
        state.epci_index = territories.EpciIndex(graph, vocab)
        return state.reference, links.load(vocab, state.reference, dataset, descriptions)
    if list(directory.glob("*.csv")):
        if state.epci_index is None:
            raise SourceError(directory, "territory lists need the reference snapshot")
        source = territories.load(vocab, directory, graph, state.epci_index)
        return source, [populations.load(vocab, state.reference, source, dataset, descriptions)]
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
    plans.sort(key=lambda plan: not list(plan[0].glob("*.csv.gz")))
    return plans


def _located(sources: Sources) -> Sources:
    for source in sources.graphs:
        sources.locations.update(source.locations)
    return sources


def _perimeters(vocab: Vocabulary, loaded: list[SourceGraph], progress: Progress) -> None:
    """Each territory read in the vintage of its label date and today, into the history."""
    found = [s for s in loaded if isinstance(s, history.HistorySource)]
    if not found:
        return
    before = len(found[0].graph)
    count = sum(perimeters.resolve(vocab, found[0].timeline, found[0].graph, s.graph)
                for s in loaded if s.name != found[0].name and s.files
                and all(f.suffix == ".csv" for f in s.files))
    progress(f"  {count} territories read at their labelling and today: "
             f"{len(found[0].graph) - before:,} triples → <{found[0].iri}>")
    found[0].timeline = None   # ~200 MB of vintages: not held through the validation


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
