"""Which entities' names start with what a reader typed: a name that starts with it (`besan` →
Besançon), or a later word of a name that does (`besan` → Grand Besançon Métropole). Search
ranks these before fuzzy matches, and suggest boxes list them first."""

from __future__ import annotations

import bisect

NAME_START, WORD_START = 1, 2     # the tiers: an exact match is 0, a fuzzy one 3
CAP = 4000                        # entities looked at, at most (a one-letter prefix)


def starts(index, key: str, mask: int) -> dict[int, int]:
    """{entity: NAME_START or WORD_START} for the entities of the types in `mask` one of whose
    labels starts with `key` (a name key), or has a later word that starts it."""
    found: dict[int, int] = {}
    if not key:
        return found
    keys, types = index.keys, index.types
    for i in range(bisect.bisect_left(keys, key), len(keys)):
        if not keys[i].startswith(key) or len(found) > CAP // 2:
            break
        for n in index.key_entities[i]:
            if types[n] & mask:
                found.setdefault(n, NAME_START)
    first = key.split()[0]
    words, word_key = index.words, index.word_key
    for j in range(bisect.bisect_left(words, first), len(words)):
        if not words[j].startswith(first) or len(found) > CAP:
            break
        i = word_key[j]
        if keys[i].find(key) < 0:
            continue
        for n in index.key_entities[i]:
            if types[n] & mask:
                found.setdefault(n, WORD_START)
    return found
