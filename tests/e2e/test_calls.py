"""Taking calls: keyboard only, drafts after a crash, hostile text, accessibility."""

import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import App, axe_violations, kill_app_hard, start_app, stop_process_group
from helpers import HANDLE, create_first_coordinator, type_into, unlock


def keys(app, *sequence):
    """Type at whatever element has focus, as a person at the keyboard would."""
    ActionChains(app.driver).send_keys(*sequence).perform()


def chord(app, modifier, key):
    ActionChains(app.driver).key_down(modifier).send_keys(key).key_up(modifier).perform()


def active_testid(app):
    return app.driver.switch_to.active_element.get_attribute("data-testid")


def test_keyboard_only_call_then_lock_unlock_and_find_it_by_a_note_word(app):
    create_first_coordinator(app)
    chord(app, Keys.CONTROL, "n")
    app.wait_present("call-timer")
    assert active_testid(app) == "call-notes", "Ctrl+N must put focus in the first field"
    keys(app, "Three agents near the laundromat, zebrafish mural")
    keys(app, Keys.TAB)  # first category button
    assert active_testid(app) == "category-ice_home_door"
    keys(app, Keys.TAB, Keys.SPACE)  # second: ICE seen in public
    assert app.find("category-ice_public").get_attribute("aria-checked") == "true"
    chord(app, Keys.CONTROL, "s")
    app.wait_text("call-message", "Call saved")

    chord(app, Keys.CONTROL, "l")
    app.wait_text("unlock-title", "Unlock the vault")
    assert "zebrafish" not in app.driver.find_element(By.TAG_NAME, "body").text
    unlock(app)
    app.wait_text("signed-in-as", HANDLE, timeout=30)

    chord(app, Keys.CONTROL, "k")
    assert active_testid(app) == "search"
    keys(app, "zebrafish", Keys.ENTER)
    app.wait_present("call-item")
    items = app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="call-item"]')
    assert len(items) == 1
    assert "ICE seen in public" in items[0].text
    items[0].click()
    assert "zebrafish mural" in app.wait_present("detail-notes").text


def test_draft_comes_back_after_the_app_is_killed(app):
    create_first_coordinator(app)
    app.find("call-new").click()
    type_into(app, "call-notes", "Caller whispering from the pantry, draft-canary-41")
    app.wait_present("draft-saved", timeout=10)
    kill_app_hard(app)
    stop_process_group(app.driver_proc)

    driver, proc = start_app(app.data_dir)
    again = App(driver=driver, data_dir=app.data_dir, driver_proc=proc)
    try:
        unlock(again)
        again.wait_text("signed-in-as", HANDLE, timeout=30)
        again.wait_present("draft-restored", timeout=30)
        notes = again.find("call-notes").get_attribute("value")
        assert notes == "Caller whispering from the pantry, draft-canary-41"
    finally:
        driver.quit()
        stop_process_group(proc)


XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>\'); DROP TABLE calls;--'


def test_hostile_text_is_shown_as_text_and_never_runs(app):
    create_first_coordinator(app)
    app.find("call-new").click()
    type_into(app, "call-notes", XSS)
    # WebDriver cannot type characters outside the Basic Multilingual Plane,
    # so the rest arrives as a paste would: an input event on the field.
    app.driver.execute_script(
        "const el = arguments[0]; el.value += arguments[1];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));",
        app.find("call-notes"), " مرحبا 👩🏽‍⚖️ é\u0301",
    )
    app.find("call-save").click()
    app.wait_text("call-message", "Call saved")
    app.wait_present("call-item").click()
    shown = app.wait_present("detail-notes").text
    assert XSS in shown
    assert "مرحبا 👩🏽‍⚖️ é\u0301" in shown
    time.sleep(0.5)
    assert app.driver.execute_script("return window.__xss === undefined") is True
    assert not app.driver.find_elements(By.CSS_SELECTOR, "main img")


def test_intake_and_list_screens_have_no_accessibility_violations(app):
    create_first_coordinator(app)
    app.find("call-new").click()
    app.wait_present("call-notes")
    violations = axe_violations(app)
    assert violations == [], violations
    app.find("call-save").click()
    app.wait_present("call-item")
    violations = axe_violations(app)
    assert violations == [], violations


def paste(app, testid, text):
    """Set a field's text as a paste would (an input event). The text goes
    as UTF-16 code units, so that it may hold what WebDriver cannot type: a
    control character, or half of an emoji (a lone surrogate)."""
    raw = text.encode("utf-16-le", "surrogatepass")
    units = [int.from_bytes(raw[i:i + 2], "little") for i in range(0, len(raw), 2)]
    app.driver.execute_script(
        "const el = arguments[0]; el.value = String.fromCharCode(...arguments[1]);"
        "el.dispatchEvent(new Event('input', {bubbles: true}));",
        app.find(testid), units,
    )


