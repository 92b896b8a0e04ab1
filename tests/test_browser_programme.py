"""The programme's pages in a real Chromium, served by the production server on the small build
with the programme's fixture (tests/programme_build.py): the programme's page and territory
pages (Ouest Guyanais: an inset of its own) at 1366 and 390 px — nothing scrolls sideways,
nothing is requested from another host, axe-core finds no serious or critical violation — and
the map's links are reachable from the keyboard."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import start_server, stop
from .programme_build import programme_published, programme_settings  # noqa: F401
from .test_browser import (CHROMEDRIVER, CHROMIUM, WIDTHS, axe_source, browser,  # noqa: F401
                           requested_urls, serious_violations, shown, whole_page_screenshot,
                           ARTEFACTS)

pytestmark = [pytest.mark.server, pytest.mark.browser, pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="needs Debian's chromium")]

PAGES = {
    "programme": "doc/programme/territoires-d-industrie",
    "programme-tri-population": "doc/programme/territoires-d-industrie?territoires-tri=-population",
    "territoire-doubs": "doc/territoire/alliances-luxe-precision-doubs",
    "territoire-guyane": "doc/territoire/ouest-guyanais",
}


@pytest.fixture(scope="module")
def programme_server(programme_published, programme_settings):
    process, url = start_server(programme_settings, "--workers", "1")
    yield url
    stop(process)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_programme_pages_fit_stay_home_and_pass_axe(programme_server, browser, axe_source,
                                                    name, width):
    client = check_page(browser, axe_source, programme_server + PAGES[name], name, width,
                        "svg.carte")
    svg_width = browser.execute_script(
        "return document.querySelector('svg.carte').getBoundingClientRect().width")
    assert 0 < svg_width <= client


def check_page(browser, axe_source, url: str, name: str, width: int, maps: str) -> int:
    """Open `url` at `width`: it has its map (`maps`, a CSS selector), does not scroll sideways,
    asks no other host, passes axe-core; a whole-page screenshot is kept. Returns the page's
    client width."""
    browser.set_window_size(width, 900)
    requested_urls(browser)
    browser.get(url)
    # what the browser shows if not the page (an error's text), to tell why
    assert shown(browser, maps), (
        f"{name} has no map: {browser.title!r}, "
        f"{browser.execute_script('return document.body.innerText')[:300]!r}")
    scroll, client = browser.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
    assert scroll <= client, f"{name} scrolls sideways at {width} px: {scroll} > {client}"
    host = urlsplit(url).netloc
    assert [u for u in requested_urls(browser)
            if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != host] == []
    ARTEFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    whole_page_screenshot(browser, ARTEFACTS / "screenshots" / f"{name}-{width}.png", width)
    assert serious_violations(browser, axe_source) == []
    return client


def test_the_map_links_are_reached_from_the_keyboard(programme_server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1366, 900)
    browser.get(programme_server + "doc/phase/territoires-d-industrie-2")
    links = browser.find_elements("css selector", "svg.carte a")
    assert links
    reached = set()
    for _ in range(80):        # Tab through the page: header, facts, then the map's links
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        if active.tag_name == "a" and browser.execute_script(
                "return arguments[0].closest('svg.carte') !== null", active):
            reached.add(active.get_attribute("href"))
        elif reached:
            break
    assert reached == {a.get_attribute("href") for a in links}


REAL_PAGES = {
    "programme-complet": "doc/programme/territoires-d-industrie",
    "phase-2-complete": "doc/phase/territoires-d-industrie-2",
    "territoire-guyane-complet": "doc/territoire/ouest-guyanais",
    "accueil-complet": "",
}


@pytest.mark.full
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(REAL_PAGES))
def test_programme_pages_on_the_whole_data_fit_and_pass_axe(full_server, browser, axe_source,
                                                            name, width):
    """The same checks on ANCT's lists: maps of 183 and 149 territories, 332 rows paged."""
    check_page(browser, axe_source, full_server + REAL_PAGES[name], name, width, "svg.carte a")
