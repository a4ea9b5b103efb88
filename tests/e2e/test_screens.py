"""Every screen of the window (tests/e2e/screens.py), in English and in
Spanish: no axe-core violation, no checkbox off the line of its label, and (in English) every control reached by
Tab alone, in document order, with a focus indicator that can be seen.

With HOTLINE_SCREENSHOT_DIR set (`make screenshots`), the same walk writes
<name>.<lang>.png of each screen into that folder.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.common.keys import Keys

from conftest import REPO, SCREENSHOTS, App, axe_violations, start_app, stop_process_group
from screens import SCREENS, Walk

SHOT_DIR = os.environ.get("HOTLINE_SCREENSHOT_DIR")
LANGS = ["en", "es"]
DOCS = REPO / "docs" / "screenshots"

# The controls a person can Tab to, in the open modal dialog if there is one
# (the rest of the page is inert then), with each one's look while unfocused.
TABBABLES = """
const root = document.querySelector('dialog[open]') ?? document;
const folded = (el) => { const d = el.closest('details:not([open])');
  return d !== null && el.closest('summary')?.parentElement !== d; };
const shown = (el) => el.getClientRects().length > 0 && !folded(el)
  && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[inert]');
const list = [...root.querySelectorAll(
  'a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]')]
  .filter((el) => el.tabIndex >= 0 && !el.disabled && shown(el)
    && !(el.type === 'radio' && !el.checked && el.name));
