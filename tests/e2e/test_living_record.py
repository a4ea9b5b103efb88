"""A saved call is a living record: opened, edited by keyboard with the
intake's form, its history shown, follow-ups added and completed, and the
notes check's warning in English and Spanish before anything is saved."""

from datetime import datetime, timedelta

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from conftest import axe_violations, run_cli
from helpers import HANDLE, PASSPHRASE, create_first_coordinator


def keys(app, *sequence):
    """Type at whatever element has focus, as a person at the keyboard would."""
    ActionChains(app.driver).send_keys(*sequence).perform()


def chord(app, modifier, key):
    ActionChains(app.driver).key_down(modifier).send_keys(key).key_up(modifier).perform()


def active_testid(app):
    return app.driver.switch_to.active_element.get_attribute("data-testid")


def in_detail(app, testid):
    """The element `testid` inside the open call's dialog."""
    return app.find("call-detail").find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')


def open_the_call(app):
    app.wait_present("call-item").click()
    app.wait_present("detail-notes")


def start_editing(app):
    """E (focus on the detail, not in a field) opens the form at the notes."""
    app.find("detail-edit").send_keys("e")
    app.wait_present("edit-save")
    assert active_testid(app) == "call-notes"


def test_open_edit_by_keyboard_and_see_the_history(app):
    create_first_coordinator(app)
    chord(app, Keys.CONTROL, "n")
    app.wait_present("call-timer")
    keys(app, "two cars at the laundromat")
    chord(app, Keys.CONTROL, "s")
    app.wait_text("call-message", "Call saved")
    open_the_call(app)

    start_editing(app)
    chord(app, Keys.CONTROL, Keys.END)
    keys(app, "; verifier says false alarm")
    keys(app, Keys.TAB)
    assert active_testid(app) == "category-ice_home_door"
    keys(app, Keys.SPACE)
    chord(app, Keys.CONTROL, "s")
    app.wait_text("detail-message", "Changes saved")
    assert app.find("detail-notes").text == "two cars at the laundromat; verifier says false alarm"
    history = app.wait_text("detail-history", "Category: Other → ICE at a home door")
    assert "Notes edited" in history
    assert "false alarm" not in history, "the history never shows the notes"
    # The title follows the edit.
    assert "ICE at a home door" in app.driver.find_element(By.ID, "detail-title").text

    # Add a follow-up task to the saved call, then complete it.
    in_detail(app, "detail-followup-what").send_keys("tell the caller it was a false alarm", Keys.ENTER)
    app.wait_text("detail-followups", "tell the caller it was a false alarm")
    box = in_detail(app, "detail-followup-done-0")
    box.send_keys(Keys.SPACE)
    app.wait_text("detail-history", "marked a follow-up done")
    assert in_detail(app, "detail-followup-done-0").is_selected()


def test_an_a_number_in_the_notes_is_warned_of_in_both_languages_then_corrected(app):
    create_first_coordinator(app)
    chord(app, Keys.CONTROL, "n")
    app.wait_present("call-timer")
    keys(app, "vans on Park St")
    chord(app, Keys.CONTROL, "s")
    app.wait_text("call-message", "Call saved")
    open_the_call(app)

    start_editing(app)
    chord(app, Keys.CONTROL, Keys.END)
    keys(app, " A123456789")
    chord(app, Keys.CONTROL, "s")
    warning = app.wait_text("notes-warning", "Never write down")
    assert "looks like an A-number" in warning
    assert app.find("notes-findings").find_element(By.TAG_NAME, "mark").text == "A123456789"
    assert active_testid(app) == "notes-correct"
    violations = axe_violations(app)
    assert violations == [], violations
    # Nothing was saved while the warning stands.
    keys(app, Keys.ESCAPE)
    app.wait_present("detail-edit")
    assert app.find("detail-notes").text == "vans on Park St"
    keys(app, Keys.ESCAPE)
    WebDriverWait(app.driver, 10).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="call-detail"]')
    )

    app.find("lang-es").click()
    open_the_call(app)
    start_editing(app)
    chord(app, Keys.CONTROL, Keys.END)
    keys(app, " A123456789")
    chord(app, Keys.CONTROL, Keys.ENTER)
    warning = app.wait_text("notes-warning", "Nunca anote el estatus migratorio")
    assert "parece un número A" in warning
    # "Corregir las notas" selects the number, so typing replaces it.
    keys(app, Keys.ENTER)
    assert active_testid(app) == "call-notes"
    keys(app, "(número dado por teléfono)")
    assert not app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="notes-warning"]')
    chord(app, Keys.CONTROL, "s")
    app.wait_text("detail-message", "Se guardaron los cambios")
    assert app.find("detail-notes").text == "vans on Park St (número dado por teléfono)"
    assert "Notas: editado" in app.find("detail-history").text


