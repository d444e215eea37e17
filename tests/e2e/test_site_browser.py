"""The docs site in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`, which `.ci/run` installs) driven by selenium.

The site of `../shared/corpus/wasi/0.2.0` (every WASI 0.2.0 package, through http's deps/) is
opened from `file://`, as a reader who downloaded it would. Every page must load with no
console error; the search must find a function and take the reader to it; the theme toggle
must switch and persist; the phone layout must not scroll sideways. A screenshot of every
page lands in the test's temporary folder (`screenshots/`).

Without chromium, chromedriver or selenium the test skips, saying which is missing, except
under CI (the `CI` variable set), where a missing browser fails the run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from witgen import api

SEARCHED_FUNCTION = "get-random-bytes"  # in wasi:random/random


# ---------------------------------------------------------------- the browser


def _browser_or_skip() -> tuple[str, str]:
    """The paths of chromium and chromedriver; skips (fails under CI) when anything is absent."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [
        name
        for name, found in (
            ("chromium (apt-get install chromium)", chromium),
            ("chromedriver (apt-get install chromium-driver)", driver),
            ("selenium (pip install selenium)", importlib.util.find_spec("selenium")),
        )
        if not found
    ]
    if missing:
        reason = "the browser test needs " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI installs them: see .ci/run)")
        pytest.skip(reason)
    assert chromium is not None and driver is not None
    return chromium, driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium, driver_path = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def wasi_site(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = api.docs(shared / "corpus" / "wasi" / "0.2.0" / "http", format="html")
    out = tmp_path_factory.mktemp("site")
    for rel, text in site.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    return out


def _errors(driver: Any) -> list[str]:
    """The console's errors since the last call (the log is drained as it is read)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _wait(condition: Any, what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _open(driver: Any, page: Path) -> None:
    driver.get(page.as_uri())
    _wait(lambda: driver.execute_script("return document.readyState") == "complete", "load")


# ---------------------------------------------------------------- the test


@pytest.mark.slow
def test_site_in_a_real_browser(browser: Any, wasi_site: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser
    shots = tmp_path / "screenshots"
    shots.mkdir()
    pages = sorted(wasi_site.rglob("*.html"))
    assert len(pages) == 8  # the index and the seven packages of WASI 0.2.0
    _errors(driver)

    # Every page loads, with its title, sidebar and content, and no console error.
    for page in pages:
        _open(driver, page)
        assert driver.title, page.name
        assert driver.find_element(By.CSS_SELECTOR, "main h1").text, page.name
        assert driver.find_elements(By.CSS_SELECTOR, "#sidebar .pages > li")
        assert driver.execute_script("return window.witgenSearchIndex.length") > 100
        assert not _errors(driver), page.name
        driver.save_screenshot(str(shots / f"{page.stem}.png"))

    # The search finds the function; following the first result lands on its heading.
    _open(driver, wasi_site / "index.html")
    box = driver.find_element(By.ID, "search-input")
    box.send_keys(SEARCHED_FUNCTION)
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#search-results li.result a"), "results")
    first = driver.find_element(By.CSS_SELECTOR, "#search-results li.result a")
    assert SEARCHED_FUNCTION in first.find_element(By.CSS_SELECTOR, ".name").text
    href = first.get_attribute("href")
    assert href and "#" in href
    driver.save_screenshot(str(shots / "search.png"))
    first.click()
    _wait(lambda: driver.current_url == href, f"the navigation to {href}")
    _wait(lambda: driver.execute_script("return document.readyState") == "complete", "load")
    fragment = href.rsplit("#", 1)[1]
    target = driver.find_element(By.ID, fragment)
    assert SEARCHED_FUNCTION in target.text
    top = driver.execute_script("return arguments[0].getBoundingClientRect().top", target)
    assert 0 <= top < driver.execute_script("return window.innerHeight / 2"), top
    assert driver.execute_script(
        "return document.querySelector(':target') === arguments[0]", target
    )
    assert not _errors(driver)
    driver.save_screenshot(str(shots / "search-result.png"))

    # Enter in the search box opens the first result too.
    box = driver.find_element(By.ID, "search-input")
    box.send_keys("monotonic-clock")
    _wait(lambda: driver.find_elements(By.CSS_SELECTOR, "#search-results li.result"), "results")
    box.send_keys(Keys.ENTER)
    _wait(lambda: "clocks" in driver.current_url, "Enter to open the first result")

    # The theme toggle switches to dark, and the choice outlives a reload.
    _open(driver, wasi_site / "index.html")
    background = "return getComputedStyle(document.body).backgroundColor"
    light = driver.execute_script(background)
    driver.find_element(By.CSS_SELECTOR, ".theme-toggle").click()
    assert driver.execute_script("return document.documentElement.dataset.theme") == "dark"
    dark = driver.execute_script(background)
    assert dark != light
    driver.refresh()
    _wait(lambda: driver.execute_script("return document.readyState") == "complete", "reload")
    assert driver.execute_script(background) == dark
    driver.save_screenshot(str(shots / "index-dark.png"))
    driver.find_element(By.CSS_SELECTOR, ".theme-toggle").click()
    assert driver.execute_script(background) == light
    # With no choice stored, the system's preference decides.
    driver.execute_script("window.localStorage.clear()")
    emulate = "Emulation.setEmulatedMedia"
    driver.execute_cdp_cmd(
        emulate, {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    )
    driver.refresh()
    _wait(lambda: driver.execute_script("return document.readyState") == "complete", "reload")
    assert driver.execute_script(background) == dark
    assert driver.find_element(By.CSS_SELECTOR, ".theme-toggle").text == "Light"
    driver.execute_cdp_cmd(emulate, {"features": []})
    assert driver.execute_script(background) == light

    # On a phone: no sideways scrolling; the sidebar is behind the menu button.
    driver.set_window_size(390, 844)
    for page in pages:
        _open(driver, page)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= driver.execute_script("return window.innerWidth"), page.name
    sidebar = driver.find_element(By.ID, "sidebar")
    assert not sidebar.is_displayed()
    driver.find_element(By.CSS_SELECTOR, ".nav-toggle").click()
    assert sidebar.is_displayed()
    driver.save_screenshot(str(shots / "phone-menu.png"))
    assert not _errors(driver)
    assert len(list(shots.glob("*.png"))) == len(pages) + 4


@pytest.mark.parametrize("ci", ["", "true"])
def test_a_missing_browser_skips_except_under_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    outcome = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(outcome, match=r"needs chromium \(apt-get install chromium\), chromedriver"):
        _browser_or_skip()
