"""Security headers (issue 20): `nosniff`, a referrer policy and a frame policy on every answer,
a strict Content-Security-Policy on HTML — on answers made by a view, an error, the response
cache's replay and the Host check — and pages that still work under it in a real browser."""

from __future__ import annotations

import http.client
from urllib.parse import urlencode, urlsplit

import pytest

from territoires.config import ROOT
from territoires.web.security import EDITOR_STYLES

from .conftest import BASE
from .test_browser import browser, pytestmark as browser_mark, requested_urls  # noqa: F401

HTML = {"Accept": "text/html"}
ANSWERS = [("/", HTML), ("/doc/epci/242500361", HTML), ("/doc/epci/242500361.ttl", {}),
           ("/id/epci/242500361", {}), ("/requete", HTML), ("/sparql?query=ASK%7B%7D", {}),
           ("/search?q=besan%C3%A7on&format=json", {}), ("/dump/", HTML),
           ("/nothing/<script>", HTML), ("/nothing/<script>", {"Accept": "text/plain"}),
           ("/sparql?query=%3Cscript%3E", {"Accept": "text/plain"})]


def check(path: str, status: int, headers) -> None:
    assert headers.get("X-Content-Type-Options") == "nosniff", (path, status)
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", path
    assert headers.get("X-Frame-Options") == "DENY", path
    if headers.get("Content-Type", "").startswith("text/html"):
        policy = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy, path
        assert "*" not in policy and "http" not in policy, path
        assert "unsafe" not in policy, path
    else:
        assert "Content-Security-Policy" not in headers, path


def test_the_editors_styles_allowed_are_those_of_the_vendored_script():
    """Refreshing YASGUI may change the <style> text it adds: the hashes must follow."""
    import base64
    import hashlib
    import re

    script = (ROOT / "vendor" / "yasgui" / "yasgui.min.js").read_text(encoding="utf-8")
    layout = re.search(r"createStyle\(a,`( \.grip-resizable\{.*?)`\)", script).group(1)
    cursor = re.search(r"dragCursor:`([^`]*)`", script).group(1)
    found = [base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
             for text in (layout, f"*{{cursor:{cursor}!important}}")]
    assert [f"sha256-{h}" for h in found] == list(EDITOR_STYLES)


@pytest.mark.parametrize("path, headers", ANSWERS)
def test_every_answer_has_its_headers(client, path, headers):
    for _ in range(2):   # made by Flask, then replayed by the response cache
        response = client.get(path, headers=headers)
        check(path, response.status_code, response.headers)


def test_the_host_checks_refusal_has_them(app):
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    environ = EnvironBuilder("/", environ_overrides={"HTTP_HOST": "<b>x</b>"}).get_environ()
    _, status, headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("400")
    check("/ (bad Host)", 400, headers)


@pytest.mark.server
def test_through_the_real_server(server):
    parts = urlsplit(server)
    for path, headers in ANSWERS:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("GET", path.replace("<", "%3C").replace(">", "%3E"),
                               headers=headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        assert response.status < 500
        check(path, response.status, response.headers)


def violations(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]


@browser_mark
def test_the_pages_break_no_rule_of_the_policy(server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")
    for path in ("", "doc/epci/242500361", "doc/territoire/alliances-luxe-precision-doubs",
                 "doc/commune/25056", "dump/", "validation", "search?q=besan%C3%A7on", "x"):
        browser.get(server + path)
        WebDriverWait(browser, 30).until(lambda d: d.execute_script(
            "return document.readyState") == "complete")
    assert violations(browser) == []
    # A lookup, answered at once however loaded the machine (an unbound pattern waits in the
    # heavy lane): what is checked is the editor's rendering under the policy.
    query = f"SELECT ?p ?o WHERE {{ <{BASE}id/epci/242500361> ?p ?o }} LIMIT 3"
    browser.get(server + "requete?" + urlencode({"query": query}))
    WebDriverWait(browser, 30).until(
        seen.presence_of_element_located((By.CSS_SELECTOR, "#editeur .CodeMirror")))
    browser.execute_script("document.querySelector('#editeur .CodeMirror').CodeMirror"
                           ".setValue(arguments[0])", query)
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements(
        By.CSS_SELECTOR, ".yasr table.dataTable tbody tr")) == 3)
    found = violations(browser)
    assert found == [], "\n".join(found)
    # …while the policy is in force: any other inline style is refused
    browser.execute_script("document.head.insertAdjacentHTML('beforeend', "
                           "'<style>body{color:red}</style>')")
    assert any("style-src" in message for message in violations(browser))
