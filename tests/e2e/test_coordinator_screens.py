"""The coordinator's screens in the window: backup to a file, retention and
legal hold, areas, erase confirmed twice, and restore from the set-up and
unlock screens (a damaged vault is moved aside, never deleted).

A WebDriver session cannot click in a native file chooser: debug builds take
the file "chosen" from HOTLINE_TEST_SAVE_PATH / HOTLINE_TEST_OPEN_PATH
(`src-tauri/src/file_dialog.rs`; absent from release builds)."""

from pathlib import Path

import pytest
from selenium.webdriver.support.ui import Select

from conftest import axe_violations, cli_json, run_cli, running_app
from helpers import HANDLE, PASSPHRASE, create_first_coordinator, fill_form, type_into, unlock

AUTH = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}


def cli_ok(data_dir: Path, *args: str) -> str:
    result = run_cli(data_dir, *args, env=AUTH)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def vault_with_calls(data_dir: Path, calls: int = 3) -> None:
    """A vault made by the CLI, with demo calls."""
    cli_ok(data_dir, "init")
    cli_ok(data_dir, "demo-data", "--calls", str(calls), "--seed", "5")


def call_ids(data_dir: Path) -> list[str]:
    result = run_cli(data_dir, "call", "list", "--json", env=AUTH)
    return sorted(row["id"] for row in cli_json(result))


def siblings_set_aside(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.parent.iterdir()
                  if p.name.startswith(f"{data_dir.name}-damaged-"))


def area_row(app, name: str):
    return app.driver.find_element("css selector", f'[data-testid="area-row"][data-name="{name}"]')


def open_admin(app):
    app.wait_present("nav-admin").click()
    app.wait_present("admin")


def test_backup_to_a_chosen_file_warns_about_this_disk_and_restores(request, tmp_path, data_dir):
    vault_with_calls(data_dir, 3)
    expected = call_ids(data_dir)
    backup = tmp_path / "usb" / "hotline.backup"
    backup.parent.mkdir()
    with running_app(request, data_dir, {"HOTLINE_TEST_SAVE_PATH": str(backup)}) as app:
        unlock(app)
        app.wait_text("signed-in-as", HANDLE, timeout=30)
        open_admin(app)
        app.wait_present("backup-card")
        assert axe_violations(app) == []
        app.find("backup-write").click()
        done = app.wait_text("backup-done", "Backup written to", timeout=30)
        assert str(backup) in done
        assert backup.stat().st_size > 4096
        # The temporary folder is on this laptop's own disk: the warning says so.
        location = app.find("backup-location")
        assert location.get_attribute("data-location") == "same_disk"
        assert "own disk" in location.text
        app.find("lang-es").click()
        app.wait_text("backup-location", "disco de esta misma computadora")
        app.find("lang-en").click()
        assert axe_violations(app) == []
        # The same name again: refused, the first file kept as it was.
        first = backup.read_bytes()
        app.find("backup-write").click()
        app.wait_text("backup-error", "already exists")
        assert backup.read_bytes() == first

    # The file restores with the CLI on "another laptop".
    other = tmp_path / "other-laptop"
    cli_ok(other, "restore", str(backup))
    assert call_ids(other) == expected
    cli_ok(other, "verify")


def test_retention_refusal_next_to_the_field_holds_released_and_an_added_area_offered(
        request, data_dir):
    vault_with_calls(data_dir, 2)
    held = call_ids(data_dir)[0]
    cli_ok(data_dir, "hold", held, "on")
    with running_app(request, data_dir) as app:
        unlock(app)
        app.wait_text("signed-in-as", HANDLE, timeout=30)
        open_admin(app)

        # Retention: out of range is refused next to the field, in both languages.
        app.wait_present("retention-card")
        type_into(app, "retention-days", "3")
        app.find("retention-save").click()
        app.wait_text("retention-error", "between 7 and 365 days")
        assert app.find("retention-days").get_attribute("aria-invalid") == "true"
        app.find("lang-es").click()
        app.find("retention-save").click()
        app.wait_text("retention-error", "de 7 a 365 días")
        app.find("lang-en").click()
        type_into(app, "retention-days", "30")
        app.find("retention-save").click()
        app.wait_text("retention-message", "kept for 30 days")
        assert not app.find("retention-error").is_displayed()

        # The held call is listed; releasing it empties the list.
        app.wait_present("held-call")
        assert len(app.driver.find_elements("css selector", '[data-testid="held-call"]')) == 1
        assert axe_violations(app) == []
        app.find("held-release").click()
        app.wait_text("held-none", "No call is on legal hold")

        # Areas: a new one is offered in the intake; a refused name says why.
        type_into(app, "area-name", "Allied Drive")
        app.find("area-add").click()
        app.wait_text("areas-message", "Allied Drive")
        type_into(app, "area-name", "Allied Drive")
        app.find("area-add").click()
        app.wait_text("area-error", "already exists")
        assert axe_violations(app) == []
        # Rename: another area's name is refused next to the field; then renamed.
        row = area_row(app, "Verona")
        row.find_element("css selector", '[data-testid="area-rename"]').click()
        type_into(app, "area-new-name", "Monona")
        app.find("area-rename-save").click()
        app.wait_text("area-rename-error", "already exists")
        assert app.find("area-new-name").get_attribute("aria-invalid") == "true"
        assert axe_violations(app) == []
        type_into(app, "area-new-name", "City of Verona")
        app.find("area-rename-save").click()
        app.wait_text("areas-message", "Verona is now City of Verona")
        app.find("nav-desk").click()
        app.wait_present("call-new").click()
        options = [o.get_attribute("value")
                   for o in Select(app.wait_present("call-area")).options]
        assert "Allied Drive" in options
        assert "City of Verona" in options and "Verona" not in options

    assert cli_ok(data_dir, "retention", "show").strip() == "30"
    areas = cli_ok(data_dir, "area", "list").splitlines()
    assert "Allied Drive" in areas and "City of Verona" in areas and "Verona" not in areas
    held_flags = [row["legal_hold"] for row in
                  cli_json(run_cli(data_dir, "call", "list", "--json", env=AUTH))]
    assert held_flags == [False, False]


