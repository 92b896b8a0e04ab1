"""The small sources with the programme's fixture (tests/fixtures/programme/, in the shape of the
contract of issue 18) in place of the territory lists, and Guyane's reference beside the
Doubs, built once per session: what the pages of
the programme, its phases and its territories are tested on in the fast layer.

The curated CSV (data/territoires/) gives the article's wording as the territory's name; in the
contract that wording is an alternative name of the official record, which the fixture holds, so
the CSV is left out and the article's prefLabel made an altLabel. One shape describes the graph
before the contract (every member an EPCI: the contract's members are EPT and communes too) and is
left out of this build's shapes until the data branch lands its own."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path
from unittest.mock import patch

import pytest

from territoires.build.pipeline import build
from territoires.web import create_app

from . import small_data
from .conftest import settings_for

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "programme"
REPLACED = ("territoires", "programme", "contours")
SHAPES_BEFORE_THE_CONTRACT = ("Territoire-membres",)
# The article's wording of its two territories becomes their alternative name (the contract).
ARTICLE_NAMES = ('skos:prefLabel "Alliances Luxe & Précision, Doubs"@fr ;',
                 'skos:prefLabel "Haut-Doubs"@fr ;')


def make_programme_data(root: Path) -> Path:
    # Guyane's reference too, so that Ouest Guyanais's EPCI and communes are there.
    with patch.object(small_data, "SEED_DEPARTEMENTS", small_data.SEED_DEPARTEMENTS | {"973"}):
        small_data.make_small_data(root)
    for name in REPLACED:
        shutil.rmtree(root / "data" / name, ignore_errors=True)
    for name in ("programme", "contours"):
        shutil.copytree(FIXTURE / name, root / "data" / name)
    _drop_shapes(root / "shapes")
    article = root / "data" / "article" / "territoire.ttl"
    text = article.read_text(encoding="utf-8")
    for name in ARTICLE_NAMES:
        text = text.replace(name, name.replace("prefLabel", "altLabel"))
    article.write_text(text, encoding="utf-8")
    return root


def _drop_shapes(directory: Path) -> None:
    for path in directory.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        for name in SHAPES_BEFORE_THE_CONTRACT:
            # a shape is one Turtle statement: from its subject to the full stop ending a line
            text = re.sub(rf"^tish:{name} a sh:PropertyShape ;.*?\.\n", "", text,
                          flags=re.S | re.M)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def programme_settings(tmp_path_factory):
    root = make_programme_data(tmp_path_factory.mktemp("programme"))
    return settings_for(root, root / "output")


@pytest.fixture(scope="session")
def programme_published(programme_settings):
    return build(programme_settings)


@pytest.fixture(scope="session")
def programme_app(programme_published, programme_settings):
    return create_app(replace(programme_settings, query_executors=1))


@pytest.fixture()
def programme_client(programme_app):
    return programme_app.test_client()
