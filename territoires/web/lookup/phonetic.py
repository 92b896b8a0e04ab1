"""How a name sounds in French: "morto" is how a reader hears "Morteau". A key from FONEM (a French
phonetic algorithm, as the abydos library implements it) per word of a name key, so a name typed
as it sounds is ranked with the names that start with it, not among the fuzzy rest."""

from __future__ import annotations

from functools import lru_cache

from abydos.phonetic import FONEM

_FONEM = FONEM()
MIN_LETTERS = 4     # a shorter query sounds like too many names ("lux", "lu", "ô")


@lru_cache(maxsize=1 << 16)
def sound(key: str) -> str:
    """The phonetic key of a name key ("morteau" → "MORTO"); "" for a key too short to tell."""
    if len(key.replace(" ", "")) < MIN_LETTERS:
        return ""
    return " ".join(_FONEM.encode(word) for word in key.split())
