"""Lookup: finding entities by name or code.

    index.py        the name index of a build (names, codes, types, départements, populations)
    similarity.py   how alike two names are
    phonetic.py     how a name sounds (FONEM): "morto" finds Morteau
    salience.py     what the site is about (programme, territories, people) ranked first
    ranking.py      the order of the results (tiers, the site's own entities, score)
    fates.py        what became of a former entity, in words
    search.py       /search, as a page or JSON
    reconcile.py    /reconcile, the W3C Entity Reconciliation API as OpenRefine speaks it (0.2)
    reconcile_v1.py /reconcile/v1, the same in the protocol's 1.0 draft
    extend.py       data extension: the properties an entity type offers, their values
"""

from .routes import blueprints

__all__ = ["blueprints"]
