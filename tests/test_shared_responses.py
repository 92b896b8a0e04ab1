"""The directory through which workers share rendered responses: the server's own or refused,
holding data and never code, and nothing deleted there but what the server made."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from territoires.config import ROOT
from territoires.web import create_app
from territoires.web.caching.shared import (SharedResponses, UnsafeDirectory, Whole, decode, encode,
    version_directory)

DOCUMENT = "/doc/epci/242500361"


def app_with(settings, directory: Path, share_cpu_ms: float = 0):
    return create_app(replace(settings, response_cache_dir=str(directory), query_executors=1,
                              response_share_cpu_ms=share_cpu_ms))


@pytest.mark.server   # starts the real server, which refuses
@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o750, 0o705])
def test_a_directory_others_can_reach_is_refused_at_start_up(settings, published, tmp_path,
                                                             mode):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    with pytest.raises(UnsafeDirectory, match="chmod 700"):
        app_with(settings, shared)
    done = subprocess.run(
        [sys.executable, "-m", "territoires.cli", "--output-dir", str(settings.output_dir),
         "serve", "--port", "1"], capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**os.environ, "TERRITOIRES_RESPONSE_CACHE_DIR": str(shared)})
    assert done.returncode == 2 and "chmod 700" in done.stderr


def test_a_directory_of_another_account_or_a_link_is_refused(settings, published, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(UnsafeDirectory, match="symbolic link"):
        app_with(settings, link)
    if os.geteuid() != 0:
        pytest.skip("only root can give a directory to another account here")
    foreign = tmp_path / "foreign"
    foreign.mkdir(mode=0o700)
    os.chown(foreign, 12345, 12345)
    with pytest.raises(UnsafeDirectory, match="owned by uid 12345"):
        app_with(settings, foreign)


def test_a_missing_directory_is_made_private(settings, published, tmp_path):
    app_with(settings, tmp_path / "new")
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


class Bomb:
    """A pickle that would leave a mark if it were ever unpickled."""

    def __init__(self, mark: Path):
        self.mark = mark

    def __reduce__(self):
        return (Path.write_text, (self.mark, "unpickled"))


def test_a_planted_file_is_never_code(settings, published, tmp_path):
    shared = tmp_path / "shared"
    first = app_with(settings, shared).test_client()
    assert first.get(DOCUMENT, headers={"Accept": "text/turtle"}).status_code == 200
    (kept,) = [f for d in shared.iterdir() for f in d.iterdir()]
    mark = tmp_path / "mark"
    kept.write_bytes(pickle.dumps(Bomb(mark)))
    second = app_with(settings, shared).test_client()   # another worker, reading the share
    response = second.get(DOCUMENT, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers.get("X-Cache") != "hit"
    assert not mark.exists()
    assert b"242500361" in response.data


def test_a_kept_file_is_replayed_by_another_worker(settings, published, tmp_path):
    shared = tmp_path / "shared"
    body = app_with(settings, shared).test_client().get(DOCUMENT,
                                                        headers={"Accept": "text/turtle"}).data
    response = app_with(settings, shared).test_client().get(DOCUMENT,
                                                            headers={"Accept": "text/turtle"})
    assert response.headers["X-Cache"] == "hit" and response.data == body


def test_a_document_cheaper_to_render_than_a_file_is_not_shared(settings, published, tmp_path):
    """Below `response_share_cpu_ms` of rendering, a document stays in its worker's memory (a
    crawler's documents, each asked once, are never written)."""
    for threshold, files in ((60_000, 0), (0, 1)):
        shared = tmp_path / f"shared-{threshold}"
        client = app_with(settings, shared, threshold).test_client()
        assert client.get(DOCUMENT, headers={"Accept": "text/turtle"}).status_code == 200
        assert client.get(DOCUMENT, headers={"Accept": "text/turtle"}).headers["X-Cache"] == "hit"
        assert len([f for d in shared.iterdir() for f in d.iterdir()]) == files


@pytest.mark.parametrize("damage", [
    lambda data: data[:-1],                                  # a body shorter than said
    lambda data: b"x" + data[1:],                            # not our magic
    lambda data: data.replace(b'"200 OK"', b'"200 OK\\r\\nSet-Cookie: x"'),
    lambda data: data.replace(b'"Content-Type"', b'"Content Type"'),
])
def test_a_damaged_file_is_a_miss(damage):
    data = encode(Whole("200 OK", [("Content-Type", "text/turtle")], b"<a> <b> <c> .", "e"))
    assert decode(data).body == b"<a> <b> <c> ."
    assert decode(damage(data)) is None


def test_only_what_the_server_made_is_deleted(tmp_path):
    root = tmp_path / "shared"
    root.mkdir(mode=0o700)
    precious = root / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    (root / "v-0123456789abcdef").symlink_to(elsewhere)       # our name, but a link
    shared = SharedResponses(root, 1 << 20)
    whole = Whole("200 OK", [], b"x")
    shared.put(("a", "first-version"), whole)
    shared.put(("a", "second-version"), whole)                # enters a new version
    made = [d.name for d in root.iterdir() if d.name.startswith("v-") and not d.is_symlink()]
    assert made == [version_directory("second-version")]
    assert (precious / "keep.txt").read_text() == "mine"
    assert (elsewhere / "keep.txt").read_text() == "mine"


@pytest.mark.server   # starts the real server, which refuses
@pytest.mark.parametrize("defect, says", [
    ("a symbolic link", "is a symbolic link"),
    ("world-writable", "has mode 777"),
    ("group-writable", "has mode 770"),
])
def test_a_parent_another_account_could_swap_is_refused(settings, published, tmp_path, defect,
                                                        says):
    """Not only the directory: any parent of it (issue 20)."""
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    if defect == "a symbolic link":
        (tmp_path / "parent").symlink_to(real)
    else:
        real.rename(tmp_path / "parent")
        (tmp_path / "parent").chmod(0o777 if defect == "world-writable" else 0o770)
    shared = tmp_path / "parent" / "shared"
    with pytest.raises(UnsafeDirectory, match=says):
        app_with(settings, shared)
    done = subprocess.run(
        [sys.executable, "-m", "territoires.cli", "--output-dir", str(settings.output_dir),
         "serve", "--port", "1"], capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**os.environ, "TERRITOIRES_RESPONSE_CACHE_DIR": str(shared)})
    assert done.returncode == 2 and says in done.stderr and str(tmp_path / "parent") in done.stderr


def test_a_sticky_world_writable_parent_is_accepted(settings, published, tmp_path):
    """As /tmp is: others may add entries, not rename ours."""
    parent = tmp_path / "sticky"
    parent.mkdir()
    parent.chmod(0o1777)
    app_with(settings, parent / "shared")
    assert (parent / "shared").stat().st_mode & 0o777 == 0o700


def test_a_directory_made_unsafe_while_served_is_no_longer_read(tmp_path):
    """The directory is checked again once a second (RECHECK_SECONDS), not on every request:
    made reachable by others, it is no longer read past that second."""
    import time

    from territoires.web.caching import shared as module

    root = tmp_path / "shared"
    root.mkdir(mode=0o700)
    shared = SharedResponses(root, 1 << 20)
    key = ("a", "version")
    shared.put(key, Whole("200 OK", [], b"x"))
    assert shared.get(key).body == b"x"
    root.chmod(0o755)
    time.sleep(module.RECHECK_SECONDS + 0.2)
    assert shared.get(key) is None
    root.chmod(0o700)
    time.sleep(module.RECHECK_SECONDS + 0.2)
    assert shared.get(key).body == b"x"
