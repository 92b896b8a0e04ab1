"""Cross-source checks of the curated facts (data/article/): what a fact says in words must agree
with what it links to, and a count or a series with what it counts. Each stops the build at the
file and line of the value to fix (a `SourceError`), naming the other places concerned.

- Wordings: the source's own name of the organisation a membership or a post is in
  (`ti:libelleOrganisationSource`), or of the place a company is in or a plan is declined in
  (`ti:libelleLieuSource`), kept with the curated fact as the territory CSV keeps
  `epci_libelle_source`, is one of the names of what the fact links to (official, or the
  source's, compared by name key; a shortening counts: "Grand Besançon" for "Grand Besançon
  Métropole"). A role moved to another organisation or territory keeps its wording, which no
  longer names it: reported at the link's line.
- Beneficiaries: an envelope that funds a phase (`schema:fundedItem`) is shared by as many
  beneficiaries (`ti:nombreBeneficiaires`) as the phase has territories in its official list
  (`ti:nombreTerritoiresOfficiels`) or, without the list, as the phase says
  (`ti:nombreTerritoires`).
- Announced ratios: a dataset whose own statement constrains its series (`ti:rapportAnnonce`:
  0.5 for a share "halved") has, for each measure, its last observation over its first
  (ordered by `ti:periodeReference`) equal to it, within the rounding of the figures: two
  figures swapped (22 and 11) give 2, not 0.5.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..vocabulary.names import name_key
from ..vocabulary.namespaces import FOAF, ORG, QB, RDFS, SCHEMA, SKOS, DCTERMS, Vocabulary
from .base import SourceError, SourceGraph

NAMES = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, RDFS.label, FOAF.name)
# Relative tolerance of an announced ratio: the article's figures are rounded.
TOLERANCE = Decimal("0.15")


def check(vocab: Vocabulary, curated: Sequence[SourceGraph], everything: Sequence[SourceGraph],
          descriptions: Graph | None = None) -> None:
    """Every check on every curated Turtle source; `everything` gives the names and counts of
    what the curated facts link to, `descriptions` the sources' (else `graph/sources` among
    them): an extract of the official lists (the tests' small data) counts too few territories
    to be compared with."""
    graphs = [s.graph for s in everything] + ([descriptions] if descriptions is not None else [])
    official = not any(True for g in graphs for _ in g.subjects(vocab.ti.extrait, Literal(True)))
    for source in curated:
        check_wordings(vocab, source, graphs)
        check_beneficiaries(vocab, source, graphs, official)
        check_ratios(vocab, source)


def _place(source: SourceGraph, subject: Node, predicate: Node | None = None):
    return (source.locations.find(subject, predicate) or source.locations.find(subject)
            or (source.files[0] if source.files else source.name))


def names_of(graphs: Iterable[Graph], iri: Node) -> set[str]:
    return {str(name) for g in graphs for p in NAMES for name in g.objects(iri, p)}


def names_match(wording: str, names: Iterable[str]) -> bool:
    """The wording is one of the names, or a shortening of one (its words among the name's)."""
    words = set(name_key(wording).split())
    return bool(words) and any(words <= set(name_key(n).split()) for n in names)


def check_wordings(vocab: Vocabulary, source: SourceGraph, graphs: Sequence[Graph]) -> None:
    ti = vocab.ti
    links = {ti.libelleOrganisationSource: (ORG.organization, ORG.postIn, SCHEMA.affiliation),
             ti.libelleLieuSource: (SCHEMA.location, DCTERMS.spatial)}
    for wording_property, linked_by in links.items():
        for subject, wording in sorted(source.graph.subject_objects(wording_property)):
            targets = [(p, o) for p in linked_by for o in source.graph.objects(subject, p)]
            for predicate, target in targets:
                names = names_of(graphs, target)
                if not names_match(str(wording), names):
                    known = ", ".join(repr(n) for n in sorted(names)) or "no name at all"
                    raise SourceError(_place(source, subject, predicate),
                                      f"{subject} links by {_short(vocab, predicate)} "
                                      f"to {target}, whose names ({known}) are not the source's "
                                      f"{str(wording)!r} (given at "
                                      f"{_place(source, subject, wording_property)}): the fact "
                                      f"was moved to another organisation or place?")


def check_beneficiaries(vocab: Vocabulary, source: SourceGraph, graphs: Sequence[Graph],
                        official: bool = True) -> None:
    ti = vocab.ti
    for grant, stated in sorted(source.graph.subject_objects(ti.nombreBeneficiaires)):
        for phase in source.graph.objects(grant, SCHEMA.fundedItem):
            listed = _first(graphs, phase, ti.nombreTerritoiresOfficiels) if official else None
            counted = listed if listed is not None else _first(graphs, phase, ti.nombreTerritoires)
            if counted is None or _int(stated) == _int(counted):
                continue
            what = "its official list" if listed is not None else "the phase itself"
            # Against the phase's own count, either figure may be the mistyped one: both named.
            phase_place = source.locations.find(phase, ti.nombreTerritoires)
            raise SourceError(_place(source, grant, ti.nombreBeneficiaires),
                              f"{grant} is shared by {stated} beneficiaries, but the phase it "
                              f"funds, {phase}, has {counted} territories ({what})",
                              also=[phase_place] if phase_place and listed is None else [])


def check_ratios(vocab: Vocabulary, source: SourceGraph) -> None:
    ti, g = vocab.ti, source.graph
    for dataset, announced in sorted(g.subject_objects(ti.rapportAnnonce)):
        observations = sorted((str(g.value(o, ti.periodeReference)), o)
                              for o in g.subjects(QB.dataSet, dataset)
                              if g.value(o, ti.periodeReference) is not None)
        for measure in _measures(g, [o for _, o in observations], ti.periodeReference):
            series = [(o, g.value(o, measure)) for _, o in observations
                      if g.value(o, measure) is not None]
            if len(series) < 2 or Decimal(str(series[0][1])) == 0:
                continue
            (first, start), (last, end) = series[0], series[-1]
            ratio = Decimal(str(end)) / Decimal(str(start))
            wanted = Decimal(str(announced))
            if abs(ratio - wanted) > TOLERANCE * wanted:
                places = [_place(source, first, measure), _place(source, last, measure)]
                raise SourceError(places[0], f"{_short(vocab, measure)}: {end} "
                                               f"(at {places[1]}) over {start} is {ratio:.2f}, "
                                               f"but {dataset} announces {announced} "
                                               f"(at {_place(source, dataset, ti.rapportAnnonce)})"
                                               f": two figures swapped, or one mistyped?",
                                  also=places[1:])


def _measures(graph: Graph, observations: list[URIRef], period: URIRef) -> list[URIRef]:
    """The numeric properties the observations carry (their measures), the period aside."""
    found = {p for o in observations for p, v in graph.predicate_objects(o) if p != period
             if isinstance(v, Literal) and isinstance(v.toPython(), (int, float, Decimal))
             and not isinstance(v.toPython(), bool)}
    return sorted(found)


def _short(vocab: Vocabulary, iri: URIRef) -> str:
    """A property as the sources write it: ti:…, org:…, schema:…"""
    for prefix, namespace in vocab.prefixes().items():
        if str(iri).startswith(namespace) and prefix:
            return f"{prefix}:{str(iri)[len(namespace):]}"
    return iri.n3()


def _first(graphs: Sequence[Graph], subject: Node, predicate: Node):
    return next((o for g in graphs for o in g.objects(subject, predicate)), None)


def _int(value) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


__all__ = ["check", "check_beneficiaries", "check_ratios", "check_wordings", "names_match"]
