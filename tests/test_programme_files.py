"""The vendored programme lists and outlines: each is the unmodified file, and the refresh
vendors a local copy byte for byte, refusing a file that is not of its kind with its place."""

from __future__ import annotations

import gzip
import json

import pytest

from territoires.config import ROOT
from territoires.sources import programme_files

DATA = ROOT / "data"


@pytest.mark.parametrize("which", sorted(programme_files.KINDS))
def test_a_refresh_of_the_vendored_file_gives_the_same_bytes(which, tmp_path):
    kind = programme_files.KINDS[which]
    vendored = DATA / kind.folder / kind.name
    plain = tmp_path / "copy.json"
    plain.write_bytes(gzip.decompress(vendored.read_bytes()))
    target, count = programme_files.refresh(plain, which, tmp_path / "data")
    assert target.read_bytes() == vendored.read_bytes()
    assert count == len(programme_files.entries(kind, json.loads(plain.read_bytes())))


def test_the_lists_hold_both_phases():
    def features(name):
        return json.loads(gzip.decompress((DATA / "programme" / name).read_bytes()))["features"]
    assert len(features("ti_phase2_geom.geojson.gz")) == 183
    assert len(features("ti_phase1_geom.geojson.gz")) == 149


def test_a_file_of_another_kind_is_refused_with_the_feature(tmp_path):
    wrong = tmp_path / "wrong.geojson"
    wrong.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"properties": {"id_ti": "ti-1", "lib_ti": "A", "siren_groupement": "200000172"}},
        {"properties": {"id_ti": "ti-2"}}]}))
    with pytest.raises(programme_files.RefreshError, match=r"wrong.geojson: feature 1 lacks "
                                                           r"lib_ti, siren_groupement"):
        programme_files.refresh(wrong, "phase-1", tmp_path / "data")
    assert not (tmp_path / "data" / "programme").exists()


def test_a_file_that_is_not_json_is_refused(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(programme_files.RefreshError, match="broken.json: not UTF-8 JSON"):
        programme_files.refresh(broken, "ept", tmp_path)
