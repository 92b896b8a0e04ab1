"""W3C ORG read as its specification says (issue 9).

The axioms come from the vendored ontology itself (`vendor/org/org.ttl`, unmodified): every
`rdfs:domain`, `rdfs:range` (a class or an `owl:unionOf`), `owl:inverseOf` and `rdfs:subClassOf`.
The graph's ORG triples are taken from a real build, the inverses are materialised as an OWL
reasoner would, and then:

- every subject of an ORG property has a type within its domain, every object within its range
  (types closed under the ORG, FOAF and project subclass axioms);
- every `org:Membership` is the n-ary relation ORG defines (§5.4 "Represents an n-ary relation
  between an Agent, an Organization and a Role"): after the inverses, exactly one `org:member`
  and one `org:organization`, different from each other;
- `org:hasMember` agrees with the memberships of role `role:membre` (both ways for territories).

A test injects one triple of the old pattern (an organisation `org:hasMembership` its membership)
and shows the checks fail, so they would catch a regression.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import FOAF, ORG, OWL, RDF, RDFS, TIME

from territoires.config import ROOT

from .conftest import BASE

ORG_TTL = ROOT / "vendor" / "org" / "org.ttl"
OLD_PATTERN = (ROOT / "tests" / "org" / "old-pattern.rq").read_text(encoding="utf-8")
POSTS = (ROOT / "tests" / "org" / "posts.rq").read_text(encoding="utf-8")
ALLIANCES = URIRef(f"{BASE}id/territoire/alliances-luxe-precision-doubs")
MEMBRE = URIRef(f"{BASE}def/role/membre")
# FOAF's own axioms the ORG ranges rely on (FOAF spec: Person and Organization are Agents).
FOAF_AXIOMS = [(FOAF.Person, RDFS.subClassOf, FOAF.Agent),
               (FOAF.Organization, RDFS.subClassOf, FOAF.Agent)]


class OrgAxioms:
    """Domain, range, inverse and subclass axioms of the vendored ORG ontology."""

    def __init__(self, ontology: Graph):
        def classes(node) -> frozenset:
            if isinstance(node, BNode) and (members := ontology.value(node, OWL.unionOf)):
                return frozenset(Collection(ontology, members))
            return frozenset([node])

        self.domain = {p: classes(d) for p, d in ontology.subject_objects(RDFS.domain)
                       if str(p).startswith(str(ORG))}
        self.range = {p: classes(r) for p, r in ontology.subject_objects(RDFS.range)
                      if str(p).startswith(str(ORG))}
        self.inverse = {}
        for p, q in ontology.subject_objects(OWL.inverseOf):
            self.inverse[p], self.inverse[q] = q, p
        self.subclass = [(s, o) for s, o in ontology.subject_objects(RDFS.subClassOf)
                         if isinstance(s, URIRef) and isinstance(o, URIRef)]


@pytest.fixture(scope="module")
def axioms() -> OrgAxioms:
    return OrgAxioms(Graph().parse(ORG_TTL, format="turtle"))


def org_triples(engine: ox.Store) -> set[tuple[URIRef, URIRef, URIRef]]:
    """Every ORG triple of the build (its default graph is the union of the named graphs), and
    the ends of periods (time:hasEnd), which tell a membership that ended."""
    found = set()
    for quad in engine.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        if (quad.predicate.value.startswith(str(ORG)) or quad.predicate.value == str(TIME.hasEnd)
                ) and isinstance(quad.object, ox.NamedNode):
            found.add((URIRef(quad.subject.value), URIRef(quad.predicate.value),
                       URIRef(quad.object.value)))
    return found


def types_and_classes(engine: ox.Store, nodes: set[URIRef], axioms: OrgAxioms):
    """The asserted types of `nodes`, and every class's superclasses (ORG, FOAF, ontology)."""
    types = defaultdict(set)
    for node in nodes:
        for quad in engine.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(str(RDF.type)),
                                             None, ox.DefaultGraph()):
            types[node].add(URIRef(quad.object.value))
    edges = defaultdict(set)
    ontology = [(URIRef(q.subject.value), URIRef(q.object.value)) for q in engine.quads_for_pattern(
        None, ox.NamedNode(str(RDFS.subClassOf)), None, ox.DefaultGraph())
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)]
    for s, o in axioms.subclass + ontology + [(s, o) for s, _, o in FOAF_AXIOMS]:
        edges[s].add(o)
    return types, edges


def superclasses(cls, edges, seen=None) -> set:
    seen = set() if seen is None else seen
    if cls not in seen:
        seen.add(cls)
        for parent in edges.get(cls, ()):
            superclasses(parent, edges, seen)
    return seen


