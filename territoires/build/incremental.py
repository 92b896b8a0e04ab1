"""The steward's loop: `territoires validate FILE` in seconds, with the verdict of the full one.

A full validation (`territoires validate` with or without paths) leaves a cache beside the builds
(`{output}/validation-cache/`): every quad of the mapped sources in an Oxigraph store, each
source's locations, the digest of every file under data/, ontology/ and shapes/, and the
report's results. When only FILE changed since (every other file has its digest), FILE's source
is mapped again and validated with what it can affect:

- the focus nodes: the resources whose triples in that graph differ between the cached graph
  and the new one (added, removed or changed), and the resources of any graph that link to them
  (a shape on those reads what changed: its class, its properties);
- against the data they read: their triples in the other graphs and those of what they link to,
  two links further, the names and classes of everything the new graph links to, and the
  ontology (classes, concept schemes), taken from the cached store;
- with the cross-source checks that read the source (curated_checks.py for curated Turtle; the
  official names and EPCI of the programme's lists for a territory CSV).

The fresh results on those focus nodes replace the cached ones; the cached results on every
other node stand. `build` always runs the full validation. Anything else (no cache, another file
changed, the shapes changed, a source that is not curated Turtle or a territory CSV, the Turtle
report format) runs the full validation, which writes the cache again.

Known limits (docs/ARCHITECTURE.md): the graphs derived from a territory CSV (its populations,
its perimeters in the history) are the cached ones, not derived again; a SPARQL-target shape that
compares a focus node with resources beyond two links (two territories of one name in a phase)
sees only those within them; Oxigraph keeps literals in canonical form ("2.90" becomes "2.9"), so a
result on a resource of another graph whose value is written otherwise prints it canonical.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from rdflib.util import from_n3

from .. import queries
from ..config import Settings
from ..vocabulary.locations import Location, Locations
from ..vocabulary.namespaces import ORG, TIME, XSD, Vocabulary
from ..sources import DESCRIPTION, Progress, SourceGraph, Sources
from ..sources import (curated_checks, programme, programme_checks, programme_curated,
                       territories, turtle)
from .validate import Report, Result, validate

CACHE = "validation-cache"
STATE = "state.json"
LOCATIONS = "locations.pickle"
STORE = "store"
HOPS = 2   # links followed from a focus node to the data its shapes read


def cache_directory(settings: Settings) -> Path:
    """One cache per data directory: a copy of the sources (a test's, a steward's second
    checkout) validated into the same output directory does not take another's cache."""
    key = hashlib.sha256(str(settings.data_dir.resolve()).encode()).hexdigest()[:12]
    return settings.output_dir / CACHE / key


def digests(settings: Settings) -> dict[str, str]:
    """Every file the validation reads, by resolved path, with its SHA-256."""
    found = {}
    for root in (settings.data_dir, settings.ontology_dir, settings.shapes_dir):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "output" not in path.relative_to(root).parts[:1]:
                found[str(path.resolve())] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _kind(source: SourceGraph) -> str | None:
    """The sources the fast path maps again: curated Turtle and territory lists."""
    if not source.files or source.name in ("ontology", "sources"):
        return None
    if all(f.suffix == ".ttl" for f in source.files):
        return "turtle"
    if all(f.suffix == ".csv" for f in source.files):
        return "csv"
    return None


# --- writing the cache (after a full validation) -----------------------------------------------

