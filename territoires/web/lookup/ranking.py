"""The order of a search's results: exact matches (and the site's own entities the query names
by a distinctive word, salience.py) first, then names that start with the query or sound like
it, then names with a word that starts with it, then the fuzzy rest; the site's own entities
first within each tier but the fuzzy one, then by score, the name as typed (accents included),
type, population, name."""

from __future__ import annotations

from dataclasses import dataclass

from . import salience

FUZZY = 3                 # the tier of a match that is neither exact nor a prefix


@dataclass(frozen=True)
class Hit:
    entity: int
    score: float      # 0..100
    exact: bool       # equal name key, or equal code
    tier: int = 0     # 0 exact, 1 the name starts with the query, 2 a word of it does, 3 fuzzy


def promote_own(index, qkey: str, allowed, scores: dict) -> None:
    """The site's own entities that the query names by a distinctive word score as exact
    ones, without being said exact: the territory "Alliances Luxe & Précision" for "Luxe"."""
    words = set(qkey.split())
    for n, (all_words, distinctive) in index.own.items():
        if allowed(n) and salience.names_it(words, all_words, distinctive) \
                and not scores.get(n, (0, False))[1]:
            scores[n] = (100.0, False)


def rank(index, scores: dict[int, tuple[float, bool]], limit: int, tiers: dict[int, int],
         text: str = "") -> list[Hit]:
    """The best `limit` of `scores` ({entity: (score, exact)}) in the order above; `tiers`
    says which entities start with the query (or sound like it), `text` is the query as typed."""
    typed = text.strip().casefold()

    def tier(n: int, score: float, exact: bool) -> int:
        return 0 if exact or score >= 100 else tiers.get(n, FUZZY)

    def order(kv):
        n, (score, exact) = kv
        level = tier(n, score, exact)
        own = level < FUZZY and index.types[n] & index.own_mask   # not among the fuzzy rest
        return (level, 0 if own else 1, -score, index.names[n].casefold() != typed,
                index.types[n] & -index.types[n], -index.population[n], index.names[n])

    hits, ceiling = [], 100.0
    for n, (score, exact) in sorted(scores.items(), key=order)[:limit]:
        # A score never exceeds that of a better-ranked hit: a fuzzy name ranked after a
        # prefix match scores at most as much (clients order by score).
        ceiling = min(ceiling, score)
        hits.append(Hit(n, round(ceiling, 1), exact, tier(n, score, exact)))
    return hits