def test_a_coordinator_hands_a_saved_call_to_a_volunteer(app):
    create_first_coordinator(app)
    added = run_cli(
        app.data_dir, "user", "add", "bo-3", "--role", "volunteer",
        env={"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE,
             "HOTLINE_NEW_PASSPHRASE": "gravel sonnet ripple nectar"},
    )
    assert added.returncode == 0, added.stderr
    chord(app, Keys.CONTROL, "n")
    app.wait_present("call-timer")
    keys(app, "vans near the school")
    chord(app, Keys.CONTROL, "s")
    app.wait_text("call-message", "Call saved")
    open_the_call(app)

    start_editing(app)
    volunteer = in_detail(app, "call-volunteer")
    WebDriverWait(app.driver, 10).until(
        lambda _d: "bo-3" in [o.get_attribute("value") for o in volunteer.find_elements(By.TAG_NAME, "option")]
    )
    Select(volunteer).select_by_value("bo-3")
    chord(app, Keys.CONTROL, "s")
    app.wait_text("detail-message", "Changes saved")
    assert app.find("detail-volunteer").text == "bo-3"
    assert "Volunteer: river-7 → bo-3" in app.find("detail-history").text


def set_field(app, field, value):
    """Put `value` in a date or time input as its picker would, with the input
    event the form listens to. (WebKitGTK's date segments follow the process
    locale, not the page, so typed digits would land in an order that
    depends on the machine.)"""
    app.driver.execute_script(
        "const [el, v] = arguments;"
        "Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, v);"
        "el.dispatchEvent(new Event('input', {bubbles: true}));",
        field, value,
    )


