"""Vault in the window: first coordinator, lock, a failed unlock, unlock."""

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import run_cli
from helpers import HANDLE, PASSPHRASE, create_first_coordinator, flip_a_bit, type_into, unlock

def test_create_lock_fail_once_then_unlock(app):
    create_first_coordinator(app)
    assert "coordinator" in app.find("signed-in-as").text
    assert (app.data_dir / "hotline.db").exists()

    app.find("lock").click()
    app.wait_text("unlock-title", "Unlock the vault")
    # Locking clears the UI: no trace of the session remains on screen.
    assert HANDLE not in app.driver.find_element(By.TAG_NAME, "body").text

    unlock(app, "not the right passphrase")
    app.wait_text("unlock-error", "Wrong handle or passphrase")
    app.wait_text("unlock-failures", "1")

    unlock(app, PASSPHRASE)
    app.wait_text("signed-in-as", HANDLE, timeout=30)
    # The coordinator is told of the failed attempt, once.
    app.wait_text("notice-failures", "1 failed unlock attempt")

    # The CLI sees the same vault and the same single user.
    users = run_cli(app.data_dir, "user", "list",
                    env={"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE})
    assert users.returncode == 0, users.stderr
    assert HANDLE in users.stdout
    assert PASSPHRASE not in users.stdout + users.stderr


def test_keyboard_shortcut_locks_and_an_unknown_handle_is_one_refusal(app):
    create_first_coordinator(app)
    app.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.CONTROL, "l")
    app.wait_text("unlock-title", "Unlock the vault")
    type_into(app, "unlock-handle", "nobody-here")
    type_into(app, "unlock-passphrase", PASSPHRASE)
    app.find("unlock-submit").click()
    app.wait_text("unlock-error", "Wrong handle or passphrase")


def test_weak_passphrase_is_refused_with_a_clear_message_in_spanish(app):
    app.wait_text("setup-title", "Set up this laptop")
    app.find("lang-es").click()
    app.wait_text("setup-title", "Configurar esta computadora")
    type_into(app, "setup-handle", HANDLE)
    type_into(app, "setup-passphrase", "password1234")
    type_into(app, "setup-repeat", "password1234")
    app.find("setup-submit").click()
    app.wait_text("setup-error", "demasiado fácil de adivinar")
    app.wait_text("setup-error", "contraseña muy usada")
    app.wait_text("setup-error", "diccionarios en inglés")
    assert not (app.data_dir / "hotline.db").exists()


@pytest.fixture
def deep_damaged_vault(data_dir):
    """A vault with 2 000 demo calls and one bit flipped in a page in the
    middle of the database file: a page the checks at unlock do not read."""
    env = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}
    for args in (["init"], ["demo-data", "--calls", "2000", "--seed", "3"], ["verify"]):
        result = run_cli(data_dir, *args, env=env)
        assert result.returncode == 0, result.stderr
    db = data_dir / "hotline.db"
    flip_a_bit(db)
    return db


