"""The build's manifest rules: the server takes the base URI (and the shapes) from the build it
serves; a base given to the server that contradicts the build is refused at start-up, and a
later build under another base does not replace the one being served."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from territoires.build.pipeline import build
from territoires.config import ROOT, Settings
from territoires.store import Conflict
from territoires.web import create_app

from .conftest import settings_for

OTHER = "https://donnees.example.org/"


@pytest.fixture(scope="module")
def other_base(settings, tmp_path_factory) -> Settings:
    """The small sources built under another base, in an output directory of their own."""
    output = tmp_path_factory.mktemp("other-base")
    settings = settings_for(settings.data_dir.parent, output, base=OTHER)
    build(settings)
    return settings


def serving(output: Path, **given) -> Settings:
    """The settings of a server started on `output`, with only `given` given explicitly."""
    return Settings(output_dir=output, query_executors=1).override(**given)


def test_a_build_is_served_under_its_own_base(other_base):
    client = create_app(serving(other_base.output_dir)).test_client()
    response = client.get("/id/epci/242500361")
    assert response.status_code == 303
    body = client.get("/doc/epci/242500361.nt").get_data(as_text=True)
    assert f"<{OTHER}id/epci/242500361> " in body and "data.example.fr" not in body
    found = client.get("/search?q=Morteau&format=json").get_json()["results"]
    assert found and all(r["id"].startswith(OTHER) for r in found)
    description = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert f"<{OTHER}sparql#service>" in description.get_data(as_text=True)


def test_the_build_s_base_given_again_is_accepted(other_base):
    client = create_app(serving(other_base.output_dir, base_uri=OTHER)).test_client()
    assert client.get("/id/epci/242500361").status_code == 303


def test_a_conflicting_base_is_refused_at_start_up(other_base):
    with pytest.raises(Conflict) as refused:
        create_app(serving(other_base.output_dir, base_uri="https://data.example.fr/"))
    assert OTHER in str(refused.value) and "https://data.example.fr/" in str(refused.value)


def test_serve_refuses_a_conflicting_base_in_words(other_base):
    done = subprocess.run(
        [sys.executable, "-m", "territoires.cli", "--base-uri", "https://data.example.fr/",
         "--output-dir", str(other_base.output_dir), "serve", "--port", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert "base URI" in done.stderr and OTHER in done.stderr


@pytest.mark.build   # a build of its own
def test_a_later_build_under_another_base_does_not_replace_the_served_one(settings, tmp_path):
    """Nothing lost: the server keeps the build it has rather than serve one it refuses."""
    output = tmp_path / "output"
    first = build(replace(settings, output_dir=output))
    client = create_app(serving(output, base_uri=settings.base_uri)).test_client()
    assert first.version in client.get("/").get_data(as_text=True)
    second = build(settings_for(settings.data_dir.parent, output, base=OTHER))
    assert second.version != first.version
    page = client.get("/").get_data(as_text=True)
    assert first.version in page and second.version not in page
    assert client.get("/doc/epci/242500361.nt").get_data(as_text=True).count(settings.base_uri) > 0


def test_the_shapes_served_are_the_build_s(other_base, tmp_path):
    """The shapes document comes from the build, not from the server's shapes directory."""
    settings = replace(serving(other_base.output_dir), shapes_dir=tmp_path)   # empty
    body = create_app(settings).test_client().get("/shapes/territoires.nt").get_data(as_text=True)
    assert f"<{OTHER}shapes/territoires#" in body


@pytest.mark.build   # a build of its own
def test_a_new_build_is_prepared_before_it_is_served(settings, tmp_path):
    """Its name index, labels and statistics are computed aside, before the switch: the first
    search on the new build does not wait for an index."""
    import time

    from territoires.web.context import KEY
    from territoires.web.documents.labels import term_labels
    from territoires.web.lookup.index import name_index

    from .conftest import copy_with_extra_source, organisation_turtle

    output = tmp_path / "output"
    first = build(replace(settings, output_dir=output))
    app = create_app(serving(output))
    client = app.test_client()
    root = copy_with_extra_source(settings, tmp_path / "sources", "essai", "Essai",
                                  organisation_turtle("Essai de préparation"))
    second = build(settings_for(root, output))
    assert second.version != first.version
    deadline = time.monotonic() + 30
    while client.get("/dump/", headers={"Accept": "application/json"}).get_json()["version"] \
            != second.version:
        assert time.monotonic() < deadline, "the new build is never served"
        time.sleep(0.05)
    held = app.extensions[KEY].values._values
    for value in (name_index, term_labels):
        assert (second.version, settings.base_uri) in held[value.__wrapped__]
    found = client.get("/search?q=Essai de préparation&format=json").get_json()["results"]
    assert found[0]["id"].endswith("id/organisation/essai")


@pytest.mark.build   # a build of its own
def test_the_first_build_is_served_at_once_and_prepared_aside():
    """A starting server answers as soon as its build is open (its first answer in under a
    second, bench/), the preparation running meanwhile; a later build is served only once
    prepared."""
    import threading

    from territoires.store.switch import Switch

    release, prepared = threading.Event(), []

    def prepare(store):
        release.wait(10)
        prepared.append(store)

    switch = Switch(prepare)
    assert switch.serve("first", lambda: "store 1") == "store 1"
    assert prepared == []                                    # not waited for
    assert switch.serve("second", lambda: "store 2") == "store 1"   # prepared before served
    release.set()
    deadline = time.monotonic() + 10
    while switch.serve("second", lambda: "store 2") != "store 2":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert sorted(prepared) == ["store 1", "store 2"]