def test_a_lone_coordinator_is_asked_for_a_recovery_kit_which_then_unlocks(request, data_dir):
    cli_ok(data_dir, "init")
    with running_app(request, data_dir) as app:
        unlock(app)
        app.wait_text("signed-in-as", HANDLE, timeout=30)
        open_admin(app)
        app.wait_text("continuity-missing", "Only one coordinator holds the coordinator key")
        app.wait_present("recovery-kit-make").click()
        app.wait_present("recovery-kit")
        handle = app.find("recovery-kit-handle").text.strip()
        words = app.find("recovery-kit-passphrase").text.strip()
        assert handle.startswith("recovery-") and len(words.split(" ")) == 8, (handle, words)
        app.wait_text("continuity-ensured", "1 recovery kit")
        assert axe_violations(app) == []
        app.find("recovery-kit-done").click()
        app.wait_present("recovery-kit-make")
        assert not app.driver.find_elements("css selector", '[data-testid="recovery-kit"]')
    # What was shown opens the vault as a coordinator.
    listed = run_cli(data_dir, "user", "list",
                     env={"HOTLINE_USER": handle, "HOTLINE_PASSPHRASE": words})
    assert listed.returncode == 0, listed.stderr
    assert f"{handle}\tcoordinator\trecovery kit" in listed.stdout


def test_erase_needs_both_confirmations_and_leaves_no_vault(app):
    create_first_coordinator(app)
    open_admin(app)
    app.wait_present("erase-open").click()
    app.wait_text("erase-body", "cannot be undone")
    assert axe_violations(app) == []
    assert not app.find("erase-next").is_enabled()
    type_into(app, "erase-word", "erase it")
    assert not app.find("erase-next").is_enabled()
    type_into(app, "erase-word", "ERASE")
    app.find("erase-next").click()
    # The second confirmation: the coordinator's own handle.
    app.wait_present("erase-handle")
    assert (app.data_dir / "hotline.db").exists()
    assert axe_violations(app) == []
    assert not app.find("erase-confirm").is_enabled()
    type_into(app, "erase-handle", "someone-else")
    assert not app.find("erase-confirm").is_enabled()
    # Cancel goes back to the start: both steps again.
    app.find("erase-cancel").click()
    app.wait_present("erase-open").click()
    type_into(app, "erase-word", "ERASE")
    app.find("erase-next").click()
    type_into(app, "erase-handle", HANDLE)
    app.find("erase-confirm").click()
    app.wait_text("erase-done", "The vault was erased", timeout=30)
    left = {p.name for p in app.data_dir.iterdir()}
    assert not left & {"hotline.db", "hotline.db-wal", "keyslots.bin", "erase-anchor"}, left
    app.find("erase-continue").click()
    app.wait_text("setup-title", "Set up this laptop")