def test_deep_damage_unlocks_then_a_lasting_warning_and_saving_is_refused(deep_damaged_vault, app):
    damaged = deep_damaged_vault.read_bytes()
    app.wait_text("unlock-title", "Unlock the vault")
    unlock(app)
    app.wait_text("signed-in-as", HANDLE, timeout=30)
    app.wait_present("intake")
    # The background check finds the damage and the warning stays.
    app.wait_text("vault-damaged", "The vault on this laptop is damaged", timeout=60)
    app.find("call-new").click()
    type_into(app, "call-notes", "a call logged after the damage was found")
    app.find("call-save").click()
    app.wait_text("call-error", "saving is switched off")
    app.find("lang-es").click()
    app.wait_text("vault-damaged", "La bóveda de esta computadora está dañada")
    assert app.find("vault-damaged").is_displayed()

    app.find("lock").click()
    app.wait_text("unlock-title", "Desbloquear")
    # Nothing was written: not the retention purge, not the refused call.
    assert deep_damaged_vault.read_bytes() == damaged
    assert not (app.data_dir / "hotline.db-wal").exists()
    verify = run_cli(app.data_dir, "verify",
                     env={"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE})
    assert verify.returncode == 4, verify.stdout + verify.stderr


def test_panic_erase_at_the_lock_screen_takes_two_steps_and_leaves_nothing(app):
    create_first_coordinator(app)
    # Off by default: the lock screen offers nothing.
    app.find("lock").click()
    app.wait_text("unlock-title", "Unlock the vault")
    assert app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="panic-open"]') == []

    # A coordinator switches it on in Settings.
    unlock(app, PASSPHRASE)
    app.wait_text("signed-in-as", HANDLE, timeout=30)
    app.wait_present("nav-admin").click()
    app.wait_present("panic-erase-setting").click()
    WebDriverWait(app.driver, 10).until(lambda _d: (app.data_dir / "panic-erase-on").exists())
    assert app.find("panic-erase-setting").is_selected()
    app.find("lock").click()
    app.wait_text("unlock-title", "Unlock the vault")

    # Step one opens the warning; it says plainly that nothing survives.
    app.wait_present("panic-open").click()
    body = app.find("panic-body").text
    assert "Nothing survives" in body and "audit log" in body
    confirm = app.find("panic-confirm")
    assert not confirm.is_enabled(), "disabled until the word is typed"
    type_into(app, "panic-word", "erase?")
    assert not app.find("panic-confirm").is_enabled()
    assert (app.data_dir / "hotline.db").exists()

    # Step two: the word, then the button. No passphrase anywhere.
    app.find("panic-word").clear()
    type_into(app, "panic-word", "ERASE")
    app.find("panic-confirm").click()
    app.wait_text("panic-done", "erased", timeout=30)
    for name in ("hotline.db", "keyslots.bin", "erase-anchor", "panic-erase-on", "prefs.json"):
        assert not (app.data_dir / name).exists(), name
    assert [p.name for p in app.data_dir.iterdir() if p.name != "webview"] == []

    # The CLI finds no vault; the window goes back to set-up.
    about = run_cli(app.data_dir, "about", "--json")
    assert json.loads(about.stdout)["vault_exists"] is False
    app.find("panic-continue").click()
    app.wait_present("setup-title")


def test_a_passphrase_a_coordinator_set_is_changed_before_anything_else(app):
    env = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}
    assert run_cli(app.data_dir, "init", env=env).returncode == 0
    first = "gravel sonnet ripple nectar"
    added = run_cli(app.data_dir, "user", "add", "bo-3",
                    env={**env, "HOTLINE_NEW_PASSPHRASE": first})
    assert added.returncode == 0, added.stderr
    app.driver.refresh()
    unlock(app, first, handle="bo-3")
    app.wait_text("forced-title", "Choose your own passphrase", timeout=30)
    # Nothing of the desk is shown, and the shell refuses it anyway.
    assert not app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="desk"]')
    assert not app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="nav-desk"]')
    own = "lantern quiver basin moped tundra"
    type_into(app, "forced-current", first)
    type_into(app, "forced-new", own)
    type_into(app, "forced-repeat", own + " x")
    app.find("forced-submit").click()
    app.wait_text("forced-error", "different")
    type_into(app, "forced-repeat", own)
    app.find("forced-submit").click()
    app.wait_present("desk", timeout=30)
    assert "bo-3" in app.find("signed-in-as").text
    # The first passphrase no longer opens the vault; the new one works in the CLI.
    old = run_cli(app.data_dir, "call", "list",
                  env={"HOTLINE_USER": "bo-3", "HOTLINE_PASSPHRASE": first})
    assert old.returncode == 3, old.stderr
    new = run_cli(app.data_dir, "call", "list",
                  env={"HOTLINE_USER": "bo-3", "HOTLINE_PASSPHRASE": own})
    assert new.returncode == 0, new.stderr


def test_a_suggested_passphrase_fills_both_fields_visibly_and_opens_a_vault(app):
    app.wait_text("setup-title", "Set up this laptop")
    app.find("setup-suggest").click()
    app.wait_text("setup-suggested", "EFF")
    field = app.find("setup-passphrase")
    words = field.get_attribute("value").split(" ")
    assert len(words) == 6 and all(w.isalpha() or "-" in w for w in words), words
    assert field.get_attribute("type") == "text", "shown, to be learnt"
    assert app.find("setup-repeat").get_attribute("value") == " ".join(words)
    type_into(app, "setup-handle", HANDLE)
    app.find("setup-submit").click()
    app.wait_text("signed-in-as", HANDLE, timeout=30)
    opened = run_cli(app.data_dir, "user", "list",
                     env={"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": " ".join(words)})
    assert opened.returncode == 0, opened.stderr
