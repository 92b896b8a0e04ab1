"""End to end in a real headless Chromium: home page → query page with an example query → run
it and see its rows → the territory's page → one of its EPCI. Every request the browser makes
goes to the served host (no CDN, no web font)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


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

    # Back home, to the territory's page, then to one of its EPCI.
    browser.get(server)
    browser.find_element(By.PARTIAL_LINK_TEXT, "Alliances Luxe").click()
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


def test_from_the_home_verdict_to_the_validation_report(server, browser):
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
    assert len(graphs) == 7, [g.text for g in graphs]
    warnings = said.split(" violation(s), ")[1].split(" avertissement")[0]
    listed = browser.find_elements(By.CSS_SELECTOR, "#resultats tr.warning")
    assert len(listed) == int(warnings)
