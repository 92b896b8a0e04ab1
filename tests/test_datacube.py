"""The graph is a valid RDF Data Cube (issues 9 and 19): every integrity constraint IC-1 … IC-21 of
the W3C recommendation (section 11.1, one SPARQL ASK each, in tests/datacube/) holds, as written,
on the built store as it is: the build publishes the normalised form (section 10.2, its updates in
territoires/queries/datacube/, run by territoires/build/datacube.py into graph/cube-normalise), so
no consumer has to normalise. An ASK is true when its constraint is violated.

IC-20 and IC-21 are templates over each hierarchical code list's parent-child property; the graph
has no qb:HierarchicalCodeList, so they hold vacuously: they are still run, instantiated with
every property hierarchy-properties.rq finds plus skos:narrower, and a mutation shows that an
instantiated template does catch a value outside its hierarchy.

Each mutation test adds or removes a triple of the old pattern (or a realistic mistake) on a copy
of the published union, normalises the copy again (as a consumer adding data would) and shows the
constraint it breaks.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from territoires.build.datacube import normalise
from territoires.config import ROOT

from .conftest import BASE

CUBE = ROOT / "tests" / "datacube"
CONSTRAINTS = sorted(CUBE.glob("ic-*.rq"))
TEMPLATED = {"ic-20", "ic-21"}

QB = "http://purl.org/linked-data/cube#"
TI = f"{BASE}def/territoires#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_NARROWER = "http://www.w3.org/2004/02/skos/core#narrower"
UNIT_MEASURE = "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
STAT = f"{BASE}id/statistique/"


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def union(engine: ox.Store) -> ox.Store:
    """The union graph of a build as the endpoint answers it, copied in memory as it is."""
    copy = ox.Store()
    copy.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                     for q in engine.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return copy


def instantiations(store: ox.Store) -> dict[str, list[str]]:
    """The properties IC-20 and IC-21 are instantiated with; skos:narrower always, so the
    templates are run even where the graph has no hierarchical code list."""
    found = {name: [SKOS_NARROWER] for name in TEMPLATED}
    for row in store.query((CUBE / "hierarchy-properties.rq").read_text(encoding="utf-8")):
        found[row["constraint"].value].append(row["p"].value)
    return found


def queries(store: ox.Store, path: Path) -> list[str]:
    """The ASK queries of one constraint file (a template gives one per instantiation)."""
    text = path.read_text(encoding="utf-8")
    name = path.stem
    if name not in TEMPLATED:
        return [text]
    # The spec's own templating: $p stands for an IRI taken from the graph, checked as one.
    return [text.replace("$p", ox.NamedNode(p).value) for p in instantiations(store)[name]]


def violated(store: ox.Store, among: set[str] | None = None) -> list[str]:
    """The constraints whose ASK is true on `store`; with `among`, of those constraints only
    (a test that asserts some constraints break need not run IC-12's pairwise comparison)."""
    return [path.stem for path in CONSTRAINTS if among is None or path.stem in among
            if any(bool(store.query(query)) for query in queries(store, path))]


@pytest.fixture(scope="module")
def cube(store) -> ox.Store:
    return union(store.engine)


def test_every_constraint_of_the_recommendation_is_there():
    names = {p.stem for p in CONSTRAINTS}
    assert names == {f"ic-{i:02d}" for i in range(1, 19)} | {"ic-19a", "ic-19b", "ic-20", "ic-21"}
    for path in CONSTRAINTS:
        assert "ASK" in path.read_text(encoding="utf-8"), path


def test_the_graph_has_cubes_to_check(cube):
    datasets = {q.subject.value for q in cube.quads_for_pattern(None, n(RDF_TYPE), n(QB + "DataSet"))}
    assert {STAT + "salaires-nets-moyens-2022", STAT + "industrie-nationale",
            STAT + "emplois-industriels-detruits", STAT + "populations-legales"} <= datasets


# IC-12 compares observations pairwise (1,391 populations): seconds, in the slow layer.
@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.slow) if p.stem == "ic-12"
                                  else p for p in CONSTRAINTS], ids=[p.stem for p in CONSTRAINTS])
