"""The territories of the curated CSV that name their official record (`identifiant_officiel`
and `phase`), checked against the official lists: their names and their EPCI. programme.py
runs these on the mapped lists; the steward's fast path (build/incremental.py) and the mutation
bench run them without the mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from ..vocabulary.names import name_key
from ..vocabulary.namespaces import ORG, SKOS, Vocabulary
from .base import SourceError, SourceGraph
from .programme_lists import Listed


@dataclass(frozen=True)
class Curated:
    """A territory of the curated CSV that names its official record."""
    slug: str
    epci: frozenset[str]
    iri: URIRef
    place: object       # the CSV file and line of its first row
    names: tuple[str, ...] = ()   # its `nom` as the CSV writes it
    rows: tuple[tuple[str, object], ...] = ()   # (EPCI SIREN, the line of its row)

    def row_of(self, siren: str):
        return dict(self.rows).get(siren, self.place)


def curated_of(vocab: Vocabulary, sources: Sequence[SourceGraph]) -> dict[tuple[int, str], Curated]:
    """(phase, ANCT id) → the curated territory that names it, in any of the curated lists
    (`data/territoires/`, an imported list beside it)."""
    found: dict[tuple[int, str], Curated] = {}
    for source in sources:
        found.update(_curated_in(vocab, source))
    return found


def _curated_in(vocab: Vocabulary, source: SourceGraph) -> dict[tuple[int, str], Curated]:
    found: dict[tuple[int, str], Curated] = {}
    territories, ti, prefix = source.graph, vocab.ti, str(vocab.id("territoire", ""))
    for iri, ident in territories.subject_objects(ti.identifiantOfficiel):
        phase = str(territories.value(iri, ti.phase)).rsplit("-", 1)[-1]
        epci = frozenset(str(e).rsplit("/", 1)[1] for e in territories.objects(iri, ORG.hasMember))
        place = source.locations.find(iri) or (source.files[0] if source.files else source.name)
        names = tuple(sorted(str(n) for n in territories.objects(iri, SKOS.altLabel)))
        rows = tuple((siren, source.locations.find(URIRef(f"{iri}#membre-{siren}")) or place)
                     for siren in sorted(epci))
        found[(int(phase), str(ident))] = Curated(str(iri)[len(prefix):], epci, iri, place, names,
                                                  rows)
    return found


def check_names(vocab: Vocabulary, sources: Sequence[SourceGraph], listed: list[Listed]) -> None:
    """A curated territory's name is its official record's or a shortening of it (its words
    among the official name's, by name key: "Haut-Doubs" for "Haut-Doubs Horloger"), so a
    misspelt name is caught at its CSV line."""
    by_key = {(t.phase, t.ident): t for t in listed}
    for key, curated in curated_of(vocab, sources).items():
        if key not in by_key:
            continue
        official = set(name_key(by_key[key].name).split())
        for name in curated.names:
            if not set(name_key(name).split()) <= official:
                raise SourceError(curated.place, f"nom {name!r} of {curated.slug} is neither "
                                                 f"the official name of {key[1]} (phase "
                                                 f"{key[0]}), {by_key[key].name!r}, nor a "
                                                 f"shortening of it")


def check_members(vocab: Vocabulary, sources: Sequence[SourceGraph], listed: list[Listed],
                  is_epci) -> None:
    """Each curated territory's EPCI against the groupements of its official record that
    `is_epci(siren)` says are EPCI: the check programme.py makes of the mapped territories,
    without the mapping (the steward's loop and the mutation bench do not map the lists)."""
    by_key = {(t.phase, t.ident): t for t in listed}
    for key, curated in curated_of(vocab, sources).items():
        if key in by_key:
            official = {g.siren for g in by_key[key].groupements if is_epci(g.siren)}
            compare(by_key[key], official, curated)


def compare(listed: Listed, official: set[str], curated: Curated) -> None:
    """Reported at the row of an EPCI the official record lacks (the row the steward added or
    changed: a neighbour's EPCI, an EPCI of the other phase's territory), else at the
    territory's first row (a row removed)."""
    if set(curated.epci) != official:
        only_curated = sorted(set(curated.epci) - official)
        extra = ", ".join(only_curated) or "none"
        missing = ", ".join(sorted(official - set(curated.epci))) or "none"
        place = curated.row_of(only_curated[0]) if only_curated else curated.place
        raise SourceError(place, f"the curated territory {curated.slug} names "
                                 f"{listed.ident} of phase {listed.phase} ({listed.place}), "
                                 f"whose EPCI differ: only in the curated list {extra}; "
                                 f"only in the official list {missing}")
