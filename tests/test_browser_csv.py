"""In a real headless Chromium, at a desktop and a phone width: from the home page to a
territory, then its table of communes downloaded as CSV by the link under it; the file has the
table's columns and all its rows, the first page's rows as the page shows them (issue 21)."""

from __future__ import annotations

import csv
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from .test_browser import CHROMEDRIVER, CHROMIUM, browser, requested_urls  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")


def downloaded(folder: Path, timeout: float = 30) -> Path:
    """The one file the browser finished downloading into `folder`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"nothing downloaded into {folder} in {timeout} s")


@pytest.mark.parametrize("width", (1366, 390))
def test_home_to_a_territory_to_its_communes_as_csv(server, browser, width):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    folder = Path(tempfile.mkdtemp(prefix="csv-downloads-"))
    try:
        browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                                {"behavior": "allow", "downloadPath": str(folder)})
        browser.set_window_size(width, 900)
        wait = WebDriverWait(browser, 30)
        browser.get(server)
        browser.find_element(By.LINK_TEXT, "Tous les territoires du programme").click()
        wait.until(seen.presence_of_element_located((By.ID, "table-territoires")))
        territory = browser.find_element(By.CSS_SELECTOR, "#table-territoires").find_element(
            By.PARTIAL_LINK_TEXT, "Alliances Luxe")
        browser.execute_script("arguments[0].scrollIntoView()", territory)
        territory.click()
        wait.until(seen.title_contains("Alliances Luxe"))

        table = browser.find_element(By.ID, "table-communes")
        titles = [th.get_attribute("textContent").strip().rstrip(" ▲▼").strip()
                  for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
        shown = [[td.get_attribute("textContent").strip() for td in tr.find_elements(
            By.TAG_NAME, "td")] for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
        stated = int(browser.find_element(By.CSS_SELECTOR, "#communes h2").text.split()[1])
        section = browser.find_element(By.ID, "communes")
        link = section.find_element(By.PARTIAL_LINK_TEXT, "Télécharger ce tableau (CSV)")
        browser.execute_script("arguments[0].scrollIntoView()", link)
        link.click()
        with downloaded(folder).open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # the population column named by its concept and vintage, in the file as on the page
    assert rows[0] == titles == ["code Insee", "commune", "EPCI",
                                 "population municipale 2023 (Insee)"]
    assert len(rows) - 1 == stated == 252
    # the page shows its first rows, in the same order; figures without their French spaces
    assert [[c.replace("\u00a0", "") for c in r] for r in shown] == rows[1:len(shown) + 1]
    assert sum(int(r[3]) for r in rows[1:] if r[3]) > 0