def test_the_constraint_holds_on_the_small_build_without_normalising(cube, path):
    """Run on the union the endpoint serves, copied verbatim into memory (the same triples;
    IC-12 compares observations pairwise, seconds faster in memory than on disk)."""
    assert not any(bool(cube.query(q)) for q in queries(cube, path)), path.stem


@pytest.mark.slow   # IC-12 compares observations pairwise: seconds a run
def test_the_abbreviated_sources_alone_break_the_constraints(store):
    """Without graph/cube-normalise the union is the abbreviated form, which IC-3 (among
    others) rejects: the derived graph is what makes the constraints hold."""
    normalised = ox.NamedNode(f"{BASE}graph/cube-normalise")
    graphs = [g for g in store.engine.named_graphs() if g != normalised]
    assert len(graphs) < len(list(store.engine.named_graphs()))
    copy = ox.Store()
    copy.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                     for g in graphs for q in store.engine.quads_for_pattern(None, None, None, g))
    assert "ic-03" in violated(copy)
    normalise(copy)
    assert violated(copy) == []


def test_normalising_the_published_graph_again_adds_nothing(cube):
    copy = ox.Store()
    copy.bulk_extend(cube.quads_for_pattern(None, None, None))
    normalise(copy)
    assert len(copy) == len(cube)


def test_the_constraints_hold_on_the_full_build_without_normalising(full_store):
    assert violated(union(full_store.engine)) == []


# --- mutations: each breaks the constraint it names -------------------------------------------

JOBS = STAT + "emplois-industriels-detruits/1973-2023"
SHARE = STAT + "industrie-nationale"


def mutated(cube: ox.Store, add=(), remove=(), among: set[str] | None = None) -> list[str]:
    """The constraints the mutated, normalised copy breaks (of `among` only, when given)."""
    copy = ox.Store()
    copy.bulk_extend(cube.quads_for_pattern(None, None, None))
    for s, p, o in remove:
        copy.remove(ox.Quad(s, p, o, ox.DefaultGraph()))
    copy.bulk_extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in add)
    normalise(copy)
    return violated(copy, among)


def test_the_job_losses_back_in_the_yearly_dataset_break_it(cube):
    """The old pattern: the 1973-2023 losses as an observation of the by-year dataset."""
    assert "ic-01" in mutated(cube, add=[(n(JOBS), n(QB + "dataSet"), n(SHARE))],
                              among={"ic-01"})
    old = n(SHARE + "/emplois-detruits-1973-2023")
    found = mutated(cube, add=[
        (old, n(QB + "dataSet"), n(SHARE)),
        (old, n(TI + "periodeReference"), ox.Literal("2023", datatype=n(XSD + "gYear"))),
        (old, n(TI + "emploisDetruits"), ox.Literal("2500000", datatype=n(XSD + "integer")))],
        among={"ic-13", "ic-14"})
    assert "ic-14" in found and "ic-13" in found


def test_the_old_measure_type_dimension_breaks_it(cube):
    spec = n(TI + "dsd-industrie-nationale-type")
    found = mutated(cube, add=[(n(TI + "dsd-industrie-nationale"), n(QB + "component"), spec),
                               (spec, n(QB + "componentProperty"), n(QB + "measureType")),
                               (n(QB + "measureType"), n(RDF_TYPE), n(QB + "DimensionProperty"))],
                    among={"ic-04", "ic-11"})
    assert {"ic-04", "ic-11"} <= set(found)


@pytest.mark.slow   # IC-12 compares observations pairwise: seconds a run
def test_an_observation_without_its_unit_breaks_it(cube):
    obs = n(STAT + "salaires-nets-moyens-2022/industrie")
    unit = next(cube.quads_for_pattern(obs, n(UNIT_MEASURE), None)).object
    assert mutated(cube, remove=[(obs, n(UNIT_MEASURE), unit)]) == ["ic-13"]


@pytest.mark.slow   # IC-12 compares observations pairwise: seconds a run
def test_a_duplicate_population_breaks_it(cube):
    obs = next(cube.quads_for_pattern(None, n(QB + "dataSet"), n(STAT + "populations-legales")))
    twin = n(obs.subject.value + "-bis")
    copied = [(twin, q.predicate, q.object) for q in cube.quads_for_pattern(obs.subject, None, None)]
    assert mutated(cube, add=copied) == ["ic-12"]


