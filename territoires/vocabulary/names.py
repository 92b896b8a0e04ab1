"""Name matching for official entities: the article writes "Plateau du Russey" where the official
list says "CC du Plateau de Russey". Names are compared by a key that ignores case, accents,
punctuation, French articles and the legal-form prefix of intercommunalities."""

from __future__ import annotations

import re
import unicodedata

ARTICLES = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "en"}

# Longest first, so "communaute de communes" wins over "communaute".
LEGAL_FORMS = sorted([
    "cc", "ca", "cu", "communaute de communes", "communaute d agglomeration",
    "communaute urbaine", "communaute de l agglomeration", "intercommunalite",
], key=len, reverse=True)

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", ascii_text.lower()).strip()


def name_key(name: str, strip_legal_form: bool = True) -> str:
    """The comparison key of a name: "CC du Plateau de Russey" → "plateau russey"."""
    folded = fold(name)
    if strip_legal_form:
        for form in LEGAL_FORMS:
            if folded.startswith(form + " "):
                folded = folded[len(form) + 1:]
                break
    return " ".join(w for w in folded.split() if w not in ARTICLES)
