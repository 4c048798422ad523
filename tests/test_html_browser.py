"""The HTML page in a real browser: Debian's headless Chromium, driven by Selenium.

It opens the page as a file, hovers a citation marker and checks the quoted sentence shown,
focuses one with the keyboard, checks that nothing from an article ran or loaded, and that the
page fits a phone's width. ``.ci/run`` installs Chromium and sets BRIEFING_REQUIRE_BROWSER=1, so
there a missing browser fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer.html import to_html
from summarizer.models import Article, Briefing, Point, SourceRef, Span, Story

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE = Path(CHROMIUM).exists() and Path(DRIVER).exists()
if not HAVE and os.environ.get("BRIEFING_REQUIRE_BROWSER") != "1":
    pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
                allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

HOSTILE = ('Officials said <script>window.pwned = "script"</script> the bridge '
           '<img src="http://127.0.0.1:9/x.png" onerror="window.pwned = \'img\'"> reopened on Monday.')


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    assert HAVE, "chromium and chromedriver must be installed: apt-get install chromium chromium-driver"
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}", "--window-size=1024,900"):
        opts.add_argument(flag)
    os.environ.setdefault("SE_AVOID_STATS", "true")
    driver = webdriver.Chrome(options=opts, service=webdriver.ChromeService(executable_path=DRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def hostile_briefing() -> tuple[Briefing, str]:
    text = f"Bridge reopens\n\n{HOSTILE}\n\nTraffic resumed across the river by noon, the city said.\n"
    a = Article(id=1, path="bridge.html", title='Bridge <b>reopens</b>" onmouseover="x', text=text,
                outlet="<i>Daily</i>", url="javascript:alert(1)")
    b = Article(id=2, path="b.txt", title="Bridge back", text="Bridge back\n\nThe bridge reopened Monday.\n",
                outlet="Courier", url="https://courier.example/bridge")
    s, e = a.text.index("Officials"), a.text.index("Monday.") + len("Monday.")
    s2 = b.text.index("The bridge")
    cites = [Span(source=1, quote=a.text[s:e], start=s, end=e),
             Span(source=2, quote=b.text[s2:-1], start=s2, end=len(b.text) - 1)]
    story = Story(id="s1", title=a.title, points=[Point(text="The bridge reopened on Monday.", citations=cites)],
                  sources=[1, 2], outlets=2, reason="2 outlets")
    other = Story(id="s2", title="Other <script>x</script>", points=[], sources=[], outlets=0, reason="1 source")
    refs = [SourceRef(id=x.id, path=x.path, title=x.title, outlet=x.outlet, url=x.url) for x in (a, b)]
    return Briefing(title="2 stories", summary="", sources=refs, points=[], stories=[story, other]), a.text[s:e]


def open_page(driver: Any, tmp_path: Path, html: str) -> None:
    page = tmp_path / "briefing.html"
    page.write_text(html, encoding="utf-8")
    driver.get(page.as_uri())


def test_hover_and_focus_show_the_quote_and_nothing_from_an_article_runs(browser: Any, tmp_path: Path) -> None:
    d = browser
    briefing, quote = hostile_briefing()
    open_page(d, tmp_path, to_html(briefing))
    markers = d.find_elements(By.CSS_SELECTOR, ".cite")
    assert len(markers) == 2
    tip = markers[0].find_element(By.CSS_SELECTOR, ".tip")
    assert not tip.is_displayed()
    ActionChains(d).move_to_element(markers[0]).perform()
    assert tip.is_displayed()
    shown = tip.find_element(By.TAG_NAME, "q").text
    assert " ".join(shown.split()) == " ".join(quote.split())  # the article's markup, shown as text
    assert "Daily" in tip.text and "S1" in tip.text
    # Keyboard: Tab reaches the markers and focus shows the second one's quote and link.
    ActionChains(d).move_by_offset(0, 400).perform()
    body = d.find_element(By.TAG_NAME, "body")
    for _ in range(10):
        body.send_keys(Keys.TAB)
        if d.switch_to.active_element == markers[1]:
            break
    assert d.switch_to.active_element == markers[1]
    tip2 = markers[1].find_element(By.CSS_SELECTOR, ".tip")
    assert tip2.is_displayed() and "The bridge reopened Monday." in tip2.text
    assert tip2.find_element(By.TAG_NAME, "a").get_attribute("href") == "https://courier.example/bridge"
    # Nothing from the articles ran or loaded: no script element, no handler, no request.
    assert d.execute_script("return window.pwned === undefined")
    assert d.execute_script("return document.scripts.length") == 0
    assert d.execute_script("return document.querySelectorAll('img, iframe, [onerror], [onmouseover]').length") == 0
    assert d.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert not d.find_elements(By.CSS_SELECTOR, "a[href^='javascript']")
    # The contents list links to each story's section.
    links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "nav a")]
    assert [x.rsplit("#", 1)[1] for x in links] == ["s1", "s2"]


def test_the_seeds_page_works_offline_and_fits_a_phone(browser: Any, tmp_path: Path, home: Path) -> None:
    out = tmp_path / "seeds.html"
    proc = subprocess.run([sys.executable, "-m", "summarizer", "build", "seeds", "--replay", "fixtures/seeds",
                           "--format", "html", "-o", str(out), "-q"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    d = browser
    d.set_window_size(390, 844)
    try:
        d.get(out.as_uri())
        assert d.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        markers = d.find_elements(By.CSS_SELECTOR, ".cite")
        assert len(markers) >= 8
        seeds = {p.name: p.read_text(encoding="utf-8") for p in Path("seeds").iterdir()}
        for m in markers[:5]:
            ActionChains(d).move_to_element(m).perform()
            tip = m.find_element(By.CSS_SELECTOR, ".tip")
            assert tip.is_displayed()
            quote = " ".join(tip.find_element(By.TAG_NAME, "q").text.split())
            assert any(quote in " ".join(t.split()) for t in seeds.values())  # a seed's own sentence
        assert d.execute_script("return performance.getEntriesByType('resource').length") == 0
        # One story: its title once, as the page's; each side of a disagreement says who gives it.
        titles = [e.text for e in d.find_elements(By.CSS_SELECTOR, "h1, h2")]
        assert len(titles) == 1
        sides = [e.text for e in d.find_elements(By.CSS_SELECTOR, "h3 + ul > li")]
        assert sides and all(re.match(r"S\d+(?: \([^)]*\))?(?:, S\d+(?: \([^)]*\))?)*: ", t) for t in sides), sides
    finally:
        d.set_window_size(1024, 900)


def test_the_published_site_is_browsed_from_files(browser: Any, tmp_path: Path, home: Path) -> None:
    """The recorded day and the next, published: index -> run -> a story's timeline by their links,
    a timeline's citation shows its sentence, and no page makes a request or runs a script."""
    from tests.test_day import DATA, FIXTURES, HELD_BACK
    days = [tmp_path / "day1", tmp_path / "day2"]
    for d in days:
        d.mkdir()
    for f in sorted((DATA / "articles").iterdir()):
        shutil.copy(f, days[1] / f.name)
        if f.name not in HELD_BACK:
            shutil.copy(f, days[0] / f.name)
    env = {**os.environ, "BRIEFING_HOME": str(home)}
    for d in days:
        proc = subprocess.run([sys.executable, "-m", "summarizer", "build", str(d), "--replay", str(FIXTURES), "-q",
                               "-o", str(tmp_path / "out.md")], capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "summarizer", "publish", str(site), "-q"], capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    d = browser
    d.get((site / "index.html").as_uri())
    d.find_element(By.CSS_SELECTOR, "a[href='runs/2.html']").click()
    assert d.current_url.endswith("/runs/2.html") and "So far: first seen" in d.page_source
    d.find_element(By.LINK_TEXT, "timeline").click()
    assert "/stories/" in d.current_url
    assert len(d.find_elements(By.CSS_SELECTOR, "section[id^='run-']")) == 2
    marker = d.find_element(By.CSS_SELECTOR, ".cite")
    ActionChains(d).move_to_element(marker).perform()
    quote = " ".join(marker.find_element(By.CSS_SELECTOR, ".tip q").text.split())
    texts = [" ".join(p.read_text(encoding="utf-8").split()) for p in days[1].iterdir()]
    assert quote and any(quote in t for t in texts)
    for page in (d.current_url, (site / "index.html").as_uri(), (site / "runs" / "1.html").as_uri()):
        d.get(page)
        assert d.execute_script("return document.scripts.length") == 0
        assert d.execute_script("return performance.getEntriesByType('resource').length") == 0
    d.find_element(By.LINK_TEXT, "All runs").click()
    assert d.current_url.endswith("/index.html")
