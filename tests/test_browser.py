"""End to end in a real headless Chromium: home page → query page with an example query → run
it and see its rows → the programme's table → the territory's page → one of its EPCI. Every request the browser makes
goes to the served host (no CDN, no web font)."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from territoires.web.documents.entities.model import PAGE_SIZE

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a test extra")
    from selenium.webdriver.chrome.service import Service

    # Never let Selenium Manager fetch a browser or a driver: both are the system's.
    os.environ["SE_OFFLINE"] = "true"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # The console too: a Content-Security-Policy violation is reported there.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def shown(driver, selector: str, seconds: float = 10) -> list:
    """The elements matching `selector` once the page shows at least one, waited for up to
    `seconds`: in CI (a loaded machine) a page just loaded once had no `main h1` while its text,
    read a moment later, held the heading. Empty if none came."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, seconds).until(
            lambda d: d.find_elements("css selector", selector))
    except TimeoutException:
        return []


def requested_urls(driver) -> list[str]:
    """Every URL the browser sent a request for since the last call (DevTools network log)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_from_home_to_query_to_territory_to_epci(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(server)
    assert "Territoires d'industrie" in browser.title

    # An example query, one click away: the query editor opens with it and runs it.
    browser.find_element(By.CSS_SELECTOR, "#exemple-01-epci-du-territoire a.run").click()
    table = wait.until(seen.presence_of_element_located(
        (By.CSS_SELECTOR, "#editeur .yasr table.dataTable")))
    wait.until(lambda _: len(table.find_elements(By.CSS_SELECTOR, "tbody tr")) == 6)
    assert "Grand Besançon Métropole" in table.text

    # Back home, to the programme's table of territories, to the territory's page, then to one
    # of its EPCI.
    browser.get(server)
    browser.find_element(By.LINK_TEXT, "Tous les territoires du programme").click()
    wait.until(seen.presence_of_element_located((By.ID, "table-territoires")))
    browser.find_element(By.CSS_SELECTOR, "#table-territoires").find_element(
        By.PARTIAL_LINK_TEXT, "Alliances Luxe").click()
    wait.until(seen.title_contains("Alliances Luxe"))
    assert browser.current_url.startswith(f"{server}doc/territoire/alliances-luxe-precision-doubs")
    browser.find_element(By.LINK_TEXT, "CU Grand Besançon Métropole").click()
    wait.until(seen.title_contains("Grand Besançon"))
    assert browser.current_url.startswith(f"{server}doc/epci/242500361")
    assert "242500361" in browser.find_element(By.TAG_NAME, "main").text

    host = urlsplit(server).netloc
    elsewhere = [url for url in requested_urls(browser)
                 if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host]
    assert elsewhere == []


def test_from_the_home_verdict_to_the_validation_report(server, browser, published):
    """The home page's verdict leads to the report the build was published with: the same
    verdict, a row per named graph, and the warnings it lists."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server)
    said = browser.find_element(By.ID, "validation").text
    browser.find_element(By.CSS_SELECTOR, "#validation a").click()
    WebDriverWait(browser, 10).until(until.presence_of_element_located((By.ID, "verdict")))
    verdict = browser.find_element(By.ID, "verdict").text
    assert ("Non conforme" in verdict) == ("non conforme" in said)
    graphs = browser.find_elements(By.CSS_SELECTOR, "#mesures tbody tr")
    assert len(graphs) == len(published.graphs), [g.text for g in graphs]
    warnings = said.split(" violation(s), ")[1].split(" avertissement")[0]
    listed = browser.find_elements(By.CSS_SELECTOR, "#resultats tr.warning")
    assert len(listed) == int(warnings)
# --- every page type, at a desktop and a phone width, checked by axe-core ---------------------

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js.gz"
ARTEFACTS = Path(os.environ.get("TERRITOIRES_ARTEFACTS",
                                Path(__file__).resolve().parent.parent / "test-artefacts"))
