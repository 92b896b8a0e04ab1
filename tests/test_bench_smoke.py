"""Smoke test of the benchmark suite (`python -m bench --quick`): the runner starts the project's
server and the Oxigraph server peer on the session's build, drives every workload, and writes its
JSON and Markdown results. Speed is measured by `make bench`, never asserted here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from territoires.config import ROOT


def _oxigraph_cli() -> str | None:
    candidate = Path(sys.executable).parent / "oxigraph"
    return str(candidate) if candidate.exists() else shutil.which("oxigraph")


@pytest.mark.server   # starts real servers
def test_quick_suite_end_to_end(published, settings, tmp_path):
    if _oxigraph_cli() is None:
        pytest.skip("the oxigraph CLI (the Oxigraph server peer) is not installed")
    results = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--duration", "0.5",
         "--output-dir", str(settings.output_dir), "--data-dir", str(settings.data_dir),
         "--results-dir", str(results),
         "--peers", "oxigraph"],
        cwd=ROOT, capture_output=True, text=True, timeout=110,
        env={**os.environ, "TERRITOIRES_BASE_URI": settings.base_uri})
    assert done.returncode == 0, done.stderr[-3000:]

    result = json.loads((results / "latest.json").read_text())
    workloads = {item["workload"] for item in result["items"]}
    assert workloads == {"dereferencing", "selective", "analytics", "hot"}
    project = result["servers"]["project"]
    assert project["available"] and project["startup_s"] > 0
    for item in result["items"]:
        cell = project["items"][f"{item['workload']}/{item['name']}"]
        assert cell["status"] == "ok", (item, cell)
        for concurrency in (1, 4):
            stats = cell[f"c{concurrency}"]
            assert stats["rps"] > 0, (item, stats)
            assert stats["errors"] == 0 and stats["timeouts"] == 0, (item, stats)
    assert project["rss"]["max_total_mib"] > 0

    oxigraph = result["servers"]["oxigraph"]
    assert oxigraph["available"], oxigraph.get("reason")
    assert oxigraph["items"]["analytics/count triples"]["c1"]["rps"] > 0
    assert "oxigraph" in result["ratios"]
    assert {t["target"] for t in result["targets"]}

    table = (results / "latest.md").read_text()
    assert "| workload | query | server |" in table and "| target | measured | met |" in table
    assert table in done.stdout


@pytest.mark.server   # starts a real server
def test_soak_end_to_end(published, settings, tmp_path):
    """`python -m bench soak`, briefly: it reports what the server holds before, midway and
    after, errors, and what the stopped server left behind (nothing)."""
    results = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "soak", "--soak-seconds", "4", "--soak-concurrency", "4",
         "--output-dir", str(settings.output_dir), "--data-dir", str(settings.data_dir),
         "--results-dir", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads((results / "soak.json").read_text())
    for state in ("before", "middle", "after"):
        assert result[state]["rss_mib"] > 0 and result[state]["file_descriptors"] > 0
        assert result[state]["processes"] >= 3   # an arbiter, its workers, their executors
    assert all(half["requests"] > 0 and half["errors"] == 0 for half in result["load"].values())
    assert result["hostile_5xx"] == [] and result["after_stop_temporary_files"] == 0
    assert "| held by the server |" in (results / "soak.md").read_text()
