"""Time travel in a real Chromium, served by the production server on the small build: a
territory's and an EPCI's memento, a commune's, and the TimeMap page, at 1366 and 390 px —
nothing scrolls sideways, nothing is requested from another host, axe-core finds no serious or
critical violation — and a reader goes from a territory's page to its page on a date and back
to today."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .test_browser import (ARTEFACTS, CHROMEDRIVER, CHROMIUM, WIDTHS, axe_source,  # noqa: F401
                           browser, requested_urls, serious_violations, shown,
                           whole_page_screenshot)

pytestmark = [pytest.mark.server, pytest.mark.browser, pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="needs Debian's chromium")]

ALLIANCES = "id/territoire/alliances-luxe-precision-doubs"
PAGES = {
    "memento-territoire": f"memento/2023/{ALLIANCES}",
    "memento-epci": "memento/2019/id/epci/242500361",
    "memento-commune": "memento/2019/id/commune/25192",
    "timemap-territoire": f"timemap/{ALLIANCES}",
    "timemap-commune": "timemap/id/commune/25056",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_time_pages_fit_stay_home_and_pass_axe(server, browser, axe_source, name, width):
    browser.set_window_size(width, 900)
    requested_urls(browser)
    browser.get(server + PAGES[name])
    # what the browser shows if not the page (an error's text), to tell why
    assert shown(browser, "main h1"), \
        f"{name} shows no page: {browser.execute_script('return document.body.innerText')[:300]!r}"
    scroll, client = browser.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
    assert scroll <= client, f"{name} scrolls sideways at {width} px: {scroll} > {client}"
    host = urlsplit(server).netloc
    assert [u for u in requested_urls(browser)
            if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != host] == []
    ARTEFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    whole_page_screenshot(browser, ARTEFACTS / "screenshots" / f"{name}-{width}.png", width)
    assert serious_violations(browser, axe_source) == []


def test_from_a_territory_to_its_page_on_a_date_and_back(server, browser):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1366, 900)
    browser.get(server + "doc/territoire/alliances-luxe-precision-doubs")
    browser.find_element(By.CSS_SELECTOR, "#a-une-date").find_element(
        By.LINK_TEXT, "2023").click()
    assert urlsplit(browser.current_url).path == f"/memento/2023/{ALLIANCES}"
    assert "1er janvier 2023" in browser.find_element(By.TAG_NAME, "h1").text
    changes = browser.find_element(By.ID, "changements").text
    assert "aujourd'hui" in changes
    # an EPCI's communes, folded, open on a click
    first = browser.find_element(By.CSS_SELECTOR, "#communes details summary")
    first.click()
    assert browser.find_elements(By.CSS_SELECTOR, "#communes details[open] ul.communes li a")
    browser.find_element(By.LINK_TEXT, "toutes les dates").click()
    assert urlsplit(browser.current_url).path == f"/timemap/{ALLIANCES}"
    assert browser.find_elements(By.CSS_SELECTOR, "#table-memento tbody tr")
    browser.find_element(By.LINK_TEXT, "la page d'aujourd'hui").click()
    assert urlsplit(browser.current_url).path in (f"/{ALLIANCES}",
                                                  "/doc/territoire/alliances-luxe-precision-doubs")
