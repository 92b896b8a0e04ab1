"""Cross-source checks between the curated facts and the official lists: what the article
states must agree with what the lists give, or the build stops at the article's file and line.

- the number of territories the article gives a phase (`ti:nombreTerritoires`, 183 for phase
  2) equals the count of that phase's territories in the official list;
- each succession the article states (`dcterms:replaces`: Alliances Luxe & Précision replaces
  Haut-Doubs) is one that the shared groupements deduce (`continuity.py`).
(The curated territories' EPCI are checked against their official record by `programme_curated.py`.)
"""

from __future__ import annotations

from rdflib import URIRef

from ..vocabulary.namespaces import DCTERMS, RDF, Vocabulary
from .base import SourceError, SourceGraph
from .continuity import Continuity
from .programme import Mapped


def _place(source: SourceGraph, subject: URIRef, predicate: URIRef):
    found = source.locations.find(subject, predicate)
    return found or (source.files[0] if source.files else source.name)


def check_counts(vocab: Vocabulary, sources: list[SourceGraph], mapped: list[Mapped]) -> None:
    ti = vocab.ti
    for source in sources:
        for phase, stated in source.graph.subject_objects(ti.nombreTerritoires):
            if (phase, RDF.type, ti.Phase) not in source.graph:
                continue
            number = int(str(phase).rsplit("-", 1)[-1])
            listed = sum(1 for m in mapped if m.listed.phase == number)
            if listed and int(stated) != listed:
                raise SourceError(_place(source, phase, ti.nombreTerritoires),
                                  f"phase {number} has {stated} territories here, but its "
                                  f"official list has {listed}")


def check_successions(sources: list[SourceGraph], pairs: list[Continuity],
                      mapped: list[Mapped]) -> None:
    deduced = {(p.successor.iri, p.predecessor.iri) for p in pairs}
    known = {m.iri for m in mapped}
    for source in sources:
        for new, old in source.graph.subject_objects(DCTERMS.replaces):
            if new in known and old in known and (new, old) not in deduced:
                raise SourceError(_place(source, new, DCTERMS.replaces),
                                  f"{new} replaces {old} here, but their official lists share "
                                  f"too few groupements for that (docs/PROGRAMME.md, "
                                  f"\"Continuity\")")
