"""Symbolic links inside `output/` are not followed when dumps are served (issue 20): a dump
replaced by a link, or a `dump/` folder that is one, answers 404, never the file pointed to."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

import pytest

from territoires.config import ROOT
from territoires.web import create_app

from .conftest import settings_for


def copy_of_the_build(settings, root):
    output = root / "output"
    live = settings.current_build.resolve()
    shutil.copytree(live, output / "builds" / live.name)
    os.symlink(f"builds/{live.name}", output / "current")
    return settings_for(root, output), output / "builds" / live.name


@pytest.mark.parametrize("where", ["the dump", "the dump folder"])
def test_a_link_in_the_build_is_not_followed(settings, published, tmp_path, where):
    private, build = copy_of_the_build(settings, tmp_path)
    name = next(iter(published.dumps.values()))["file"].rsplit("/", 1)[-1]
    if where == "the dump":
        (build / "dump" / name).unlink()
        (build / "dump" / name).symlink_to(ROOT / "README.md")
    else:
        decoy = tmp_path / "decoy"
        decoy.mkdir()
        (decoy / name).write_bytes((ROOT / "README.md").read_bytes())
        shutil.rmtree(build / "dump")
        (build / "dump").symlink_to(decoy)
    client = create_app(replace(private, query_executors=1)).test_client()
    response = client.get(f"/dump/{name}")
    assert response.status_code == 404
    assert b"## The two commands" not in response.get_data()


def test_a_dump_is_still_served(settings, published, tmp_path):
    private, build = copy_of_the_build(settings, tmp_path)
    name = next(iter(published.dumps.values()))["file"].rsplit("/", 1)[-1]
    client = create_app(replace(private, query_executors=1)).test_client()
    response = client.get(f"/dump/{name}")
    assert response.status_code == 200
    assert response.get_data() == (build / "dump" / name).read_bytes()