def violations(triples: set, types, edges, axioms: OrgAxioms) -> list[str]:
    """What contradicts ORG in `triples` once ORG's inverses are materialised."""
    closed = set(triples) | {(o, axioms.inverse[p], s) for s, p, o in triples if p in axioms.inverse}
    kinds = {node: set().union(*(superclasses(t, edges) for t in types.get(node, ())))
             for triple in closed for node in (triple[0], triple[2])}
    found = []
    for s, p, o in sorted(closed):
        if p in axioms.domain and not kinds[s] & axioms.domain[p]:
            found.append(f"{s} {p}: not in domain {sorted(axioms.domain[p])}")
        if p in axioms.range and not kinds[o] & axioms.range[p]:
            found.append(f"{p} {o}: not in range {sorted(axioms.range[p])}")
    found += memberships_nary(closed)
    found += shortcut_agrees(closed, types)
    return found


def memberships_nary(closed: set) -> list[str]:
    members, organisations = defaultdict(set), defaultdict(set)
    for s, p, o in closed:
        if p == ORG.member:
            members[s].add(o)
        elif p == ORG.organization:
            organisations[s].add(o)
    found = []
    for membership in set(members) | set(organisations):
        who, where = members[membership], organisations[membership]
        if len(who) != 1 or len(where) != 1 or who == where:
            found.append(f"{membership}: members {sorted(who)}, organisations {sorted(where)}")
    return found


def shortcut_agrees(closed: set, types) -> list[str]:
    """org:hasMember agrees with the memberships of role membre (ORG §5.4: the shortcut), for
    the memberships that still hold: one that ended (a commune's former EPCI, graph/historique:
    its period has an end) is history, and the undated shortcut would say it holds today."""
    has_member = {(s, o) for s, p, o in closed if p == ORG.hasMember}
    role = {s: o for s, p, o in closed if p == ORG.role}
    member = {s: o for s, p, o in closed if p == ORG.member}
    organisation = {s: o for s, p, o in closed if p == ORG.organization}
    ended = {s for s, p, o in closed if p == TIME.hasEnd}
    during = {s: o for s, p, o in closed if p == ORG.memberDuring}
    plain = {m: (organisation[m], member[m]) for m in member
             if role.get(m) == MEMBRE and m in organisation}
    holding = {pair for m, pair in plain.items() if during.get(m) not in ended}
    found = [f"membership of {x} in {o} without org:hasMember" for o, x in holding - has_member]
    territories = {n for n, ts in types.items() if any(str(t).endswith("#TerritoireIndustrie")
                                                         for t in ts)}
    found += [f"{o} org:hasMember {x} without its membership"
              for o, x in has_member - set(plain.values()) if o in territories]
    return found


def check(engine: ox.Store, axioms: OrgAxioms, extra=()) -> list[str]:
    triples = org_triples(engine) | set(extra)
    nodes = {n for s, _, o in triples for n in (s, o)}
    types, edges = types_and_classes(engine, nodes, axioms)
    return violations(triples, types, edges, axioms)


# --- the tests --------------------------------------------------------------------------------

def test_the_vendored_ontology_gives_the_axioms_used(axioms):
    assert axioms.inverse[ORG.hasMembership] == ORG.member
    assert axioms.domain[ORG.hasMembership] == {FOAF.Agent}
    assert axioms.range[ORG.organization] == {ORG.Organization}
    assert axioms.domain[ORG.role] == {ORG.Membership, ORG.Post}   # an owl:unionOf


def test_no_org_triple_of_the_small_build_contradicts_org(store, axioms):
    assert check(store.engine, axioms) == []


def test_the_old_pattern_returns_no_row(store):
    assert list(store.engine.query(OLD_PATTERN, **store.dataset())) == []


def test_one_old_pattern_triple_is_caught(store, axioms):
    membership = URIRef(f"{ALLIANCES}#membre-242500361")
    found = check(store.engine, axioms, extra=[(ALLIANCES, ORG.hasMembership, membership)])
    assert any(str(membership) in line and "members" in line for line in found), found


def test_a_territory_member_without_membership_is_caught(store, axioms):
    stray = URIRef(f"{BASE}id/epci/200041622")
    found = check(store.engine, axioms, extra=[(ALLIANCES, ORG.hasMember, stray)])
    assert any("without its membership" in line for line in found), found


def test_offices_are_posts_held_by_people(store):
    rows = list(store.engine.query(POSTS, **store.dataset()))
    holders = {row["who"].value.rsplit("/", 1)[1] for row in rows}
    assert holders == {"cedric-bole", "nathalie-auge", "anne-vignot"}
    assert len(rows) == 6


def test_no_org_triple_of_the_full_build_contradicts_org(full_store, axioms):
    assert check(full_store.engine, axioms) == []
    assert list(full_store.engine.query(OLD_PATTERN, **full_store.dataset())) == []
