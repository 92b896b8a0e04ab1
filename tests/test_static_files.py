"""Static files (issue 20, outage 5): only the files the project ships are served, from an index
made at start-up; any other name is 404 without the file system being read, and nothing a
client sends makes a cache grow."""

from __future__ import annotations

import hashlib
import http.client
import sys
from urllib.parse import urlsplit

import pytest

from territoires.config import ROOT
from territoires.web import assets

README_DIGEST = hashlib.sha256((ROOT / "README.md").read_bytes()).hexdigest()[:12]
OUTSIDE = [
    f"/static/{README_DIGEST}/yasgui/{ROOT}/README.md",        # the file whose digest one knows
    f"/static/{README_DIGEST}/yasgui/{ROOT.as_posix().lstrip('/')}/README.md",
    f"/static/{README_DIGEST}/{ROOT}/README.md",
    "/static/000000000000/yasgui//proc/self/mem",
    "/static/000000000000/yasgui//etc/passwd",
    "/static//proc/self/mem",
    "/static/proc/self/mem",
    "/static/yasgui/LICENSE",                                    # shipped, but not an asset
    "/static/yasgui/../../README.md",
    "/static/..%2f..%2fconfig.py",
    "/static/style.css/",
]


def test_every_asset_a_page_names_is_served(client):
    for name, shipped in assets.SHIPPED.items():
        response = client.get(f"/static/{shipped.digest}/{name}")
        assert response.status_code == 200, name
        assert response.get_data() == shipped.path.read_bytes()
        assert response.headers["Content-Type"].startswith(shipped.content_type)
    assert {"style.css", "requete.js", "yasgui/yasgui.min.js"} <= set(assets.SHIPPED)


@pytest.mark.parametrize("path", OUTSIDE)
def test_no_other_file_is_served(client, path):
    response = client.get(path, follow_redirects=True)   # `//` is merged by a 308 first
    assert response.status_code == 404, path
    assert b"## The two commands" not in response.get_data()   # the README's
    assert b"root:" not in response.get_data()


def test_a_name_outside_the_index_reads_no_file(client):
    client.get("/static/nothing-here")      # the 404 page's template is loaded once
    opened: list[str] = []
    watching = [True]

    def audit(event, args):
        if watching[0] and event in ("open", "os.listdir", "os.scandir"):
            opened.append(str(args[0]))

    sys.addaudithook(audit)
    try:
        for path in OUTSIDE:
            assert client.get(path, follow_redirects=True).status_code == 404
        assert opened == []
        client.get("/static/style.css").get_data()   # the hook does see a file being read
        assert any(name.endswith("style.css") for name in opened)
    finally:
        watching[0] = False


def test_no_cache_grows_with_the_names_asked(client):
    for i in range(500):
        client.get(f"/static/{i:012x}/yasgui/x{i}.js", headers={"Accept-Encoding": "br"})
        client.get(f"/static/x{i}.css", headers={"Accept-Encoding": "gzip"})
    assert assets._encoded.cache_info().currsize <= 2 * len(assets.SHIPPED)


@pytest.mark.server
def test_the_real_server_serves_no_file_outside_the_index(server):
    parts = urlsplit(server)
    for path in OUTSIDE:
        response, body = _get(parts, path)   # sent as written: `//` and `..` are not folded
        if response.status == 308:           # `//` merged: the merged path is no file either
            response, body = _get(parts, urlsplit(response.headers["Location"]).path)
        assert response.status == 404, (path, response.status)
        assert b"[build-system]" not in body and b"## The two commands" not in body


def _get(parts, path: str):
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()