def test_refusals_name_the_field_next_to_it_with_counters(app):
    create_first_coordinator(app)
    app.find("call-new").click()
    app.wait_present("call-notes")
    type_into(app, "call-notes", "two vans")

    # Over-long SALUTE text: counted in characters, refused next to the field.
    paste(app, "salute-size", "x" * 1025)
    assert "1025 characters: 1 bytes too long" in app.find("salute-size-count").text
    assert app.find("salute-size").get_attribute("aria-invalid") == "true"
    app.find("call-save").click()
    error = app.wait_text("salute-size-error", "is too long to save")
    assert "“Size: how many agents, vehicles”" in error and "1024 bytes" in error
    assert active_testid(app) == "salute-size", "the refused field gets the focus"
    assert not app.driver.find_elements(By.CSS_SELECTOR, "[data-testid=call-error]")
    paste(app, "salute-size", "six agents")
    assert "10 characters" in app.find("salute-size-count").text

    # A control character in the contact name.
    paste(app, "call-contact-name", "Ana\u0000")
    app.find("call-save").click()
    error = app.wait_text("call-contact-name-error", "control character")
    assert "“Name or nickname”" in error
    assert "That could not be done" not in app.driver.find_element(By.TAG_NAME, "body").text
    paste(app, "call-contact-name", "Ana")

    # Half of an emoji in the notes.
    paste(app, "call-notes", "vans \ud83d")
    app.find("call-save").click()
    error = app.wait_text("call-notes-error", "broken character")
    assert "“Notes”" in error
    assert "Something went wrong" not in app.driver.find_element(By.TAG_NAME, "body").text
    paste(app, "call-notes", "vans 👍")
    app.find("call-save").click()
    app.wait_text("call-message", "Call saved")

    # Searching with such characters: found or named, never "went wrong".
    paste(app, "search", "vans\u0000")
    app.find("search").send_keys(Keys.ENTER)
    app.wait_present("call-item")
    paste(app, "search", "vans\udc00")
    app.find("search").send_keys(Keys.ENTER)
    assert "“Search calls” holds a broken character" in app.wait_text("search-error", "broken character")

    app.find("lang-es").click()
    app.find("search").send_keys(Keys.ENTER)
    assert "«Buscar llamadas» tiene un carácter roto" in app.wait_text("search-error", "carácter roto")


def overflowing(app):
    """Panels whose content is wider than the panel (more than a pixel)."""
    return app.driver.execute_script(
        "const wide = [...document.querySelectorAll('.desk-grid > *, .desk-left > *, .desk-centre > *,"
        " .salute, .salute .field, .call-item, [data-testid=detail-notes]')]"
        ".filter((el) => el.scrollWidth > el.clientWidth + 1 ||"
        " el.getBoundingClientRect().right > el.parentElement.getBoundingClientRect().right + 1)"
        ".map((el) => (el.dataset.testid || el.className) + ' ' + el.scrollWidth + '>' + el.clientWidth);"
        "if (document.documentElement.scrollWidth > window.innerWidth + 1) wide.push('page');"
        "return wide;"
    )


def test_long_unbroken_text_stays_inside_its_panel(app):
    create_first_coordinator(app)
    app.find("call-new").click()
    app.wait_present("call-notes")
    long_word = "x" * 400
    paste(app, "call-notes", long_word)
    paste(app, "salute-size", "y" * 300)
    paste(app, "call-contact-name", "z" * 200)
    app.find("followup-add").click()
    paste(app, "followup-what-0", "w" * 300)
    assert overflowing(app) == []
    app.find("call-save").click()
    app.wait_text("call-message", "Call saved")
    app.wait_present("call-item").click()
    assert long_word in app.wait_present("detail-notes").text
    assert overflowing(app) == []


def test_a_saved_call_shows_its_salute_and_takes_a_follow_up(app):
    create_first_coordinator(app)
    app.find("call-new").click()
    type_into(app, "call-notes", "vans at the church")
    type_into(app, "salute-size", "six agents, two vans")
    app.find("call-save").click()
    app.wait_text("call-message", "Call saved")
    app.wait_present("call-item").click()
    assert app.wait_present("detail-salute-size").text == "six agents, two vans"

    # An empty task is refused next to its field, naming it.
    app.find("detail-followup-add").click()
    assert "“What to do”" in app.wait_text("detail-followup-what-error", "What to do")
    assert not app.driver.find_elements(By.CSS_SELECTOR, "[data-testid=detail-followups]")
    type_into(app, "detail-followup-what", "verifier says false alarm: tell the caller")
    app.find("detail-followup-add").click()
    tasks = app.wait_text("detail-followups", "verifier says false alarm")
    assert "tell the caller" in tasks
    assert app.find("detail-followup-what").get_attribute("value") == ""
