"""A worker that ends lets go of its executors and leaves at once (gunicorn.py's `worker_exit`):
no error in its hook, no crash in an interpreter torn down under the store's native threads."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from .conftest import server_log, start_server, stop


@pytest.mark.server   # a real server, stopped
def test_a_stopped_worker_leaves_without_error(settings, published):
    process, url = start_server(settings, "--workers", "1")
    try:
        query = "ASK { ?s ?p ?o FILTER(true) }"     # in an executor (web/sparql/cheap.py)
        with urllib.request.urlopen(f"{url}sparql?{urllib.parse.urlencode({'query': query})}",
                                    timeout=30) as answer:
            assert answer.status == 200
    finally:
        stop(process)
    log = server_log(process, tail=1_000_000)
    assert process.returncode == 0, log
    assert "Traceback" not in log and "SIGSEGV" not in log, log
