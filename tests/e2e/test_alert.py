"""A confirmed sighting's alert text: agency, area and hour only, never what the caller said."""

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import axe_violations
from helpers import create_first_coordinator, type_into

CANARY = "CANARY-e2e"
SALUTE = ["size", "activity", "location", "uniform", "time", "equipment"]


def test_a_confirmed_sighting_offers_a_safe_alert_to_copy(app):
    create_first_coordinator(app)
    app.find("call-new").click()
    Select(app.wait_present("call-area")).select_by_value("South Madison")
    type_into(app, "call-notes", f"{CANARY} notes")
    # The exact location is asked for while a verifier is on the way.
    Select(app.find("call-verification")).select_by_value("dispatched")
    type_into(app, "call-exact-location", f"{CANARY} 123 Main St")
    for key in SALUTE:
        type_into(app, f"salute-{key}", f"{CANARY} {key}")
    type_into(app, "call-contact-name", f"{CANARY} name")
    type_into(app, "call-contact-phone", "608 555 0177")
    app.find("call-save").click()
    app.wait_text("call-message", "Call saved")
    app.wait_present("call-item").click()
    app.wait_present("detail-salute-size")
    assert not app.driver.find_elements("css selector", "[data-testid=alert-panel]")

    Select(app.find("detail-verification")).select_by_value("confirmed")
    app.find("detail-verification-save").click()
    english = app.wait_text("alert-text-en", "South Madison", timeout=20)
    spanish = app.wait_text("alert-text-es", "South Madison")
    assert "Agents (agency not identified) seen in the South Madison area" in english, english
    assert "Agentes (agencia sin identificar) en la zona de South Madison" in spanish, spanish
    for text in (english, spanish):
        assert ":00 (UTC" in text, text
    assert "expires at" in english and "vence a las" in spanish
    panel = app.find("alert-panel").text
    assert CANARY not in panel and "555" not in panel and "Main St" not in panel, panel
    assert "sends nothing" in panel
    violations = axe_violations(app)
    assert violations == [], violations

    app.find("alert-copy-es").click()
    status = app.wait_present("alert-status").text
    assert "Copied. The clipboard will be cleared in 30 seconds." in status, status
    # The webview may not read the clipboard; a paste (as a person would) shows what it holds.
    assert pasted(app) == spanish

    # 30 seconds later the shell clears it (it still held the alert).
    app.wait_text("alert-status", "clipboard was cleared", timeout=45)
    WebDriverWait(app.driver, 10).until(lambda _d: pasted(app) == "")

    # Something copied after the alert is left alone.
    app.find("alert-copy-en").click()
    app.wait_text("alert-status", "Copied")
    assert pasted(app) == english
    field = app.find("detail-followup-what")
    field.send_keys("my own words")
    chord = ActionChains(app.driver).key_down(Keys.CONTROL)
    chord.send_keys("a").send_keys("c").key_up(Keys.CONTROL).perform()
    field.clear()
    app.wait_text("alert-status", "clipboard was cleared", timeout=45)
    assert pasted(app) == "my own words"

    # Each copy is in the audit log (the call and the language, no text).
    app.find("detail-followup-what").send_keys(Keys.ESCAPE)
    WebDriverWait(app.driver, 10).until(
        lambda d: not d.find_elements("css selector", "[data-testid=call-detail]"))
    app.wait_present("nav-admin").click()
    app.wait_text("audit-table", "alert_copied")
    copied = [row.text for row in app.driver.find_elements("css selector", "[data-testid=audit-entry]")
              if "alert_copied" in row.text]
    assert len(copied) == 2, copied
    assert any('"lang":"es"' in row for row in copied) and any('"lang":"en"' in row for row in copied), copied
    assert all(CANARY not in row and "South Madison" not in row for row in copied), copied


def pasted(app):
    """Paste the clipboard into an empty text field and return what arrived."""
    field = app.find("detail-followup-what")
    field.clear()
    field.click()
    ActionChains(app.driver).key_down(Keys.CONTROL).send_keys("v").key_up(Keys.CONTROL).perform()
    value = field.get_attribute("value")
    field.clear()
    return value
