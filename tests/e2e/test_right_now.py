"""The "right now" keys: Alt+1 opens the door-now script and Alt+2 the
agents-now script from anywhere on the desk, starting a call when none is
open, without typing into any field."""

from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from conftest import REPO
from helpers import create_first_coordinator, type_into
from test_packs import choose_file, open_packs_card

LAKESIDE = REPO / "core" / "tests" / "fixtures" / "lakeside-pack.toml"

SAY = {"en": "Say to the caller", "es": "Dígale a la persona que llama"}


def alt(app, key):
    """One key press: Alt held with `key`."""
    ActionChains(app.driver).key_down(Keys.ALT).send_keys(key).key_up(Keys.ALT).perform()


def active_testid(app):
    return app.driver.switch_to.active_element.get_attribute("data-testid")


def spoken_line(app, lang):
    """The first screen of the script: its kind and the words to say in `lang`."""
    app.wait_text("node-kind", SAY[lang])
    text = app.wait_present(f"node-text-{lang}").text
    assert text.strip(), "the spoken line is on screen"
    return text


def use_pack(app, tmp_path: Path, rename: dict[str, str] | None = None):
    """Import the lakeside fixture pack (its flow ids renamed by `rename`) and make it active."""
    text = LAKESIDE.read_text(encoding="utf-8")
    pack_id = "lakeside-test"
    if rename:
        pack_id = "now-test"
        text = text.replace('id = "lakeside-test"', f'id = "{pack_id}"')
        for old, new in rename.items():
            text = text.replace(f'id = "{old}"', f'id = "{new}"')
    path = tmp_path / f"{pack_id}.toml"
    path.write_text(text, encoding="utf-8")
    open_packs_card(app)
    choose_file(app, "pack-import-file", path)
    app.wait_text("packs-message", pack_id)
    app.find(f"pack-use-{pack_id}").click()
    app.wait_text(f"pack-row-{pack_id}", "Active")
    app.find("nav-desk").click()
    app.wait_present("now-door-now")


def test_alt_1_puts_the_door_now_spoken_line_on_screen_in_english(app):
    """Built-in pack: passes once the pack holds the door-now flow."""
    create_first_coordinator(app)
    app.wait_present("now-door-now")
    app.wait_present("nav-admin").click()  # anywhere: even from another screen
    alt(app, "1")  # press 1 of at most 2
    assert spoken_line(app, "en")
    assert app.find("node-text-es").text.strip(), "Spanish beside it"
    app.wait_present("call-timer")  # a call was started, as Ctrl+N does
    assert app.find("call-notes").get_attribute("value") == "", "nothing typed into a field"
    # The built-in pack is honest about its legal standing, in both languages.
    standing = app.find("standing-banner").text
    assert "not yet approved by a lawyer" in standing
    assert "todavía no está aprobado por un abogado" in standing


def test_alt_1_puts_the_door_now_spoken_line_on_screen_in_spanish(app):
    """Built-in pack: passes once the pack holds the door-now flow."""
    create_first_coordinator(app)
    app.wait_present("lang-es").click()
    app.wait_text("player", "Ahora mismo")
    alt(app, "1")
    assert spoken_line(app, "es")
    app.wait_present("call-timer")
    assert app.find("call-notes").get_attribute("value") == ""


def test_right_now_keys_from_inside_the_notes_of_an_open_call(app, tmp_path):
    create_first_coordinator(app)
    use_pack(app, tmp_path, {"lakeside-street": "door-now", "lakeside-door": "agents-now"})
    app.find("call-new").click()
    type_into(app, "call-notes", "two cars outside")
    assert active_testid(app) == "call-notes"
    alt(app, "1")
    assert "ask if you are free to leave" in spoken_line(app, "en")
    assert app.find("call-notes").get_attribute("value") == "two cars outside", (
        "the key typed nothing and the same call stays open"
    )
    alt(app, "2")
    app.wait_text("node-text-en", "Is the door open or closed right now?")
    assert app.find("call-notes").get_attribute("value") == "two cars outside"


def test_a_pack_without_the_right_now_scripts_says_so_in_both_languages(app, tmp_path):
    create_first_coordinator(app)
    use_pack(app, tmp_path)
    alt(app, "2")
    missing = app.wait_present("now-missing").text
    assert 'This script pack has no “agents-now” script' in missing
    assert "Este paquete de guiones no tiene el guion «agents-now»" in missing
    app.wait_present("flow-lakeside-door")  # the list of scripts is still there
