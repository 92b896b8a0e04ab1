"""Shared fixtures: the real sources mapped once, and one real build published in a temporary
output directory (the store and dumps that the server and query tests use)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from territoires.build import build, map_sources
from territoires.config import ROOT, Settings

BASE = "https://data.example.fr/"


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return Settings(base_uri=BASE, output_dir=tmp_path_factory.mktemp("output"))


@pytest.fixture(scope="session")
def sources(settings):
    """Every real source mapped to RDF (not validated, not published)."""
    return map_sources(settings, lambda _: None)


@pytest.fixture(scope="session")
def published(settings) -> dict:
    """One real build, published under `settings.output_dir`; returns its manifest."""
    return build(settings)


@pytest.fixture(scope="session")
def store(published, settings) -> ox.Store:
    return ox.Store.read_only(str(settings.current_build / "store"))


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    """A private copy of data/, ontology/ and shapes/ that a test may break."""
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def settings_for(root: Path, output: Path) -> Settings:
    return Settings(base_uri=BASE, data_dir=root / "data", ontology_dir=root / "ontology",
                    shapes_dir=root / "shapes", output_dir=output)
