"""What the site is about: the programme, its phases and territories, the people and the
organisations of the curated facts. Among equally good matches these come first, and one of them
whose distinctive word is the query ranks with the exact matches: "Luxe" finds the territory
"Alliances Luxe & Précision" before the communes Luxé and Luxey, "Augé" finds Nathalie Augé among
the communes named Augé. A word is distinctive when it names neither a département nor a région
(the territory "… Doubs" stays behind the département Doubs) and appears in few of the site's own
names ("industrie" appears in dozens)."""

from __future__ import annotations

from collections import Counter

from .types import TYPES

OWN = {"programme", "phase", "territoire", "personne", "organisation"}
PLACES = {"departement", "region"}
COMMON = 5          # a word in this many of the site's own names is not distinctive of one
# Words that tie a name together rather than tell it apart ("Vallée sur Seine").
LINKING = {"sur", "sous", "lez", "au", "aux", "pres"}


def own_mask() -> int:
    return sum(1 << i for i, t in enumerate(TYPES) if t.key in OWN)


def own_words(index) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
    """{entity: (the words of its labels' keys, the distinctive ones)} for the site's own
    entities."""
    own = own_mask()
    places = sum(1 << i for i, t in enumerate(TYPES) if t.key in PLACES)
    place_words = {w for k, ns in zip(index.keys, index.key_entities)
                   if any(index.types[n] & places for n in ns) for w in k.split()}
    words: dict[int, set[str]] = {}
    for key, ns in zip(index.keys, index.key_entities):
        for n in ns:
            if index.types[n] & own:
                words.setdefault(n, set()).update(key.split())
    frequency = Counter(w for ws in words.values() for w in ws)
    return {n: (frozenset(ws), frozenset(w for w in ws
                                        if w not in place_words and w not in LINKING
                                        and len(w) > 1 and frequency[w] < COMMON))
            for n, ws in words.items()}


def names_it(query_words: set[str], words: frozenset[str], distinctive: frozenset[str]) -> bool:
    """Whether the query is made of whole words of the name, one of them distinctive."""
    return bool(query_words) and query_words <= words and not distinctive.isdisjoint(query_words)
