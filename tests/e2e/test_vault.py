"""Vault in the window: first coordinator, lock, a failed unlock, unlock."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import run_cli
from helpers import HANDLE, PASSPHRASE, create_first_coordinator, type_into, unlock

def test_create_lock_fail_once_then_unlock(app):
    create_first_coordinator(app)
    assert "coordinator" in app.find("signed-in-as").text
    assert (app.data_dir / "hotline.db").exists()

    app.find("lock").click()
    app.wait_text("unlock-title", "Unlock the vault")
    # Locking clears the UI: no trace of the session remains on screen.
    assert HANDLE not in app.driver.find_element(By.TAG_NAME, "body").text

    unlock(app, "not the right passphrase")
    app.wait_text("unlock-error", "Wrong passphrase")
    app.wait_text("unlock-failures", "1")

    unlock(app, PASSPHRASE)
    app.wait_text("signed-in-as", HANDLE, timeout=30)

    # The CLI sees the same vault and the same single user.
    users = run_cli(app.data_dir, "user", "list",
                    env={"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE})
    assert users.returncode == 0, users.stderr
    assert HANDLE in users.stdout
    assert PASSPHRASE not in users.stdout + users.stderr


def test_keyboard_shortcut_locks_and_unknown_handle_is_named(app):
    create_first_coordinator(app)
    app.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.CONTROL, "l")
    app.wait_text("unlock-title", "Unlock the vault")
    type_into(app, "unlock-handle", "nobody-here")
    type_into(app, "unlock-passphrase", PASSPHRASE)
    app.find("unlock-submit").click()
    app.wait_text("unlock-error", "No user with that handle")


def test_weak_passphrase_is_refused_with_a_clear_message_in_spanish(app):
    app.wait_text("setup-title", "Set up this laptop")
    app.find("lang-es").click()
    app.wait_text("setup-title", "Configurar esta computadora")
    type_into(app, "setup-handle", HANDLE)
    type_into(app, "setup-passphrase", "short")
    type_into(app, "setup-repeat", "short")
    app.find("setup-submit").click()
    app.wait_text("setup-error", "demasiado débil")
    assert not (app.data_dir / "hotline.db").exists()