WIDTHS = (1366, 390)
PAGES = {
    "accueil": "",
    "programme": "doc/programme/territoires-d-industrie",
    "phase": "doc/phase/territoires-d-industrie-2",
    "territoire": "doc/territoire/alliances-luxe-precision-doubs",
    "territoire-communes-page-3": "doc/territoire/alliances-luxe-precision-doubs"
                                  "?communes-page=3&communes-tri=-population",
    "epci": "doc/epci/242500361",
    "commune": "doc/commune/25056",
    "commune-deleguee": "doc/commune-deleguee/25620",
    "departement": "doc/departement/25",
    "region": "doc/region/27",
    "personne": "doc/personne/cedric-bole",
    "statistique": "doc/statistique/salaires-nets-moyens-2022",
    "organisation": "doc/organisation/auge-microtechnic",
    "financement": "doc/financement/enveloppe-territoires-d-industrie-2023-2027",
    "plan": "doc/plan/alliances-luxe-precision-doubs-grand-besancon",
    "commune-disparue": "doc/commune/25533",
    "recherche": "search?q=besan",
    "introuvable": "id/commune/99999",
    "graphe": "graph/cog",
    "ontologie": "def/territoires",
    "concept": "def/role/membre",
    "formes": "shapes/territoires",
    "void": ".well-known/void",
    "telechargements": "dump/",
    "requete": "requete",
    "validation": "validation",
    "catalogue": "catalogue",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    import gzip

    return gzip.decompress(AXE.read_bytes()).decode("utf-8")


def serious_violations(driver, axe_source: str) -> list[str]:
    """axe-core's serious and critical violations on the loaded page (injected by the test,
    never served by the application)."""
    driver.execute_script(axe_source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]));")
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5])
            for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_type_fits_stays_home_and_passes_axe(server, browser, axe_source, name, width):
    browser.set_window_size(width, 900)
    requested_urls(browser)                       # forget the requests of earlier pages
    browser.get(server + PAGES[name])
    overflow = browser.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
    assert overflow[0] <= overflow[1], f"{name} scrolls sideways at {width} px: {overflow}"
    host = urlsplit(server).netloc
    elsewhere = [url for url in requested_urls(browser)
                 if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host]
    assert elsewhere == []
    ARTEFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / "screenshots" / f"{name}-{width}.png"
    whole_page_screenshot(browser, shot, width)
    print(f"screenshot: {shot}")
    assert serious_violations(browser, axe_source) == []


def whole_page_screenshot(driver, path: Path, width: int) -> None:
    """The whole page, not only the window: the window is stretched to the page's height."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 900), 12000))
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 900)


def test_header_search_box_finds_a_commune(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(390, 900)
    browser.get(server + "doc/region/27")
    box = browser.find_element(By.ID, "recherche-site")
    box.send_keys("Morteau")
    box.submit()
    WebDriverWait(browser, 30).until(seen.title_contains("Morteau"))
    browser.find_element(By.LINK_TEXT, "Morteau").click()
    WebDriverWait(browser, 30).until(seen.title_contains("Morteau"))
    assert browser.current_url.startswith(f"{server}doc/commune/25411")


def test_commune_table_sorts_and_pages_in_the_browser(server, browser):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1366, 900)
    browser.get(server + "doc/territoire/alliances-luxe-precision-doubs")
    assert "252" in browser.find_element(By.CSS_SELECTOR, "dl.summary").text
    browser.find_element(By.CSS_SELECTOR, "#table-communes th:last-child a").click()
    first = browser.find_element(By.CSS_SELECTOR, "#table-communes tbody tr td:nth-child(2)")
    assert first.text == "Besançon"                # the most populous first
    pages = browser.find_elements(By.CSS_SELECTOR, "#communes nav.pager a")
    pages[-1].click()
    caption = browser.find_element(By.CSS_SELECTOR, "#table-communes caption").text
    last = math.ceil(252 / PAGE_SIZE)
    assert f"page {last} sur {last}" in caption and "252" in caption


def test_the_territory_page_stays_a_few_screens_long_on_a_phone(server, browser):
    """At 390 px the territory page was 13,803 px (fifty cards a table page). Fewer, denser rows
    took it to 5,747 px; its map, continuity, populations over time and dates then added about
    3,000 px, and folding the tables a chart or a note already sums up took it back to 7,030
    (2026-12-07): it stays under 7,500 px, and its tables page through the rest."""
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 900)
    browser.get(server + "doc/territoire/alliances-luxe-precision-doubs")
    height, width, client = browser.execute_script(
        "const e = document.documentElement; return [e.scrollHeight, e.scrollWidth, e.clientWidth];")
    print(f"territory page at 390 px: {height} px")
    assert height < 7500 and width <= client, (height, width, client)
    rows = browser.find_elements(By.CSS_SELECTOR, "#table-communes tbody tr")
    assert len(rows) == PAGE_SIZE
    assert browser.find_elements(By.CSS_SELECTOR, "#communes nav.pager a")