def test_restore_from_the_set_up_screen_into_an_empty_folder(request, tmp_path, data_dir):
    source = tmp_path / "old-laptop"
    vault_with_calls(source, 3)
    backup = tmp_path / "usb" / "old.backup"
    backup.parent.mkdir()
    cli_ok(source, "backup", "--out", str(backup))
    expected = call_ids(source)
    with running_app(request, data_dir, {"HOTLINE_TEST_OPEN_PATH": str(backup)}) as app:
        app.wait_text("setup-title", "Set up this laptop")
        app.wait_present("restore-choose").click()
        app.wait_text("restore-file", str(backup))
        assert app.driver.find_elements("css selector",
                                        '[data-testid="restore-will-set-aside"]') == []
        assert axe_violations(app) == []
        # A wrong passphrase is refused and nothing is left in the folder.
        fill_form(app, {"restore-handle": HANDLE, "restore-passphrase": "not the passphrase"})
        app.find("restore-submit").click()
        app.wait_text("restore-error", "Wrong handle or passphrase", timeout=30)
        assert not (data_dir / "hotline.db").exists()
        fill_form(app, {"restore-handle": HANDLE, "restore-passphrase": PASSPHRASE})
        app.find("restore-submit").click()
        app.wait_text("restore-done", f"signed in as {HANDLE}", timeout=30)
        assert axe_violations(app) == []
        app.find("restore-continue").click()
        app.wait_text("signed-in-as", HANDLE)
        app.wait_present("intake")
    assert call_ids(data_dir) == expected
    assert siblings_set_aside(data_dir) == []


def test_restore_at_the_unlock_screen_moves_a_damaged_vault_aside(request, tmp_path, data_dir):
    vault_with_calls(data_dir, 3)
    expected = call_ids(data_dir)
    backup = tmp_path / "usb" / "today.backup"
    backup.parent.mkdir()
    cli_ok(data_dir, "backup", "--out", str(backup))
    db = data_dir / "hotline.db"
    damaged = db.read_bytes()[:4096]
    db.write_bytes(damaged)
    keys = (data_dir / "keyslots.bin").read_bytes()
    with running_app(request, data_dir, {"HOTLINE_TEST_OPEN_PATH": str(backup)}) as app:
        app.wait_text("unlock-title", "Unlock the vault")
        # Not known to be damaged yet: restore refuses to replace it.
        app.wait_present("restore-choose").click()
        app.wait_text("restore-error", "not known to be damaged")
        unlock(app)
        app.wait_text("unlock-error", "damaged", timeout=30)
        app.find("restore-choose").click()
        app.wait_text("restore-will-set-aside", "moved, unchanged")
        assert axe_violations(app) == []
        fill_form(app, {"restore-handle": HANDLE, "restore-passphrase": PASSPHRASE})
        app.find("restore-submit").click()
        app.wait_text("restore-done", "restored", timeout=30)
        aside = siblings_set_aside(data_dir)
        assert len(aside) == 1, aside
        app.wait_text("restore-set-aside", str(aside[0]))
        app.find("restore-continue").click()
        app.wait_text("signed-in-as", HANDLE)
    # The damaged vault is kept byte for byte; the restored one works.
    assert (aside[0] / "hotline.db").read_bytes() == damaged
    assert (aside[0] / "keyslots.bin").read_bytes() == keys
    assert call_ids(data_dir) == expected
    cli_ok(data_dir, "verify")


@pytest.fixture
def deep_damaged_with_backup(tmp_path, data_dir):
    """A vault whose damage only the background check finds (as in
    test_vault.py), and a backup made before its calls were logged (a backup
    runs retention first, whose shredding would leave the flipped bit in a
    free page the check does not read)."""
    cli_ok(data_dir, "init")
    backup = tmp_path / "usb" / "before.backup"
    backup.parent.mkdir()
    cli_ok(data_dir, "backup", "--out", str(backup))
    cli_ok(data_dir, "demo-data", "--calls", "2000", "--seed", "3")
    db = data_dir / "hotline.db"
    data = bytearray(db.read_bytes())
    data[(len(data) // 4096 // 2) * 4096 + 2000] ^= 0x40
    db.write_bytes(bytes(data))
    return backup, bytes(data)


def test_the_damage_warning_leads_a_coordinator_to_restore(request, data_dir,
                                                           deep_damaged_with_backup):
    backup, damaged = deep_damaged_with_backup
    with running_app(request, data_dir, {"HOTLINE_TEST_OPEN_PATH": str(backup)}) as app:
        unlock(app)
        app.wait_text("signed-in-as", HANDLE, timeout=30)
        app.wait_text("vault-damaged", "damaged", timeout=60)
        assert axe_violations(app) == []
        app.find("damaged-restore").click()
        app.wait_text("unlock-notice", "locked for the restore")
        app.wait_text("restore-panel", "The vault here is damaged")
        app.find("restore-choose").click()
        app.wait_text("restore-will-set-aside", "moved, unchanged")
        fill_form(app, {"restore-handle": HANDLE, "restore-passphrase": PASSPHRASE})
        app.find("restore-submit").click()
        app.wait_text("restore-done", "restored", timeout=60)
        app.find("restore-continue").click()
        app.wait_text("signed-in-as", HANDLE)
    aside = siblings_set_aside(data_dir)
    assert len(aside) == 1, aside
    assert (aside[0] / "hotline.db").read_bytes() == damaged
    cli_ok(data_dir, "verify")