const look = (el) => { const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join('|'); };
document.activeElement?.blur();
window.__tabbables = list;
window.__unfocused = list.map(look);
return list.map((el) => ({
  testid: el.dataset.testid ?? null,
  tag: el.tagName.toLowerCase(),
  label: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40),
  positive: el.tabIndex > 0,
}));
"""

# Where the focus is now, whether it looks different from unfocused, and the
# contrast of its outline with what is behind it (WCAG 1.4.11 asks 3:1).
FOCUSED = """
const el = document.activeElement;
const i = window.__tabbables.indexOf(el);
const s = getComputedStyle(el);
const look = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join('|');
const rgb = (c) => (c.match(/[\\d.]+/g) ?? []).map(Number);
const lum = ([r, g, b]) => { const f = (v) => { v /= 255;
  return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
let behind = el.parentElement;
while (behind && (rgb(getComputedStyle(behind).backgroundColor)[3] ?? 1) === 0) {
  behind = behind.parentElement;
}
const back = behind ? rgb(getComputedStyle(behind).backgroundColor) : [255, 255, 255];
const [hi, lo] = [lum(rgb(s.outlineColor)), lum(back)].sort((x, y) => y - x);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
const shadow = s.boxShadow !== 'none';
return {index: i, tag: el.tagName.toLowerCase(), testid: el.dataset?.testid ?? null,
  ends: el === document.body || el === document.documentElement || el.tagName === 'DIALOG',
  visible: (outline || shadow) && look !== window.__unfocused[i],
  contrast: outline ? (hi + 0.05) / (lo + 0.05) : null};
"""


# What the eye sees wrong that axe does not: a checkbox not on the line of its
# label's text.
LAYOUT = """
const problems = [];
const lines = (node) => { const r = document.createRange(); r.selectNodeContents(node);
  return [...r.getClientRects()].filter((b) => b.width > 0); };
const walker = (root) => document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
for (const box of document.querySelectorAll('label input[type=checkbox]')) {
  const b = box.getBoundingClientRect();
  if (b.height === 0) continue;
  const label = box.closest('label');
  let first = null;
  for (let w = walker(label), node; (node = w.nextNode()); ) {
    if (node.textContent.trim()) { first = lines(node)[0]; break; }
  }
  if (first && (b.bottom <= first.top || b.top >= first.bottom)) {
    problems.push(`a checkbox is not on the line of its label ${label.textContent.trim().slice(0, 40)}`);
  }
}
return problems;
"""


def describe(entry: dict) -> str:
    return entry["testid"] or f"<{entry['tag']}> {entry['label']!r}"


def tab_walk(app: App) -> list[str]:
    """Press Tab through the screen; return what is wrong (empty when all is well)."""
    expected = app.driver.execute_script(TABBABLES)
    problems = [f"positive tabindex on {describe(e)}" for e in expected if e["positive"]]
    reached: list[int] = []
    for _ in range(2 * len(expected) + 2):
        ActionChains(app.driver).send_keys(Keys.TAB).perform()
        now = app.driver.execute_script(FOCUSED)
        if now["index"] < 0:
            if now["ends"] and not reached:
                continue  # a modal dialog takes the focus itself first
            if not now["ends"]:
                problems.append(f"Tab reached <{now['tag']}> {now['testid']}, not a listed control"
                                " (outside an open dialog, or missed by the list)")
            break  # past the last control
        if reached and reached[-1] == now["index"]:
            continue  # a field with parts (a date) keeps the focus for a few presses
        if now["index"] in reached:
            break  # wrapped around
        reached.append(now["index"])
        name = describe(expected[now["index"]])
        if not now["visible"]:
            problems.append(f"no visible focus on {name}")
        elif now["contrast"] is not None and now["contrast"] < 3:
            problems.append(f"focus outline of {name} has contrast {now['contrast']:.2f}:1")
    # Tab starts after whatever had the focus last and wraps around at the
    # end: the order is the document's, read from the first control.
    if 0 in reached:
        start = reached.index(0)
        reached = reached[start:] + reached[:start]
    if reached != list(range(len(expected))):
        order = [describe(expected[i]) for i in reached]
        missed = [describe(e) for i, e in enumerate(expected) if i not in reached]
        problems.append(f"Tab order {order}; never reached {missed}")
    return problems


# What the screenshots show for the walk's temporary folders.
SHOWN_DATA_DIR = "~/.local/share/hotline-desk"
SHOWN_BACKUP = "/media/usb/hotline.backup"


def save_screenshot(walk: Walk, name: str) -> None:
    app = walk.app
    # The folders are temporary ones here: show what a person would see.
    app.driver.execute_script(
        "for (const el of document.querySelectorAll('[data-testid=data-dir]'))"
        " el.textContent = arguments[0];"
        "for (const el of document.querySelectorAll("
        "'[data-testid=restore-file], [data-testid=backup-done]'))"
        " el.textContent = el.textContent.replace(arguments[1], arguments[2]);",
        SHOWN_DATA_DIR, str(walk.backup), SHOWN_BACKUP)
    time.sleep(0.3)  # let the last reflow paint
    Path(SHOT_DIR).mkdir(parents=True, exist_ok=True)
    app.driver.save_screenshot(str(Path(SHOT_DIR) / f"{name}.{walk.lang}.png"))


def test_the_committed_screenshots_and_their_list_are_the_screens():
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", (DOCS / "README.md").read_text(), re.M)
    assert listed == [screen.name for screen in SCREENS], "docs/screenshots/README.md"
    files = sorted(path.name for path in DOCS.glob("*.png"))
    assert files == sorted(f"{s.name}.{lang}.png" for s in SCREENS for lang in LANGS), \
        "run make screenshots"


@pytest.mark.parametrize("lang", LANGS)
def test_every_screen_is_accessible(lang, data_dir, tmp_path):
    keyboard = lang == "en"
    backup = tmp_path / "usb" / "hotline.backup"
    backup.parent.mkdir()
    driver, proc = start_app(data_dir, extra_env={"HOTLINE_TEST_SAVE_PATH": str(backup),
                                                  "HOTLINE_TEST_OPEN_PATH": str(backup)})
    app = App(driver=driver, data_dir=data_dir, driver_proc=proc)
    walk = Walk(app=app, lang=lang, backup=backup)
    problems: dict[str, list] = {}
    current = "start"
    try:
        for screen in SCREENS:
            current = screen.name
            screen.reach(walk)
            if SHOT_DIR:
                save_screenshot(walk, screen.name)
            violations = axe_violations(app)
            if violations:
                problems[screen.name] = violations
            drawn = app.driver.execute_script(LAYOUT)
            if drawn:
                problems.setdefault(screen.name, []).extend(drawn)
            if keyboard:
                wrong = tab_walk(app)
                if wrong:
                    problems.setdefault(screen.name, []).extend(wrong)
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / f"screens-{lang}-{current}.png"))
        raise
    finally:
        try:
            driver.quit()
        finally:
            stop_process_group(proc)
    assert problems == {}, "\n".join(
        f"{name}: {problem}" for name, found in problems.items() for problem in found)


def test_the_tab_walk_finds_a_hidden_focus_a_faint_one_and_a_jump(app):
    """The walk's own check: it must fail on what it is there to catch."""
    app.wait_present("setup-suggest")
    # The handle field takes the focus itself (autofocus); a Tab pressed
    # before that lands would be overtaken by it under load.
    WebDriverWait(app.driver, 10).until(lambda d: d.execute_script(
        "return document.activeElement && document.activeElement.dataset.testid") == "setup-handle")
    assert tab_walk(app) == []
    app.driver.execute_script(
        "const el = (id) => document.querySelector(`[data-testid=${id}]`);"
        "el('setup-suggest').style.outline = 'none';"
        "el('setup-repeat').style.outlineColor = '#eeeeee';"
        "el('setup-handle').tabIndex = 2;")
    problems = tab_walk(app)
    assert "no visible focus on setup-suggest" in problems, problems
    assert any(p.startswith("focus outline of setup-repeat has contrast") for p in problems), problems
    assert "positive tabindex on setup-handle" in problems, problems
    assert any(p.startswith("Tab order") for p in problems), problems


def luminance(rgb: tuple[int, ...]) -> float:
    def channel(v: int) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_a_select_is_legible_in_the_dark_theme(data_dir, monkeypatch):
    """axe reads CSS colours; WebKitGTK paints a select's face itself. In a
    dark desktop theme the page is dark, and the face must be too: the text
    drawn on it is measured on the screen."""
    from helpers import create_first_coordinator

    monkeypatch.setenv("GTK_THEME", "Adwaita:dark")
    driver, proc = start_app(data_dir)
    app = App(driver=driver, data_dir=data_dir, driver_proc=proc)
    try:
        assert driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
        create_first_coordinator(app)
        app.find("nav-reports").click()
        select = app.wait_present("export-format")
        app.wait_present("reports-total")  # the dashboard above it is drawn
        # WebKitWebDriver's element screenshots come out black: cut the
        # select out of the window's.
        box = driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'});"
            "const r = arguments[0].getBoundingClientRect();"
            "return {x: r.x, y: r.y, width: r.width, height: r.height};", select)
        time.sleep(0.5)  # the scrolled page painted before the screenshot
        shot = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
        left, top = int(box["x"]), int(box["y"])
        width, height = int(box["width"]), int(box["height"])
        # The text, left of the arrow and inside the border.
        crop = shot.crop((left + 6, top + height // 4, left + int(width * 0.6),
                          top + 3 * height // 4))
        face = [crop.getpixel((x, y)) for x in range(crop.width) for y in range(crop.height)]
        background = Counter(face).most_common(1)[0][0]
        ink = max(face, key=lambda px: abs(luminance(px) - luminance(background)))
        high, low = sorted((luminance(ink), luminance(background)), reverse=True)
        contrast = (high + 0.05) / (low + 0.05)
        assert contrast >= 4.5, f"text {ink} on {background}: {contrast:.2f}:1"
    finally:
        try:
            driver.quit()
        finally:
            stop_process_group(proc)
