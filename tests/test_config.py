"""Configuration: environment and command line reach the settings; proxies are trusted only
when configured."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from territoires.config import from_environment
from territoires.web import create_app


def test_environment_overrides_defaults():
    settings = from_environment({"TERRITOIRES_BASE_URI": "https://x.example/data",
                                 "TERRITOIRES_PORT": "9000", "TERRITOIRES_QUERY_TIMEOUT": "2.5",
                                 "TERRITOIRES_OUTPUT_DIR": "/tmp/o",
                                 "TERRITOIRES_SERVICE_ALLOWLIST": "https://a/sparql,https://b/sparql"})
    assert settings.base_uri == "https://x.example/data/"
    assert settings.port == 9000 and settings.query_timeout == 2.5
    assert settings.output_dir == Path("/tmp/o")
    assert settings.service_allowlist == ("https://a/sparql", "https://b/sparql")
    assert settings.override(port=None, workers=3).port == 9000


def test_forwarded_headers_only_with_proxy_hops(published, settings):
    headers = {"X-Forwarded-Host": "data.example.fr", "X-Forwarded-Proto": "https"}
    direct = create_app(settings).test_client().get("/id/epci/242500361", headers=headers)
    assert direct.status_code == 303
    assert direct.headers["Location"].startswith("http://localhost/doc/")
    proxied = create_app(replace(settings, proxy_hops=1)).test_client().get(
        "/id/epci/242500361", headers=headers)
    assert proxied.headers["Location"] == "https://data.example.fr/doc/epci/242500361"
