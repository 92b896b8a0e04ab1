"""Lookup: finding entities by name or code.

    index.py        the name index of a build (names, codes, types, départements, populations)
    similarity.py   how alike two names are
    search.py       /search, as a page or JSON
    reconcile.py    /reconcile, the W3C Entity Reconciliation API as OpenRefine speaks it
"""

from .routes import blueprints

__all__ = ["blueprints"]
