"""A full disk (issue 20): the build says why it could not write — the system's words for the
error — although not even the writer's note of its failure fits on the disk. The output
directory is a tmpfs of 400 kB, mounted in a mount namespace of the build's own (Linux, root
or a user namespace), so nothing else sees it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest


def can_mount(tmp_path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                           f"mount -t tmpfs -o size=64k tmpfs {probe}"], capture_output=True)
    return done.returncode == 0


@pytest.mark.build   # a build of its own, on a full disk
def test_a_full_disk_is_said_in_words(settings, tmp_path):
    if not can_mount(tmp_path):
        pytest.skip("mounting a tmpfs needs root or user namespaces (unshare -m)")
    output = tmp_path / "output"
    output.mkdir()
    build = (f"mount -t tmpfs -o size=400k tmpfs {output} && exec {sys.executable} -m "
             f"territoires.cli --base-uri {settings.base_uri} --data-dir {settings.data_dir} "
             f"--output-dir {output} build")
    result = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", build],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    said = result.stderr.strip().splitlines()[-1]
    assert said.startswith("territoires build: could not write the build in ")
    assert "(No space left on device" in said and "nothing was published" in said
    assert "()" not in said and "Traceback" not in result.stderr
