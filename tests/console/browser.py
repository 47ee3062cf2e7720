"""A real browser for the console tests: Debian's chromium, headless, driven by Selenium.

Selenium's calls block, and the server under test runs on the test's event
loop, so every browser call goes through a worker thread (`await b.open(...)`).
`chromium_or_skip()` skips with the reason when chromium or chromedriver is
missing. Screenshots go to .khaacho/artefacts/console/ (git-ignored).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / ".khaacho" / "artefacts" / "console"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--window-size=1280,900", "--lang=en-US")

T = TypeVar("T")


def chromium_or_skip() -> None:
    """Skip the calling test, saying why, when there is no browser to drive."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[dev]')")
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists() and shutil.which(path.name) is None:
            pytest.skip(f"{path} not found: install Debian's {package} "
                        "(apt-get install chromium chromium-driver) to run the browser tests")


@dataclass
class Browser:
    """One headless chromium with a fresh profile."""

    driver: Any
    profile: tempfile.TemporaryDirectory[str]
    base: str = ""

    @classmethod
    def start(cls) -> Browser:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        profile = tempfile.TemporaryDirectory(prefix="khaacho-chromium-")
        options = webdriver.ChromeOptions()
        binary = CHROMIUM if CHROMIUM.exists() else Path(shutil.which("chromium") or CHROMIUM)
        options.binary_location = str(binary)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile.name}")
        driver_path = CHROMEDRIVER if CHROMEDRIVER.exists() else Path(
            shutil.which("chromedriver") or CHROMEDRIVER)
        driver = webdriver.Chrome(service=Service(executable_path=str(driver_path)),
                                  options=options)
        driver.set_page_load_timeout(30)
        return cls(driver, profile)

    def quit(self) -> None:
        self.driver.quit()
        self.profile.cleanup()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking Selenium call off the event loop the server runs on."""
        return await asyncio.to_thread(fn, *args)

    async def open(self, path: str) -> None:
        await self.call(self.driver.get, self.base + path)

    async def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return await self.call(self.driver.find_element, By.CSS_SELECTOR, css)

    async def text(self, css: str = "body") -> str:
        element = await self.find(css)
        return str(await self.call(lambda: element.text))

    async def fill(self, form_css: str, values: dict[str, str]) -> None:
        """Type into a form's fields (selects pick the option with that value)."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        def typing() -> None:
            form = self.driver.find_element(By.CSS_SELECTOR, form_css)
            for name, value in values.items():
                field = form.find_element(By.NAME, name)
                if field.tag_name == "select":
                    Select(field).select_by_value(value)
                else:
                    field.clear()
                    field.send_keys(value)
        await self.call(typing)

    async def submit(self, form_css: str, *, confirm: bool = False) -> None:
        """Press the form's button (accepting its confirm dialog) and wait for the next page."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        def press() -> None:
            old = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, f"{form_css} button[type=submit]").click()
            if confirm:
                WebDriverWait(self.driver, 5).until(ec.alert_is_present())
                self.driver.switch_to.alert.accept()
            WebDriverWait(self.driver, 20).until(_left(old))
        await self.call(press)

    async def click_link(self, text: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        def click() -> None:
            old = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.LINK_TEXT, text).click()
            WebDriverWait(self.driver, 20).until(_left(old))
        await self.call(click)

    async def script(self, js: str) -> Any:
        return await self.call(self.driver.execute_script, js)

    async def screenshot(self, name: str) -> Path:
        """Save the whole page as .khaacho/artefacts/console/<name>.png."""
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTEFACTS / f"{name}.png"

        def shoot() -> None:
            height = self.driver.execute_script(
                "return Math.min(document.documentElement.scrollHeight, 4000)")
            width = self.driver.get_window_size()["width"]
            self.driver.set_window_size(width, max(int(height) + 120, 600))
            self.driver.save_screenshot(str(target))
        await self.call(shoot)
        return target

    async def resize(self, width: int, height: int) -> None:
        await self.call(self.driver.set_window_size, width, height)


def _left(old: Any) -> Any:
    """A wait condition: the page that held `old` has gone.

    Selenium's `staleness_of` only expects StaleElementReferenceException;
    chromium answers a query that races the navigation with "node does not
    belong to the document", which means the same.
    """
    from selenium.common.exceptions import WebDriverException

    def gone(_driver: Any) -> bool:
        try:
            old.is_enabled()
        except WebDriverException:
            return True
        return False
    return gone
