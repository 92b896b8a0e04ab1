"""The README stays true: its example query runs and answers on the built graph."""

from __future__ import annotations

import re

from territoires.config import ROOT


def test_readme_queries_answer(store):
    text = (ROOT / "README.md").read_text()
    queries = re.findall(r"```sparql\n(.*?)```", text, flags=re.S)
    assert queries
    for query in queries:
        rows = list(store.engine.query(query, **store.dataset()))
        assert len(rows) == 6, query  # the six EPCI of Alliances Luxe & Précision, Doubs


def test_readme_names_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "make run" in text and "make test" in text