def write(settings: Settings, sources: Sources, report: Report, files: dict[str, str]) -> None:
    """The cache of a full validation of the sources whose files had `files`' digests; written
    beside and swapped in by renames, so that a fast run never reads half of one."""
    directory, vocab = cache_directory(settings), Vocabulary(settings.base_uri)
    directory.parent.mkdir(parents=True, exist_ok=True)
    fresh = directory.with_name(f".{directory.name}-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    store = ox.Store(str(fresh / STORE))
    store.bulk_load(b"\n".join(sources.nquads()) + b"\n", ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    with open(fresh / LOCATIONS, "wb") as out:
        pickle.dump([(s.name, s.locations) for s in sources.graphs], out,
                    protocol=pickle.HIGHEST_PROTOCOL)
    (fresh / STATE).write_text(json.dumps({
        "base": settings.base_uri, "files": files,
        "sources": [{"name": s.name, "iri": str(s.iri), "files": [str(f.resolve()) for f in s.files],
                     "kind": _kind(s)} for s in sources.graphs],
        "ontology": [str(s.iri) for s in sources.graphs if s.name == "ontology"],
        "extract": _extract(vocab, sources),
        "territories_per_phase": _per_phase(vocab, sources),
        "results": [_saved(r) for r in report.results],
    }, ensure_ascii=False), encoding="utf-8")
    old = directory.with_name(f".{directory.name}-old-{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    fresh.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def _extract(vocab: Vocabulary, sources: Sources) -> bool:
    """Whether the official lists are an extract (load_all then skips their counts)."""
    return any(True for s in sources.graphs for _ in s.graph.subjects(vocab.ti.extrait,
                                                                       Literal(True)))


def _per_phase(vocab: Vocabulary, sources: Sources) -> dict[str, int]:
    """The number of official territories of each phase, as the programme graph counts them."""
    return {str(phase).rsplit("-", 1)[-1]: int(count) for s in sources.graphs
            for phase, count in s.graph.subject_objects(vocab.ti.nombreTerritoiresOfficiels)}


def _saved(result: Result) -> dict:
    def n3(node):
        return None if node is None else node.n3()

    def place(loc):
        return None if loc is None else [str(loc.file), loc.line]

    return {"focus": n3(result.focus), "path": n3(result.path), "value": n3(result.value),
            "severity": result.severity, "messages": result.messages, "shape": n3(result.shape),
            "component": n3(result.component), "location": place(result.location),
            "also": [place(loc) for loc in result.also]}


def _restored(saved: dict) -> Result:
    def node(text):
        return None if text is None else from_n3(text)

    def place(value):
        return None if value is None else Location(Path(value[0]), value[1])

    return Result(focus=node(saved["focus"]), path=node(saved["path"]), value=node(saved["value"]),
                  severity=saved["severity"], messages=saved["messages"],
                  shape=node(saved["shape"]), component=node(saved["component"]),
                  location=place(saved["location"]), also=[place(p) for p in saved["also"]])


# --- the fast path ----------------------------------------------------------------------------

def usable(settings: Settings, path: Path, progress: Progress) -> tuple[dict, dict] | None:
    """The cache's state and the changed source's entry, if the cache holds everything but
    `path`; None (and why, on the progress channel) otherwise."""
    directory = cache_directory(settings)
    if not (directory / STATE).exists():
        progress("no validation cache yet: full validation")
        return None
    state = json.loads((directory / STATE).read_text(encoding="utf-8"))
    target = str(path.resolve())
    entry = next((s for s in state["sources"] if target in s["files"]), None)
    if state.get("base") != settings.base_uri or entry is None or entry["kind"] is None:
        progress(f"{path} is not a curated source the cache knows: full validation")
        return None
    now = digests(settings)
    changed = {f for f in set(now) | set(state["files"]) if now.get(f) != state["files"].get(f)}
    if changed - {target}:
        progress(f"{len(changed - {target})} other file(s) changed since the cached validation "
                 f"(first: {sorted(changed - {target})[0]}): full validation")
        return None
    return state, entry


def fast(settings: Settings, path: Path, shapes: Graph, progress: Progress) -> Report | None:
    """The report of the whole graph with `path` as it is now, or None if the cache cannot
    give it (the caller then runs the full validation). Raises SourceError as mapping does."""
    found = usable(settings, path, progress)
    if found is None:
        return None
    state, entry = found
    directory = cache_directory(settings)
    vocab = Vocabulary(settings.base_uri)
    store = ox.Store.read_only(str(directory / STORE))
    iri = URIRef(entry["iri"])
    files = [Path(f) for f in entry["files"]]
    progress(f"mapping {Path(files[0]).parent.name}/ again; the rest from the cache")
    epci = _epci_index(store, vocab) if entry["kind"] == "csv" else None
    source = _map_again(vocab, store, entry, files, iri, epci)
    if entry["kind"] == "csv":   # the official lists' checks first: they need no context
        _check_territories(vocab, source, settings, epci)
    if entry["kind"] == "csv" and _derived_facts(vocab, source.graph) != _derived_facts(
            vocab, _cached_graph(store, iri)):
        progress(f"{path} changes what other graphs are derived from (a territory's phase, "
                 f"official id, EPCI or dates): full validation")
        return None
    changed = _changed_subjects(_cached_graph(store, iri), source.graph)
    pointing = _pointing_at(store, iri, changed, source.graph)
    focus = changed | pointing | _siblings(pointing, source.graph)
    progress(f"  {len(changed):,} resource(s) changed; {len(focus):,} focus nodes they can affect")
    data = Graph()   # pyshacl needs a context-aware store
    data += source.graph
    data += _context(store, iri, focus, source.graph, state["ontology"])
    progress(f"  {len(data):,} triples they read")
    if entry["kind"] == "turtle":
        _check_curated(vocab, source, data, state)
    progress(f"validating {len(data):,} triples around {len(focus):,} focus nodes")
    fresh = validate(data, shapes, _locations(directory, entry["name"], source.locations))
    progress(f"  {len(fresh.results)} result(s) there; the cached ones elsewhere")
    kept = [r for r in (_restored(s) for s in state["results"]) if r.focus not in focus]
    results = kept + [r for r in fresh.results if r.focus in focus]
    results.sort(key=_order)
    return Report(not any(r.severity == "Violation" for r in results), results, fresh.graph)


def _order(r: Result):
    return (str(r.location.file) if r.location else "~",
            (r.location.line or 0) if r.location else 0, str(r.focus), str(r.path))


def _map_again(vocab: Vocabulary, store, entry: dict, files: list[Path], iri: URIRef,
               epci: territories.EpciIndex | None) -> SourceGraph:
    graph = Graph(store="SimpleMemory", identifier=iri)
    directory = files[0].parent
    if entry["kind"] == "csv":
        return territories.load(vocab, directory, graph, epci)
    present = sorted(p for p in directory.glob("*.ttl") if p.name != DESCRIPTION)
    return turtle.load(entry["name"], present, vocab.base, graph)


def _derived_facts(vocab: Vocabulary, graph: Graph) -> set:
    """What the graphs derived from a territory list read of it (the programme's slugs, the
    populations, the perimeters): the fast path reuses those graphs only if these are unchanged."""
    ti = vocab.ti
    read = {ti.phase, ti.identifiantOfficiel, ORG.hasMember, ti.dateLabellisation,
            TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear}
    return {(s, p, o) for s, p, o in graph if p in read}


def _cached_graph(store, iri: URIRef) -> Graph:
    graph = Graph(store="SimpleMemory")
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(iri))):
        graph.add(_triple(quad))
    return graph


def _epci_index(store, vocab: Vocabulary) -> territories.EpciIndex:
    """What territories.EpciIndex reads of the reference: each EPCI's SIREN, name, départements."""
    graph = Graph(store="SimpleMemory")
    query = queries.get("build/epci-index").text
    for triple in store.query(query, base_iri=vocab.base, use_default_graph_as_union=True):
        graph.add(_triple(triple))
    return territories.EpciIndex(graph, vocab)


def _check_curated(vocab: Vocabulary, source: SourceGraph, data: Graph, state: dict) -> None:
    """What load_all checks of curated Turtle across sources (curated_checks.py, and the
    phases' counts against the official lists: programme_checks.py), on the changed source."""
    descriptions = Graph(store="SimpleMemory")
    if state["extract"]:
        descriptions.add((URIRef(vocab.base), vocab.ti.extrait, Literal(True)))
    curated_checks.check(vocab, [source], [SourceGraph("contexte", source.iri, data, [])],
                         descriptions)
    if not state["extract"]:
        # check_counts reads only each official territory's phase
        phases = [SimpleNamespace(listed=SimpleNamespace(phase=int(phase)))
                  for phase, count in state["territories_per_phase"].items()
                  for _ in range(count)]
        programme_checks.check_counts(vocab, [source], phases)


def _check_territories(vocab: Vocabulary, source: SourceGraph, settings: Settings,
                       epci: territories.EpciIndex) -> None:
    """What programme.py checks of a territory list against the official lists: its names and,
    for each territory naming its official record, its EPCI."""
    lists = programme.read_all(settings.data_dir / "programme")
    programme_curated.check_names(vocab, [source], lists)
    programme_curated.check_members(vocab, [source], lists, lambda siren: siren in epci.by_siren)


def _changed_subjects(old: Graph, new: Graph) -> set[Node]:
    """The subjects whose triples differ between the source's cached graph and its new one:
    the results of every other resource of the source depend on nothing that changed, unless
    it links to one of these (`_pointing_at`)."""
    def described(graph: Graph) -> dict[Node, set]:
        found: dict[Node, set] = {}
        for s, p, o in graph:
            found.setdefault(s, set()).add((p, o))
        return found

    before, after = described(old), described(new)
    return {s for s in set(before) | set(after) if before.get(s) != after.get(s)}


def _pointing_at(store, iri: URIRef, nodes: set[Node], new: Graph) -> set[Node]:
    """The resources that link to `nodes`, in the other graphs (index lookups, node by node)
    or in the source's new graph: a shape on them may read what changed (its class…)."""
    skipped = ox.NamedNode(str(iri))
    found = {s for node in nodes for s in new.subjects(None, node)}
    found |= {_term(quad.subject) for node in nodes if isinstance(node, URIRef)
              for quad in store.quads_for_pattern(None, None, ox.NamedNode(str(node)), None)
              if quad.graph_name != skipped}
    return found


def _siblings(nodes: set[Node], new: Graph) -> set[Node]:
    """What `nodes` link to among the source's own resources: a shape may report a node for
    its sibling's value (an interval's order, at both its bounds when only one was edited)."""
    return {o for node in nodes for o in new.objects(node, None)
            if isinstance(o, (URIRef, BNode)) and (o, None, None) in new}


def _context(store, iri: URIRef, focus: set[Node], changed: Graph, ontology: list[str]) -> Graph:
    """The triples of the other graphs the shapes read about `focus`: theirs, then those of
    what they link to, HOPS links on (through the source's new graph too); what the source's
    facts link to (their names and classes, read by the cross-source checks); and the ontology
    graph, whole. Gathered as Oxigraph quads and handed to rdflib as one N-Triples document
    (term by term is slower)."""
    found: list = []
    for graph in ontology:
        found.extend(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    skipped = ox.NamedNode(str(iri))

    def fetch(node: str) -> list:
        quads = [q for q in store.quads_for_pattern(ox.NamedNode(node), None, None, None)
                 if q.graph_name != skipped]
        found.extend(quads)
        return quads

    fetched: set[str] = set()
    frontier = {str(n) for n in focus if isinstance(n, URIRef)}
    for _ in range(HOPS + 1):
        todo, frontier = frontier - fetched, set()
        fetched |= todo
        for node in todo:
            frontier |= {q.object.value for q in fetch(node) if isinstance(q.object, ox.NamedNode)}
            frontier |= {str(o) for o in changed.objects(URIRef(node)) if isinstance(o, URIRef)}
    for node in {str(o) for o in changed.objects() if isinstance(o, URIRef)} - fetched:
        fetch(node)
    triples = ox.serialize([q.triple for q in found], format=ox.RdfFormat.N_TRIPLES)
    context = Graph(store="SimpleMemory")
    context.parse(data=triples, format="nt")
    return context


def _locations(directory: Path, changed: str, fresh: Locations) -> Locations:
    """Every source's locations in their mapping order, the changed source's replaced."""
    with open(directory / LOCATIONS, "rb") as saved:
        per_source = pickle.load(saved)
    merged = Locations()
    for name, locations in per_source:
        merged.update(fresh if name == changed else locations)
    return merged


def _term(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):   # rdflib's plain literal, as the mappers make it
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _triple(triple) -> tuple[Node, Node, Node]:
    return _term(triple.subject), _term(triple.predicate), _term(triple.object)


__all__ = ["CACHE", "cache_directory", "digests", "fast", "write"]
