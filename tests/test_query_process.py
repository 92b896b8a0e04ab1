"""The executor process's evaluation (territoires.store.process), called in-process on the real
store: small answers come back inline, large ones through the spool file, and the cap holds
either way."""

from __future__ import annotations

import json

import pytest

from territoires.store.local import LocalStore
from territoires.store.evaluation import INLINE_BYTES, evaluate
from territoires.store.jobs import Job

JSON = "application/sparql-results+json"
# 20,000 rows of three terms (every triple twice over: the small build has fewer than 20,000).
ROWS_20000 = "SELECT ?s ?p ?o WHERE { ?s ?p ?o VALUES ?twice { 1 2 } } LIMIT 20000"


@pytest.fixture()
def raw_store(published, settings) -> LocalStore:
    return LocalStore.open(settings.current_build.resolve())


def job(query: str, spool, cap: int = 64 << 20) -> Job:
    return Job(query, False, None, None, JSON, "text/turtle", cap, spool=str(spool))


def test_a_small_answer_comes_back_inline(raw_store, tmp_path):
    spool = tmp_path / "answer"
    outcome = evaluate(raw_store, job("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", spool), {})
    assert outcome.status == "ok" and outcome.detail == JSON
    assert len(json.loads(outcome.body)["results"]["bindings"]) == 3
    assert not spool.exists()


def test_a_large_answer_goes_to_the_spool_file_whole(raw_store, tmp_path):
    spool = tmp_path / "answer"
    outcome = evaluate(raw_store, job(ROWS_20000, spool), {})
    assert outcome.status == "ok" and outcome.body is None
    assert spool.stat().st_size > INLINE_BYTES
    assert len(json.loads(spool.read_bytes())["results"]["bindings"]) == 20000


@pytest.mark.parametrize("cap", [1000, INLINE_BYTES + 1000])
def test_the_cap_holds_inline_and_spooled(raw_store, tmp_path, cap):
    outcome = evaluate(raw_store, job(ROWS_20000,
                                      tmp_path / "answer", cap), {})
    assert outcome.status == "too-large" and outcome.body is None


def test_prefixes_given_at_start_shape_graph_answers(raw_store, tmp_path, settings):
    base = settings.base_uri
    query = f"CONSTRUCT WHERE {{ <{base}id/departement/25> ?p ?o }}"
    outcome = evaluate(raw_store, job(query, tmp_path / "answer"),
                       {"dep": f"{base}id/departement/"})
    assert outcome.status == "ok" and outcome.detail == "text/turtle"
    assert b"@prefix dep:" in outcome.body and b"dep:25" in outcome.body
