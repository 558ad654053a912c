"""`clean view` and `clean label` used as a person uses them: in headless Chromium (Debian's
`chromium` and `chromium-driver`, driven by Selenium). Skips with a message where they are
missing; `.ci/run` installs them. Set CLEANER_SCREENSHOTS=DIR to keep the screenshots there
(docs/ holds the ones made so)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
)
if not (shutil.which("chromium") and shutil.which("chromedriver")):
    pytest.skip("Debian's chromium and chromium-driver are not installed", allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

PAGES = Path(__file__).resolve().parents[1] / "contract" / "pages"
STORY = PAGES / "news_with_teasers_and_comments.html"
URL = "https://coastalcourier.example/news/2024/03/flood-wall"


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    yield driver
    driver.quit()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def screenshot(driver, tmp_path: Path, name: str) -> Path:
    target = Path(os.environ.get("CLEANER_SCREENSHOTS", tmp_path)) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(target))
    return target


def test_the_view_page_filters_blocks_in_the_browser(browser, tmp_path):
    out = tmp_path / "view.html"
    subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "view", str(STORY), "--url", URL, "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    browser.get(out.as_uri())
    blocks = browser.find_elements(By.CSS_SELECTOR, "li.block")
    kept = browser.find_elements(By.CSS_SELECTOR, "li.block.kept")
    assert len(blocks) > len(kept) > 0
    assert int(browser.find_element(By.ID, "shown").text) == len(blocks)
    browser.find_element(By.ID, "show-kept").click()  # hide the kept blocks
    visible = [li for li in blocks if li.is_displayed()]
    assert len(visible) == len(blocks) - len(kept)
    assert all("dropped" in li.get_attribute("class") for li in visible)
    minimum = browser.find_element(By.ID, "min-score")
    minimum.send_keys(Keys.CONTROL, "a")
    minimum.send_keys("0.5")
    shown = int(browser.find_element(By.ID, "shown").text)
    assert shown == sum(1 for li in visible if float(li.get_attribute("data-score")) >= 0.5)
    browser.find_element(By.ID, "show-kept").click()
    minimum.send_keys(Keys.CONTROL, "a")
    minimum.send_keys("0")
    width, height = png_size(screenshot(browser, tmp_path, "clean-view.png"))
    assert width >= 1000 and height >= 600


def test_labeling_in_the_browser_saves_each_click(browser, tmp_path):
    from cleaner.clean import Cleaner
    from cleaner.label import LabelingSession, serve
    from cleaner.training.labels import read_lines

    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(STORY, site / "a_story.html")
    shutil.copy(PAGES / "families" / "comments_wordpress_de.html", site / "b_comments.html")
    session = LabelingSession(site, tmp_path / "labeled", Cleaner())
    server = serve(session)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/")
        wait = WebDriverWait(browser, 30)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#blocks li"))
        items = browser.find_elements(By.CSS_SELECTOR, "#blocks li")
        target = next(i for i, li in enumerate(items) if "My cellar was flooded" in li.text)
        before = items[target].get_attribute("class").split()[0]
        items[target].click()
        wait.until(lambda d: d.find_element(By.ID, "saved").text == "saved")
        saved = dict(read_lines(tmp_path / "labeled" / "a_story.lines").labeled())
        cellar = next(text for text in saved if "My cellar was flooded" in text)
        assert saved[cellar] == ("chrome" if before == "body" else "body")
        # shift-click: the run from the last click to here takes the new label
        items = browser.find_elements(By.CSS_SELECTOR, "#blocks li")
        end = min(target + 3, len(items) - 1)
        webdriver.ActionChains(browser).key_down(Keys.SHIFT).click(items[end]).key_up(Keys.SHIFT).perform()
        wait.until(lambda d: d.find_element(By.ID, "saved").text == "saved")
        labels = [label for _, label in read_lines(tmp_path / "labeled" / "a_story.lines").labeled()]
        classes = [
            li.get_attribute("class").split()[0]
            for li in browser.find_elements(By.CSS_SELECTOR, "#blocks li")
        ]
        assert len(set(classes[target : end + 1])) == 1 and classes == labels
        width, height = png_size(screenshot(browser, tmp_path, "clean-label.png"))
        assert width >= 1000 and height >= 600
        browser.find_element(By.TAG_NAME, "body").send_keys("n")  # the next page
        wait.until(
            lambda d: (
                "Badesee" in d.find_element(By.ID, "blocks").text
                or "Stadtrat" in d.find_element(By.ID, "blocks").text
            )
        )
    finally:
        server.shutdown()
        server.server_close()
