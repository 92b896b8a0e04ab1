"""The query editor (YASGUI, vendored) in a real headless Chromium: an example query run from the
editor shows the rows the endpoint gives for it, in a paged table with downloads; the editor
highlights, completes the project's prefixes, places a syntax error, runs on Ctrl+Enter, makes a
shareable link that reopens and runs the query; and the browser asks no host but the server (DevTools network log)."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote, urlsplit

import pytest

from .test_browser import browser, pytestmark, requested_urls  # noqa: F401  (fixture, marker)

EXAMPLE = "01-epci-du-territoire"


def endpoint_rows(server: str, query: str) -> list[dict]:
    request = urllib.request.Request(f"{server}sparql?query={quote(query, safe='')}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["results"]["bindings"]


def editor(driver, script: str, *args):
    """Run `script` with `cm` bound to the page's editor (YASQE is a CodeMirror 5 instance)."""
    return driver.execute_script(
        "var cm = document.querySelector('#editeur .CodeMirror').CodeMirror;" + script, *args)


@pytest.fixture()
def on_editor(server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "requete")
    WebDriverWait(browser, 30).until(
        seen.presence_of_element_located((By.CSS_SELECTOR, "#editeur .CodeMirror")))
    requested_urls(browser)    # start the network log afresh
    return browser


def wait_for_rows(driver, count: int):
    from selenium.webdriver.support.ui import WebDriverWait

    def rows(d):
        found = d.find_elements("css selector", ".yasr table.dataTable tbody tr")
        return found if len(found) == count else False
    return WebDriverWait(driver, 30).until(rows)


def test_an_example_runs_from_the_editor(server, on_editor):
    from selenium.webdriver.common.by import By

    link = on_editor.find_element(By.CSS_SELECTOR, f'a.exemple[data-name="{EXAMPLE}"]')
    expected = endpoint_rows(server, link.get_attribute("data-query"))
    assert expected, "the example answers rows on the endpoint"
    link.click()
    rows = wait_for_rows(on_editor, len(expected))
    shown = " ".join(row.text for row in rows)
    for binding in expected:
        assert binding["nom"]["value"] in shown
        # IRIs shown with the project's prefixes: `epci:242500361`
        assert "epci:" + binding["epci"]["value"].rsplit("/", 1)[-1] in shown
    assert "org:hasMember" in editor(on_editor, "return cm.getValue();")
    assert on_editor.find_elements(By.CSS_SELECTOR, ".CodeMirror .cm-keyword")   # highlighted
    assert on_editor.find_elements(By.CSS_SELECTOR, ".yasr .yasr_downloadIcon")   # CSV, JSON
    assert on_editor.find_elements(By.CSS_SELECTOR, ".yasr .dataTables_paginate, "
                                                    ".yasr .pagination, .yasr select")
    assert on_editor.find_elements(By.CSS_SELECTOR, ".yasqe_share")
    assert_only_this_host(server, on_editor)


def test_ctrl_enter_runs_and_errors_are_placed(server, on_editor):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"
    editor(on_editor, "cm.setValue(arguments[0]);", query)
    on_editor.find_element(By.CSS_SELECTOR, "#editeur .CodeMirror-lines").click()
    ActionChains(on_editor).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL) \
        .perform()
    wait_for_rows(on_editor, 3)
    # A syntax error is marked on its line (line 3: the triple pattern lacks its object).
    editor(on_editor, "cm.setValue('SELECT * WHERE {\\n  ?s ?p ?o .\\n  ?s ?p }'); "
                      "cm.checkSyntax();")
    marker = WebDriverWait(on_editor, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#editeur .parseErrorIcon"))
    line = editor(on_editor, "return cm.lineInfo(2).gutterMarkers;")
    assert line and "gutterErrorBar" in line, (line, marker)
    assert_only_this_host(server, on_editor)


def test_prefixes_completed_from_the_project(server, on_editor):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    editor(on_editor, "cm.setValue(''); cm.focus();")
    textarea = on_editor.find_element(By.CSS_SELECTOR, "#editeur .CodeMirror textarea")
    textarea.send_keys("PREFIX ti")
    editor(on_editor, "cm.autocomplete();")
    hints = WebDriverWait(on_editor, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li"))
    assert any("def/territoires#" in hint.text for hint in hints), [h.text for h in hints]
    assert_only_this_host(server, on_editor)


def assert_only_this_host(server: str, driver) -> None:
    host = urlsplit(server).netloc
    elsewhere = [url for url in requested_urls(driver)
                 if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                 and urlsplit(url).netloc != host]
    assert elsewhere == []


def test_a_shared_link_reopens_and_runs_the_query(server, on_editor):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    query = "SELECT ?n WHERE { VALUES ?n { 10 20 30 40 } }"
    editor(on_editor, "cm.setValue(arguments[0]);", query)
    on_editor.find_element(By.CSS_SELECTOR, "#editeur .yasqe_share").click()
    field = WebDriverWait(on_editor, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".yasqe_sharePopup input"))
    link = field.get_attribute("value")
    assert link.startswith(server + "requete") and "query=" in link, link
    on_editor.get("about:blank")
    on_editor.get(link)
    rows = wait_for_rows(on_editor, 4)
    shown = [row.text for row in rows]
    assert all(f'"{n}"' in text for n, text in zip(("10", "20", "30", "40"), shown)), shown
    assert editor(on_editor, "return cm.getValue();") == query
    assert_only_this_host(server, on_editor)
