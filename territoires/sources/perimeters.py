"""Each territory read in the geography of its label date and in the current one (into
`graph/historique`): the communes its EPCI covered in the vintage in force when it was labelled,
those they cover now, and why each difference arose.

    <id/territoire/x> ti:perimetreLabellisation <id/territoire/x/perimetre/2023> ;
                      ti:perimetreActuel <id/territoire/x/perimetre/2026> .
    <…/perimetre/2023> a ti:Perimetre ; ti:millesime <id/millesime/2023> ; ti:communeCouverte … .
    <id/territoire/x#ecart-25297> a ti:EcartPerimetre ; ti:commune <id/commune/25297> ;
        ti:ecartDe <…/perimetre/2023> ;           # covered then, not now (or ti:ecartDe now)
        ti:expliquePar <id/commune/25364#fusion-2025> ; rdfs:comment "…"@fr .

A difference is explained by the merger that ended a commune (`ti:Fusion`), by the creation of
one (`ti:Creation`), or by the dated EPCI membership that took a commune out of, or into, the
territory's EPCI (`org:Membership`). A perimeter is a resource of its own, not a fragment of the
territory: the territory's document stays the current state, with links to its history.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from . import vintages
from ..vocabulary.namespaces import ORG, RDF, RDFS, Vocabulary
from .timeline import ACTUELLE, EPCI_NOM, NOM, Timeline

SIREN_KIND = "epci"


def vintage_of(label_date: str) -> int:
    """The vintage in force on a label date (YYYY, YYYY-MM or YYYY-MM-DD): that of its year,
    or the first one for a date before it."""
    year = int(label_date[:4])
    return max([y for y in vintages.YEARS if y <= year] or [vintages.YEARS[0]])


class Perimeters:
    def __init__(self, vocab: Vocabulary, timeline: Timeline, graph: Graph):
        self.vocab, self.ti, self.timeline, self.graph = vocab, vocab.ti, timeline, graph
        self._add = graph.add

    def territory(self, iri: URIRef, label_date: str, epci: set[str],
                  fixed: frozenset[str] = frozenset()) -> None:
        """`fixed`: communes the territory holds directly or through an EPT (the history
        has no EPT), covered in every vintage where they exist."""
        then = vintage_of(label_date)
        now = vintages.CURRENT
        covered = {year: self.covered(epci, year) | (fixed & self.timeline.communes_in(year))
                   for year in (then, now)}
        for year, prop in ((then, self.ti.perimetreLabellisation), (now, self.ti.perimetreActuel)):
            node = URIRef(f"{iri}/perimetre/{year}")
            self._add((iri, prop, node))
            self._add((node, RDF.type, self.ti.Perimetre))
            self._add((node, RDFS.label, Literal(f"Périmètre en {year}", lang="fr")))
            self._add((node, self.ti.millesime, self.vocab.id("millesime", str(year))))
            for code in covered[year]:
                self._add((node, self.ti.communeCouverte, self.vocab.id("commune", code)))
        for code in sorted(covered[then] - covered[now]):
            self.gone(iri, code, then)
        for code in sorted(covered[now] - covered[then]):
            self.came(iri, code, then)

    def covered(self, epci: set[str], year: int) -> set[str]:
        """The communes of `year` whose EPCI is one of `epci` or, for an EPCI that no longer
        existed in `year`, one of its successors."""
        sirens = set(epci)
        for siren in epci:
            if siren not in self.timeline.epci[year]:
                sirens |= self._successors_until(siren, year)
        members = self.timeline.members_of(year)
        return {code for siren in sirens for code in members.get(siren, ())}

    def _successors_until(self, siren: str, year: int) -> set[str]:
        found, frontier = set(), {siren}
        for later in vintages.YEARS[1:]:
            if later > year:
                break
            frontier = {s for f in frontier for s in (self.timeline.epci_successors(f, later)
                        if f not in self.timeline.epci[later] else {f})}
            found |= frontier
        return found

    def gone(self, territory: URIRef, code: str, then: int) -> None:
        """A commune covered at the labelling and not now: merged, or moved to another EPCI."""
        if code not in self.timeline.communes_in(vintages.CURRENT):
            year = vintages.YEARS[vintages.YEARS.index(self._last_year(code, then)) + 1]
            into = self.timeline.successor(code, year) or code
            event = self.timeline.event_fragment(into, year)
            cause = URIRef(f"{self.vocab.id('commune', into)}#{event}")
            if event.startswith("changement-code-"):   # the same commune under a new code
                words = (f"{self._named(code, then)} a changé de code au 1er janvier {year} : "
                         f"c'est désormais {self._named(into, year)}")
            else:
                words = (f"{self._named(code, then)} a fusionné dans {self._named(into, year)} "
                         f"au 1er janvier {year}")
        else:
            siren = self.timeline.epci_of[then][code]
            first = self._run_start(code, siren, then)
            left = vintages.YEARS[vintages.YEARS.index(self._run_end(code, siren, then)) + 1]
            cause = URIRef(f"{self.vocab.id('commune', code)}#epci-{siren}-{first}")
            words = (f"{self._named(code, then)} a quitté l'EPCI {self._epci(siren, then)} "
                     f"au 1er janvier {left}")
        self._difference(territory, code, then, cause, words)

    def came(self, territory: URIRef, code: str, then: int) -> None:
        """A commune covered now and not at the labelling: created (often by a merger), or
        moved into one of the territory's EPCI."""
        merger = next((m for m in self.timeline.mergers if m.into == code and m.year > then), None)
        if merger is not None:
            cause = URIRef(f"{self.vocab.id('commune', code)}#fusion-{merger.year}")
            words = (f"{self._named(code, merger.year)} est issue de la fusion du 1er janvier "
                     f"{merger.year}")
        elif code not in self.timeline.communes_in(then):
            year = next(y for y in vintages.YEARS if y > then and code in self.timeline.communes_in(y))
            event = self.timeline.event_fragment(code, year)
            cause = URIRef(f"{self.vocab.id('commune', code)}#{event}")
            changed = next((c for c in self.timeline.code_changes
                            if (c.year, c.new) == (year, code)), None)
            if changed is not None:   # not a new commune: one that took a new code
                words = (f"{self._named(code, year)} est le nouveau code, au 1er janvier "
                         f"{year}, de {self._named(changed.old, vintages.YEARS[vintages.YEARS.index(year) - 1])}")
            else:
                words = f"{self._named(code, year)} a été créée au 1er janvier {year}"
        else:
            siren = self.timeline.epci_of[vintages.CURRENT][code]
            first = self._run_start(code, siren, vintages.CURRENT)
            cause = URIRef(f"{self.vocab.id('commune', code)}#epci-{siren}-{first}")
            words = (f"{self._named(code, first)} a rejoint l'EPCI {self._epci(siren, first)} "
                     f"au 1er janvier {first}")
        self._difference(territory, code, vintages.CURRENT, cause, words)

    def _difference(self, territory: URIRef, code: str, year: int, cause: URIRef,
                    words: str) -> None:
        node = URIRef(f"{territory}#ecart-{code}")
        self._add((territory, self.ti.ecartPerimetre, node))
        self._add((node, RDF.type, self.ti.EcartPerimetre))
        self._add((node, self.ti.commune, self.vocab.id("commune", code)))
        self._add((node, self.ti.ecartDe, URIRef(f"{territory}/perimetre/{year}")))
        self._add((node, self.ti.expliquePar, cause))
        self._add((node, RDFS.comment, Literal(words, lang="fr")))

    def _named(self, code: str, year: int) -> str:
        """`Le Gratteris (25297)`: the commune's name in that vintage, with its code."""
        row = self.timeline.communes[year].get((ACTUELLE, code))
        return f"{row[NOM]} ({code})" if row else code

    def _epci(self, siren: str, year: int) -> str:
        row = self.timeline.epci[year].get(siren)
        return f"{row[EPCI_NOM]} ({siren})" if row else siren

    def _last_year(self, code: str, since: int) -> int:
        return max(y for y in vintages.YEARS if y >= since and code in self.timeline.communes_in(y))

    def _run_start(self, code: str, siren: str, year: int) -> int:
        """The first vintage of the run of membership of `code` in `siren` that holds `year`."""
        index = vintages.YEARS.index(year)
        while index > 0 and self.timeline.epci_of[vintages.YEARS[index - 1]].get(code) == siren:
            index -= 1
        return vintages.YEARS[index]

    def _run_end(self, code: str, siren: str, year: int) -> int:
        index = vintages.YEARS.index(year)
        while index + 1 < len(vintages.YEARS) and \
                self.timeline.epci_of[vintages.YEARS[index + 1]].get(code) == siren:
            index += 1
        return vintages.YEARS[index]


def resolve(vocab: Vocabulary, timeline: Timeline, history: Graph, territories: Graph,
            listed: dict[URIRef, tuple[str, set[str], frozenset[str]]] = {}) -> int:
    """Add to `history` the perimeters of every territory of `territories` with a label date
    and EPCI, and of every territory of `listed` (IRI → the vintage of its official list, its
    EPCI, its communes held directly), which wins; return how many."""
    perimeters = Perimeters(vocab, timeline, history)
    found = dict(listed)
    for territory in sorted(set(territories.subjects(RDF.type, vocab.ti.TerritoireIndustrie))):
        date = territories.value(territory, vocab.ti.dateLabellisation)
        epci = {str(e).rsplit("/", 1)[1] for e in territories.objects(territory, ORG.hasMember)
                if str(e).startswith(str(vocab.id(SIREN_KIND, "")))}
        if date is not None and epci and territory not in found:
            found[territory] = (str(date), epci, frozenset())
    for territory in sorted(found):
        perimeters.territory(territory, *found[territory])
    return len(found)
