"""How alike two name keys are (keys from `names.name_key`: case, accents, punctuation,
articles and EPCI legal forms already gone): trigrams to find candidates cheaply, then a score
that mixes the characters, the shared words and how much of the query the candidate holds."""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache


def trigrams(key: str) -> set[str]:
    padded = f" {key} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@lru_cache(maxsize=1 << 16)
def _word_ratio(a: str, b: str) -> float:
    """Similarity of two words, 0 below 0.8 (most pairs, rejected by the cheap bounds)."""
    if abs(len(a) - len(b)) * 5 > len(a) + len(b):        # the bound of real_quick_ratio
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.quick_ratio() < 0.8:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= 0.8 else 0.0


def similarity(query: str, candidate: str, matcher: SequenceMatcher | None = None) -> float:
    """0..1, and 1 only for equal keys. Mixes the character ratio of the keys, their word overlap
    and how much of the query's words the candidate holds; words count as shared in proportion
    to their own similarity when it is at least 0.8 ("besanson" ~ "besancon"). `matcher`, a
    SequenceMatcher whose second sequence is `query`, saves work over many candidates."""
    if query == candidate:
        return 1.0
    if matcher is None:
        matcher = SequenceMatcher(None, "", query, autojunk=False)
    matcher.set_seq1(candidate)
    ratio = matcher.ratio()
    # Each word counts once: a repeated word ("lyon lyon") must not count as shared twice.
    q, c = list(dict.fromkeys(query.split())), set(candidate.split())
    if not q or not c:
        return min(0.99, 0.4 * ratio)
    shared = 0.0
    for word in q:
        if word in c:
            shared += 1.0
        else:
            shared += max(_word_ratio(word, other) for other in c)
    jaccard = shared / (len(q) + len(c) - shared)   # shared ≤ len(q): at least len(c)
    contained = shared / len(q)
    return min(0.99, 0.4 * ratio + 0.3 * jaccard + 0.3 * contained)
