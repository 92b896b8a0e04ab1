"""Caching: what the server keeps so that it does not compute twice.

    lru.py         a thread-safe LRU bounded by bytes (rendered documents, SPARQL answers)
    values.py      values computed once per build (labels, indexes, statistics), held on the app
    responses.py   whole GET responses replayed in front of Flask, per build

Every key holds everything its value depends on: the build (version and base) and, for what
links to the requesting host, the host.
"""
