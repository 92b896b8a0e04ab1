"""Each shape catches its mistake in the real data: a slice of the real graph (the article's
territories, their EPCI and communes, and every curated graph) conforms, and corrupting one fact
gives exactly the expected violation."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, XSD

from territoires.vocabulary.namespaces import SCHEMA, Vocabulary
from territoires.build.validate import load_shapes, validate

from .conftest import BASE

V = Vocabulary(BASE)
TI = V.ti
GBM = V.id("epci", "242500361")
MORTEAU = V.id("epci", "242504116")
THISE = V.id("commune", "25560")
ALLIANCES = V.id("territoire", "alliances-luxe-precision-doubs")
MEMBERSHIP = URIRef(f"{ALLIANCES}#membre-242500361")
AMOUNT = URIRef(f"{V.id('financement', 'enveloppe-territoires-d-industrie-2023-2027')}#montant")
BOLE = V.id("personne", "cedric-bole")
COG = V.graph("cog")


@pytest.fixture(scope="module")
def shapes(settings):
    return load_shapes(settings.shapes_dir, BASE)


@pytest.fixture(scope="module")
def real_slice(sources) -> Graph:
    """Every curated graph whole, and from the reference graph the territories' EPCI, their
    communes, and the départements, régions and chefs-lieux those point to."""
    graphs = {g.name: g.graph for g in sources.graphs}
    reference = next(g.graph for g in sources.graphs if g.iri == COG)
    keep = set()
    for territory_graph in (g.graph for g in sources.graphs
                            if g.iri != COG and g.name != "historique"):
        keep.update(o for o in territory_graph.objects(None, ORG.hasMember))
    keep.update(c for e in list(keep) for c in reference.objects(e, ORG.hasMember))
    while True:  # close over the places those point to
        linked = {o for node in keep for p in (TI.departement, TI.region, TI.chefLieu)
                  for o in reference.objects(node, p)}
        if linked <= keep:
            break
        keep |= linked
    graph = Graph()
    for name, g in graphs.items():
        if name == "historique":
            continue   # derived from the whole reference, validated with it by the build
        if g is reference:
            for node in keep:
                for p, o in reference.predicate_objects(node):
                    graph.add((node, p, o))
        else:
            graph += g
    return graph


def test_the_real_slice_conforms(real_slice, shapes):
    report = validate(real_slice, shapes, locations=_no_locations())
    assert report.conforms, report.text()
    assert len(real_slice) > 3000  # six EPCI and their ~250 communes are in it


def _no_locations():
    from territoires.vocabulary.locations import Locations
    return Locations()


def _set(graph, subject, predicate, value):
    graph.remove((subject, predicate, None))
    graph.add((subject, predicate, value))


CORRUPTIONS = {
    # name: (change to the graph, expected focus node, expected result path)
    "siren of 8 digits": (lambda g: _set(g, GBM, TI.siren, Literal("24250036")), GBM, TI.siren),
    "siren with a wrong Luhn key": (lambda g: _set(g, GBM, TI.siren, Literal("242500362")), GBM, TI.siren),
    "siren with a letter": (lambda g: _set(g, GBM, TI.siren, Literal("24250036A")), GBM, TI.siren),
    "commune code 20xxx (Corsica is 2A/2B)": (lambda g: _set(g, THISE, TI.codeInsee, Literal("20560")), THISE, TI.codeInsee),
    "commune code of 6 characters": (lambda g: _set(g, THISE, TI.codeInsee, Literal("255600")), THISE, TI.codeInsee),
    "negative population": (lambda g: _set(g, THISE, TI.population, Literal(-5)), THISE, TI.population),
    "decimal population": (lambda g: _set(g, THISE, TI.population, Literal("2994.5", datatype=XSD.decimal)), THISE, TI.population),
    "EPCI without member communes": (lambda g: g.remove((MORTEAU, ORG.hasMember, None)), MORTEAU, ORG.hasMember),
    "EPCI without legal form": (lambda g: g.remove((MORTEAU, TI.formeJuridique, None)), MORTEAU, TI.formeJuridique),
    "EPCI legal form outside the scheme": (lambda g: _set(g, MORTEAU, TI.formeJuridique, V.concept("forme-juridique", "SIVOM")), MORTEAU, TI.formeJuridique),
    "EPCI negative total population": (lambda g: _set(g, MORTEAU, TI.populationTotale, Literal(-1)), MORTEAU, TI.populationTotale),
    "territory with two label dates": (lambda g: g.add((ALLIANCES, TI.dateLabellisation, Literal("2023", datatype=XSD.gYear))), ALLIANCES, TI.dateLabellisation),
    "membership linked from its territory (old ORG pattern)": (lambda g: g.add((ALLIANCES, ORG.hasMembership, MEMBERSHIP)), MEMBERSHIP, None),
    "curated resource without source": (lambda g: g.remove((BOLE, DCTERMS.source, None)), BOLE, DCTERMS.source),
    "curated resource citing a literal": (lambda g: _set(g, BOLE, DCTERMS.source, Literal("public record")), BOLE, DCTERMS.source),
    "territory resource without mode": (lambda g: g.remove((MEMBERSHIP, TI.modeEtablissement, None)), MEMBERSHIP, TI.modeEtablissement),
    "territory without term": (lambda g: g.remove((ALLIANCES, TI.periodeLabellisation, None)), ALLIANCES, TI.periodeLabellisation),
    "territory without phase": (lambda g: g.remove((ALLIANCES, TI.phase, None)), ALLIANCES, TI.phase),
    "territory without EPCI": (lambda g: g.remove((ALLIANCES, ORG.hasMember, None)), ALLIANCES, ORG.hasMember),
    "membership without member": (lambda g: g.remove((MEMBERSHIP, ORG.member, None)), MEMBERSHIP, ORG.member),
    "membership without organisation": (lambda g: g.remove((MEMBERSHIP, ORG.organization, None)), MEMBERSHIP, ORG.organization),
    "membership without role": (lambda g: g.remove((MEMBERSHIP, ORG.role, None)), MEMBERSHIP, ORG.role),
    "membership without interval": (lambda g: g.remove((MEMBERSHIP, ORG.memberDuring, None)), MEMBERSHIP, ORG.memberDuring),
    "amount without currency": (lambda g: g.remove((AMOUNT, SCHEMA.currency, None)), AMOUNT, SCHEMA.currency),
    "person without name": (lambda g: g.remove((BOLE, FOAF.name, None)), BOLE, FOAF.name),
    "graph without licence": (lambda g: g.remove((COG, DCTERMS.license, None)), COG, DCTERMS.license),
}


@pytest.mark.build   # one SHACL validation of the slice per mistake
@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_each_shape_catches_its_mistake(name, real_slice, shapes):
    change, focus, path = CORRUPTIONS[name]
    graph = Graph()
    graph += real_slice
    change(graph)
    report = validate(graph, shapes, locations=_no_locations())
    assert not report.conforms
    # an inverse path (a blank node) is listed as None
    found = {(r.focus, None if isinstance(r.path, BNode) else r.path) for r in report.violations}
    assert (focus, path) in found, f"expected a violation on {focus} {path}; got {found}"
    fired = [r for r in report.violations
             if (r.focus, None if isinstance(r.path, BNode) else r.path) == (focus, path)]
    assert all(r.messages.get("fr") and r.messages.get("en") for r in fired)


def test_graph_without_any_source(real_slice, shapes):
    graph = Graph()
    graph += real_slice
    graph.remove((COG, PROV.wasDerivedFrom, None))
    graph.remove((COG, DCTERMS.source, None))
    report = validate(graph, shapes, locations=_no_locations())
    assert any(r.focus == COG for r in report.violations), report.text()