def test_the_time_length_and_referrals_of_a_saved_call_are_edited(app):
    create_first_coordinator(app)
    chord(app, Keys.CONTROL, "n")
    app.wait_present("call-timer")
    keys(app, "a checkpoint on Main St")
    chord(app, Keys.CONTROL, "s")
    app.wait_text("call-message", "Call saved")
    open_the_call(app)
    start_editing(app)

    # An unreadable length is refused next to its field, and nothing is saved.
    length = in_detail(app, "edit-duration")
    length.clear()
    length.send_keys("six minutes")
    chord(app, Keys.CONTROL, "s")
    assert "minutes and seconds" in app.wait_present("edit-duration-error").text
    assert active_testid(app) == "edit-duration"
    length.clear()
    length.send_keys("6:30")

    # Two hours earlier, on the laptop's own clock, to the minute.
    earlier = (datetime.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    set_field(app, in_detail(app, "edit-received-day"), earlier.date().isoformat())
    set_field(app, in_detail(app, "edit-received-time"), earlier.strftime("%H:%M"))

    # A referral from the directory, and one given by mistake removed again.
    choose = Select(in_detail(app, "edit-referral-choose"))
    WebDriverWait(app.driver, 10).until(lambda _d: len(choose.options) > 2)
    wanted, mistaken = choose.options[1].text, choose.options[2].text
    def attached():
        return [li.find_element(By.TAG_NAME, "span").text
                for li in app.find("call-referrals").find_elements(By.CSS_SELECTOR, '[data-testid="call-referral"]')]

    # By keyboard: the first entry not yet attached is one arrow down; Tab, Enter.
    for n, name in enumerate((wanted, mistaken), start=1):
        in_detail(app, "edit-referral-choose").send_keys(Keys.DOWN)
        assert choose.first_selected_option.text == name
        keys(app, Keys.TAB)
        assert active_testid(app) == "edit-referral-add"
        keys(app, Keys.ENTER)
        WebDriverWait(app.driver, 10).until(lambda _d, n=n: len(attached()) == n)
        assert attached()[-1] == name
    remove = [b for b in app.find("call-referrals").find_elements(By.TAG_NAME, "button")
              if b.get_attribute("aria-label") == f"Remove {mistaken} from this call"]
    assert len(remove) == 1, [(b.get_attribute("aria-label"), mistaken) for b in app.find("call-referrals").find_elements(By.TAG_NAME, "button")]
    remove[0].send_keys(Keys.ENTER)
    WebDriverWait(app.driver, 10).until(lambda _d: attached() == [wanted])
    # The focus, whose button went, is on the one left, so Ctrl+S still reaches the dialog.
    assert app.driver.switch_to.active_element.get_attribute("aria-label") == f"Remove {wanted} from this call"
    chord(app, Keys.CONTROL, "s")
    app.wait_text("detail-message", "Changes saved")

    assert app.find("detail-referrals").text == wanted
    history = app.find("detail-history").text
    assert f"Referrals made: none → {wanted}" in history
    assert "→ 6:30" in history
    assert "Time of the call:" in history
    assert app.find("call-detail").find_element(By.XPATH, ".//dd[text()='6:30']")

    # Reopened, the call has them all.
    keys(app, Keys.ESCAPE)
    WebDriverWait(app.driver, 10).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="call-detail"]')
    )
    open_the_call(app)
    assert app.find("detail-referrals").text == wanted
    start_editing(app)
    assert in_detail(app, "edit-received-day").get_attribute("value") == earlier.date().isoformat()
    assert in_detail(app, "edit-received-time").get_attribute("value") == earlier.strftime("%H:%M")
    assert in_detail(app, "edit-duration").get_attribute("value") == "6:30"
    violations = axe_violations(app)
    assert violations == [], violations

    # A time more than a day ahead is the core's refusal, next to the field.
    ahead = datetime.now() + timedelta(days=3)
    set_field(app, in_detail(app, "edit-received-day"), ahead.date().isoformat())
    chord(app, Keys.CONTROL, "s")
    assert "future" in app.wait_present("edit-received-error").text


CENTRES = """
const box = arguments[0].getBoundingClientRect();
const text = arguments[1].getClientRects()[0];
return [box.top + box.height / 2, text.top + text.height / 2, box.height, text.height];
"""


def test_a_follow_ups_checkbox_is_centred_on_its_label(app):
    create_first_coordinator(app)
    chord(app, Keys.CONTROL, "n")
    app.wait_present("call-timer")
    keys(app, "vans on Park St")
    chord(app, Keys.CONTROL, "s")
    app.wait_text("call-message", "Call saved")
    open_the_call(app)
    in_detail(app, "detail-followup-what").send_keys("call the family back", Keys.ENTER)
    app.wait_text("detail-followups", "call the family back")
    for lang in ("lang-es", None):
        box = in_detail(app, "detail-followup-done-0")
        label = box.find_element(By.XPATH, "following-sibling::span[1]")
        box_centre, text_centre, box_height, text_height = app.driver.execute_script(CENTRES, box, label)
        assert abs(box_centre - text_centre) <= 2, (box_centre, text_centre, box_height, text_height)
        if lang:
            keys(app, Keys.ESCAPE)
            WebDriverWait(app.driver, 10).until(
                lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="call-detail"]'))
            app.find(lang).click()
            open_the_call(app)
