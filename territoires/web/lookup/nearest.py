"""The entities nearest to an IRI that names nothing, for a 404 page to suggest: `commune/99999`
→ the communes whose codes are closest; `commune/besancon` → Besançon; `epci/grand-besancon` →
the EPCI whose names are alike. Read from the name index, so it costs no query."""

from __future__ import annotations

import bisect
import re

from ...store import Store
from ..context import per_build
from .index import NameIndex, name_index
from .types import ALL, TYPES

CODE = re.compile(r"^(\d[\dAB]\d{3}|\d{9}|\d{2,3}|2[AB])$", re.IGNORECASE)


@per_build
def sorted_codes(store: Store) -> dict[str, list[str]]:
    """Each kind of code of the build, sorted: where a mistyped code falls among them."""
    index = name_index(store)
    return {pid: sorted(codes) for pid, codes in index.codes.items()}


def _mask(kind: str) -> int:
    for i, t in enumerate(TYPES):
        if t.key == kind:
            return 1 << i
    return ALL


def _by_code(store: Store, index: NameIndex, code: str, mask: int, limit: int) -> list[int]:
    """Entities of the types in `mask` whose code shares the longest start with `code`, then
    the closest in order."""
    found: list[tuple[int, int, int]] = []
    pid = "siren" if len(code) == 9 else "codeInsee"   # a SIREN has nine digits, no INSEE code
    for codes in (sorted_codes(store).get(pid, []),):
        at = bisect.bisect_left(codes, code)
        for j in range(max(0, at - 3 * limit), min(len(codes), at + 3 * limit)):
            shared = len(_common(codes[j], code))
            for n in index.with_code(pid, codes[j]):
                if index.types[n] & mask:
                    found.append((-shared, abs(j - at), n))
    ranked = [n for _, _, n in sorted(found)]
    return list(dict.fromkeys(ranked))[:limit]


def _common(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return a[:size]


def nearest(store: Store, path: str, limit: int = 5) -> list[int]:
    """The entities nearest to `path` (under `id/`, `doc/` left out), for a 404 page."""
    index = name_index(store)
    kind, _, rest = path.strip("/").partition("/")
    if not rest:
        kind, rest = "", kind
    mask = _mask(kind)
    rest = rest.rsplit(".", 1)[0] if re.search(r"\.[a-z]{2,6}$", rest) else rest
    if CODE.match(rest):
        found = _by_code(store, index, rest.upper(), mask, limit)
        if found:
            return found
    text = re.sub(r"[-_/]+", " ", rest)
    hits = index.search(text, mask, limit=limit) or index.search(text, ALL, limit=limit)
    digits = re.sub(r"\D", "", rest)   # a code with a stray character: `25057x`
    if not hits and CODE.match(digits):
        return _by_code(store, index, digits, mask, limit)
    return [hit.entity for hit in hits]