def test_an_instantiated_hierarchy_template_catches_a_value_outside_it(cube):
    """IC-20 once the graph has a hierarchical code list for the sector dimension."""
    secteur, scheme = n(TI + "secteur"), n(f"{BASE}def/hierarchie-test")
    found = mutated(cube, add=[
        (scheme, n(RDF_TYPE), n(QB + "HierarchicalCodeList")),
        (scheme, n(QB + "parentChildProperty"), n(SKOS_NARROWER)),
        (scheme, n(QB + "hierarchyRoot"), n(f"{BASE}def/secteur/industrie")),
        (secteur, n(QB + "codeList"), scheme)], among={"ic-20"})
    assert "ic-20" in found


# --- the build's normalisation is the recommendation's, on any cube --------------------------

ABBREVIATED = """
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix ex: <https://example.org/cube#> .
ex:dsd a qb:DataStructureDefinition ;
    qb:component [ qb:dimension ex:zone ] , [ qb:dimension ex:year ] , [ qb:measure ex:count ] ,
        [ qb:attribute ex:unit ; qb:componentAttachment qb:DataSet ; qb:componentRequired true ] ;
    qb:sliceKey ex:byYear .
ex:byYear a qb:SliceKey ; qb:componentProperty ex:year .
"""
OBSERVED = """
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix ex: <https://example.org/cube#> .
ex:ds a qb:DataSet ; qb:structure ex:dsd ; ex:unit ex:people ; qb:slice ex:y2023 .
ex:y2023 qb:sliceStructure ex:byYear ; ex:year 2023 ; qb:observation ex:o1 , ex:o2 .
ex:o1 qb:dataSet ex:ds ; ex:zone ex:a ; ex:count 10 .
ex:o2 qb:dataSet ex:ds ; ex:zone ex:b ; ex:count 20 .
ex:other ex:unit ex:ignored .
"""


def test_the_build_normalises_any_abbreviated_cube_as_the_recommendation_does():
    """Another helper's cube (slices, a data-set attachment, its structure in another graph)
    gets the same triples from the build's step as from the algorithm run on the whole union."""
    from rdflib import Dataset, URIRef

    from territoires.build.datacube import add_normalised
    from territoires.sources import SourceGraph, Sources
    from territoires.vocabulary.namespaces import Vocabulary

    vocab, dataset = Vocabulary(BASE), Dataset()
    graphs = []
    for name, text in (("structure", ABBREVIATED), ("observations", OBSERVED), ("sources", "")):
        graph = dataset.graph(vocab.graph(name))
        graph.parse(data=text, format="turtle")
        graphs.append(SourceGraph(name, vocab.graph(name), graph, []))
    sources = Sources(dataset, graphs)
    whole = ox.Store()
    whole.bulk_extend(ox.Quad(ox.NamedNode(str(s)) if isinstance(s, URIRef) else ox.BlankNode(str(s)),
                              ox.NamedNode(str(p)), _term(o), ox.DefaultGraph())
                      for g in graphs for s, p, o in g.graph)
    stated = len(whole)
    normalise(whole)
    derived = add_normalised(sources, vocab)
    assert derived is not None and len(derived) == len(whole) - stated > 0
    example = "https://example.org/cube#"
    for obs in ("o1", "o2"):   # pushed down: the data set's attribute, the slice's dimension
        assert (URIRef(example + obs), URIRef(example + "unit"), URIRef(example + "people")) in derived.graph
        assert (URIRef(example + obs), URIRef(example + "year"), None) in derived.graph
    assert (URIRef(example + "other"), URIRef(example + "unit"), None) not in derived.graph
    described = graphs[2].graph
    assert (derived.iri, URIRef(RDF_TYPE), URIRef(TI + "SourceGraph")) in described
    assert set(described.objects(derived.iri, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))) \
        == {vocab.graph("structure"), vocab.graph("observations")}


def _term(node):
    from rdflib import BNode, URIRef

    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if node.datatype:
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
    return ox.Literal(str(node), language=node.language) if node.language else ox.Literal(str(node))
