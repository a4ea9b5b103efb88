"""The script player: bilingual side by side, citations, card, keyboard."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from helpers import create_first_coordinator


def body(app):
    return app.driver.find_element(By.TAG_NAME, "body")


def test_walk_who_is_there_to_ice_with_the_keyboard(app):
    create_first_coordinator(app)
    app.wait_present("flow-who-is-there")
    assert "Legal information, not legal advice" in app.find("legal-banner").text
    assert "Reviewed on" in app.find("legal-banner").text

    body(app).send_keys("1")  # first flow
    app.wait_text("flow-title", "local police or ICE")
    app.wait_text("node-text-es", "¿Dónde están los agentes")
    body(app).send_keys("1")  # at the door of a home
    app.wait_text("node-kind", "Say to the caller")
    # The say-to-caller text is shown in both languages at once.
    assert "keep the door closed" in app.find("node-text-en").text
    assert "mantenga la puerta cerrada" in app.find("node-text-es").text
    app.find("citation").click()
    assert app.wait_present("citation-detail").text

    body(app).send_keys("1")  # continue
    app.wait_text("node-text-en", "vests")
    body(app).send_keys("1")  # "POLICE ICE"
    app.wait_text("node-kind", "")
    assert app.find("player-back").is_enabled()

    # Back returns to the vest question; the card opens with Ctrl+G.
    app.find("player-back").click()
    app.wait_text("node-text-en", "vests")
    body(app).send_keys(Keys.CONTROL, "g")
    glance = app.wait_present("glance")
    assert "ICE" in glance.text
    assert len(app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="glance"] [data-testid="citation"]')) >= 5


def test_a_full_flow_renders_in_spanish(app):
    create_first_coordinator(app)
    app.find("lang-es").click()
    app.wait_text("legal-banner", "Información legal, no asesoría legal")
    app.wait_present("flow-mpd-and-ice").click()
    app.wait_text("flow-title", "¿La policía de Madison ayuda a ICE?")
    seen = []
    for _ in range(30):
        kind = app.find("node-kind").text
        seen.append(kind)
        if app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="player-end"]'):
            break
        app.find("option-1").click()
        app.wait_text("node-kind", "")
    assert app.find("player-end").text == "Fin del guion"
    assert "Continue" not in body(app).text
    assert "Choose a script" not in body(app).text


def test_player_has_no_accessibility_violations(app):
    from conftest import axe_violations

    create_first_coordinator(app)
    app.wait_present("flow-verify").click()
    app.wait_text("flow-title", "verification")
    assert axe_violations(app) == []
    app.find("glance-toggle").click()
    app.wait_present("glance")
    assert axe_violations(app) == []


def test_script_sets_the_call_and_the_path_is_saved_with_it(app):
    create_first_coordinator(app)
    app.find("call-new").click()
    app.wait_present("call-notes")
    app.find("flow-who-is-there").click()
    app.wait_present("option-1").click()  # at the door of a home
    app.wait_text("node-kind", "Say to the caller")
    app.find("option-1").click()  # continue
    app.wait_text("node-text-en", "vests")
    app.find("option-1").click()  # "POLICE ICE"
    assert app.find("agency-ice_ero").get_attribute("aria-checked") == "true"
    assert app.find("category-ice_home_door").get_attribute("aria-checked") == "true"
    app.find("call-save").click()
    app.wait_text("call-message", "Call saved")
    app.wait_present("call-item").click()
    assert "ICE (ERO)" in app.wait_present("detail-agency").text
    path = app.wait_present("detail-script").text
    assert "who_start → who_door → who_look" in path


def test_the_callers_language_is_its_own_control_shared_by_script_and_call(app):
    create_first_coordinator(app)
    app.wait_present("flow-who-is-there")
    app.find("lang-es").click()  # the volunteer's interface is in Spanish
    app.find("call-new").click()
    language = app.wait_present("call-language")
    assert language.get_attribute("value") == "es", "starts from the interface language"
    body(app).send_keys(Keys.ESCAPE)
    app.find("flow-who-is-there").click()
    app.wait_present("caller-lang-en")
    assert app.find("caller-lang-es").get_attribute("aria-pressed") == "true"
    # The caller speaks English: chosen in the script pane, the call follows.
    app.find("caller-lang-en").click()
    app.wait_present("call-language")
    assert app.find("call-language").get_attribute("value") == "en"
    en_column = app.find("node-text-en").find_element(By.XPATH, "..")
    assert "caller-lang" in en_column.get_attribute("class")
    # Switching the interface language mid-call changes neither.
    app.find("lang-en").click()
    assert app.find("call-language").get_attribute("value") == "en"
    assert app.find("caller-lang-en").get_attribute("aria-pressed") == "true"
    app.find("lang-es").click()
    assert app.find("call-language").get_attribute("value") == "en"
    # Chosen in the form, the script pane follows.
    Select(app.find("call-language")).select_by_value("es")
    app.wait_text("call-language", "")
    assert app.find("caller-lang-es").get_attribute("aria-pressed") == "true"
