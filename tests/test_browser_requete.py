"""The query editor (YASGUI, vendored) in a real headless Chromium: an example query run from the
editor shows the rows the endpoint gives for it, in a paged table with downloads; the editor
highlights, completes the project's prefixes, places a syntax error, runs on Ctrl+Enter, makes a
shareable link that reopens and runs the query; and the browser asks no host but the server (DevTools network log)."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote, urlsplit

import pytest

from .conftest import BASE
from .test_browser import (axe_source, browser, pytestmark, requested_urls,  # noqa: F401
                           serious_violations)

EXAMPLE = "01-epci-du-territoire"


def endpoint_rows(server: str, query: str) -> list[dict]:
    request = urllib.request.Request(f"{server}sparql?query={quote(query, safe='')}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["results"]["bindings"]


ACTIVE = "#editeur .tabPanel.active"


def editor(driver, script: str, *args):
    """Run `script` with `cm` bound to the editor of the tab shown (YASQE is a CodeMirror 5
    instance; each tab has its own)."""
    return driver.execute_script(
        f"var cm = document.querySelector('{ACTIVE} .CodeMirror').CodeMirror;" + script, *args)


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
        found = d.find_elements("css selector", f"{ACTIVE} .yasr table.dataTable tbody tr")
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
    # Plain cells: 10, not "10"^^xsd:integer.
    assert shown == ["10", "20", "30", "40"], shown
    assert editor(on_editor, "return cm.getValue();") == query
    assert_only_this_host(server, on_editor)


WIDTHS = (1366, 390)
# Numbers whose order as text differs from their order as numbers (995 before 118489 as text).
FIGURES = f"""BASE <{BASE}>
PREFIX ti: <def/territoires#>
SELECT ?commune ?population WHERE {{ ?commune a ti:Commune ; ti:population ?population }}
ORDER BY ?commune LIMIT 40"""


def run(driver, query: str):
    editor(driver, "cm.setValue(arguments[0]); cm.query();", query)


def page_fits(driver) -> None:
    width = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def numeric_column(driver, column: int) -> list[float]:
    cells = driver.find_elements(
        "css selector", f"{ACTIVE} .yasr table.dataTable tbody tr td:nth-child({column})")
    return [float(cell.text.replace(" ", "")) for cell in cells]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_editor_sorts_numbers_fits_and_passes_axe(server, browser, axe_source, width):  # noqa: F811
    """At both widths: results never widen the page, a numeric column sorts as numbers, cells
    are plain, the editor is near the top at 390 px with its buttons above the code, and axe-core
    finds no serious or critical violation."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(width, 900)
    browser.get(server + "requete")
    WebDriverWait(browser, 30).until(
        seen.presence_of_element_located((By.CSS_SELECTOR, f"{ACTIVE} .CodeMirror")))
    page_fits(browser)
    if width == 390:
        top, buttons, first_line = browser.execute_script(
            f"const p = document.querySelector('{ACTIVE}');"
            "return [p.querySelector('.CodeMirror').getBoundingClientRect().top + scrollY,"
            " p.querySelector('.yasqe_buttons').getBoundingClientRect().bottom,"
            " p.querySelector('.CodeMirror-line').getBoundingClientRect().top];")
        assert top < 600, f"the editor starts {top} px down"
        assert buttons <= first_line, "the editor's buttons cover its first line of code"
    run(browser, FIGURES)
    rows = wait_for_rows(browser, 40)
    # Plain cells, IRIs with the project's prefixes: "commune:25001 250".
    assert rows[0].text.split()[0].startswith("commune:") and "^^" not in rows[0].text
    page_fits(browser)
    header = browser.find_elements(By.CSS_SELECTOR, f"{ACTIVE} .yasr table.dataTable thead th")
    column = [h.text.strip() for h in header].index("population") + 1
    as_text = sorted(numeric_column(browser, column), key=lambda n: str(int(n)))
    header[column - 1].click()
    WebDriverWait(browser, 10).until(
        lambda d: numeric_column(d, column) == sorted(numeric_column(d, column)))
    figures = numeric_column(browser, column)
    assert figures == sorted(figures) and figures != as_text, figures
    assert serious_violations(browser, axe_source) == []


def test_an_undefined_prefix_gives_a_short_error(server, on_editor):
    run(on_editor, "SELECT * WHERE { ?s nulle:part ?o }")
    from selenium.webdriver.support.ui import WebDriverWait

    status = WebDriverWait(on_editor, 30).until(
        lambda d: d.find_elements("css selector", f"{ACTIVE} .erreur-courte .erreur-statut"))
    message = status[0].text
    assert "Prefix not found" in message and "\\u{" not in message and len(message) < 200, message
    whole = on_editor.find_element("css selector", f"{ACTIVE} .erreur-courte details pre")
    assert "\\u{" in whole.get_attribute("textContent")       # the whole text, folded
    page_fits(on_editor)


def test_an_example_opens_in_a_tab_of_its_own(server, on_editor):
    from selenium.webdriver.common.by import By

    mine = "SELECT ?n WHERE { VALUES ?n { 7 } }"
    editor(on_editor, "cm.setValue(arguments[0]);", mine)
    tabs = len(on_editor.find_elements(By.CSS_SELECTOR, "#editeur .tabsList .tab"))
    link = on_editor.find_element(By.CSS_SELECTOR, f'a.exemple[data-name="{EXAMPLE}"]')
    on_editor.execute_script("arguments[0].click();", link)
    wait_for_rows(on_editor, len(endpoint_rows(server, link.get_attribute("data-query"))))
    assert len(on_editor.find_elements(By.CSS_SELECTOR, "#editeur .tabsList .tab")) == tabs + 1
    assert "org:hasMember" in editor(on_editor, "return cm.getValue();")
    active = on_editor.find_element(By.CSS_SELECTOR, "#editeur .tabsList .tab.active").text
    assert active.startswith(link.text.strip())       # then its close button
    # The reader's query is still in the tab it was typed in.
    queries = on_editor.execute_script(
        "return Array.from(document.querySelectorAll('#editeur .tabPanel .CodeMirror'))"
        ".map(e => e.CodeMirror.getValue());")
    assert mine in queries
