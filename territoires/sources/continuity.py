"""Which phase-2 territories continue phase-1 ones, deduced from the groupements they share
(docs/PROGRAMME.md, "Continuity"): neither list says it, and ANCT ids are reused across phases
with other meanings, so the ids cannot tell.

A phase-2 territory continues a phase-1 one when they share at least one groupement (by SIREN)
and the shared ones are at least half of either territory's groupements: half of the new one
(the same territory, maybe a little changed) or half of the old one (an old territory grown
into, or merged into, a larger one). Each link is a `ti:Continuite` with its figures and its
reasoning, marked deduced:

    <p2> ti:succedeA <p1> .
    <p2#continuite-{p1 slug}> a ti:Continuite ; ti:territoireSuccesseur <p2> ;
        ti:territoirePredecesseur <p1> ; ti:epciCommuns 5 ; ti:partCommune 0.83 ;
        ti:partCommunePredecesseur 1.00 ; ti:modeEtablissement mode:deduit ; rdfs:comment "…"@fr .
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rdflib import Graph, Literal, URIRef

from ..vocabulary.namespaces import DCTERMS, RDF, RDFS, XSD, Vocabulary
from .programme import SOURCES, Mapped

THRESHOLD = Decimal("0.5")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Continuity:
    successor: Mapped
    predecessor: Mapped
    shared: int

    @property
    def share(self) -> Decimal:
        """The shared groupements over the phase-2 territory's."""
        return Decimal(self.shared) / len(self.successor.sirens)

    @property
    def share_of_predecessor(self) -> Decimal:
        return Decimal(self.shared) / len(self.predecessor.sirens)

    def holds(self) -> bool:
        return self.shared > 0 and max(self.share, self.share_of_predecessor) >= THRESHOLD


def deduce(mapped: list[Mapped]) -> list[Continuity]:
    """Every (phase 2, phase 1) pair that the rule links, in a stable order."""
    old = [m for m in mapped if m.listed.phase == 1]
    by_siren: dict[str, list[Mapped]] = {}
    for territory in old:
        for siren in territory.sirens:
            by_siren.setdefault(siren, []).append(territory)
    found = []
    for new in (m for m in mapped if m.listed.phase == 2):
        candidates = {id(t): t for s in new.sirens for t in by_siren.get(s, [])}
        for before in sorted(candidates.values(), key=lambda t: t.slug):
            pair = Continuity(new, before, len(new.sirens & before.sirens))
            if pair.holds():
                found.append(pair)
    return found


def _reasoning(pair: Continuity) -> str:
    new, old = pair.successor, pair.predecessor
    return (f"Déduit des listes officielles : {new.listed.name} ({new.listed.ident}, phase 2) "
            f"partage {pair.shared} de ses {len(new.sirens)} groupements "
            f"({_percent(pair.share)}) avec {old.listed.name} ({old.listed.ident}, phase 1), qui "
            f"en comptait {len(old.sirens)} ({_percent(pair.share_of_predecessor)} repris) ; "
            f"la règle : au moins un groupement commun, et au moins la moitié de ceux de l'un "
            f"des deux territoires.")


def _percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)} %"


def add(vocab: Vocabulary, graph: Graph, pairs: list[Continuity]) -> None:
    ti = vocab.ti
    for pair in pairs:
        new, old = pair.successor.iri, pair.predecessor.iri
        node = URIRef(f"{new}#continuite-{pair.predecessor.slug}")
        graph.add((new, ti.succedeA, old))
        graph.add((node, RDF.type, ti.Continuite))
        graph.add((node, ti.territoireSuccesseur, new))
        graph.add((node, ti.territoirePredecesseur, old))
        graph.add((node, ti.epciCommuns, Literal(pair.shared, datatype=XSD.integer)))
        for prop, share in ((ti.partCommune, pair.share),
                            (ti.partCommunePredecesseur, pair.share_of_predecessor)):
            graph.add((node, prop, Literal(share.quantize(CENT, rounding=ROUND_HALF_UP),
                                           datatype=XSD.decimal)))
        graph.add((node, ti.modeEtablissement, vocab.concept("mode-etablissement", "deduit")))
        graph.add((node, RDFS.comment, Literal(_reasoning(pair), lang="fr")))
        for source in SOURCES.values():
            graph.add((node, DCTERMS.source, source))
