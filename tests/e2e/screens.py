"""Every screen of the window, as one list that the accessibility walk and
`make screenshots` share (tests/e2e/test_screens.py).

Each entry is a name (the screenshot is docs/screenshots/<name>.<lang>.png)
and a small function that brings the window there. The walk runs the entries
in order on one app start per language and one vault, so an entry starts where
the one before it left off; most start from the desk through `to_desk` or
`to_admin`, and those that change the vault's state (set-up, unlock, the forced
change, the damage, panic erase) are placed where that state is reached.
A new screen is one entry in `SCREENS`. Navigation uses the keyboard where the
app has a key for it (Ctrl+N, Ctrl+K, Ctrl+G, Ctrl+L, Escape) and otherwise
activates a control with a key press, never by its text: the same functions
serve both interface languages.

The data is made up: the CLI's demo calls and one example sighting.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import App, run_cli
from helpers import HANDLE, PASSPHRASE, fill_form, flip_a_bit, unlock

AS_COORDINATOR = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}
VOLUNTEER = "bo-3"
VOLUNTEER_FIRST = "gravel sonnet ripple nectar"
DEMO_CALLS = 12
# Calls in the vault when one of its pages is damaged.
DAMAGE_CALLS = 1500
# A word only the example sighting holds, to find it by search.
SEARCH_WORD = "zebrafish"


@dataclass
class Walk:
    """What the entries share on one walk: the app, the interface language and
    the backup file that the debug build's file-chooser seam "chooses" both to
    write a backup and to restore one (HOTLINE_TEST_SAVE_PATH and
    HOTLINE_TEST_OPEN_PATH, src-tauri/src/file_dialog.rs)."""

    app: App
    lang: str
    backup: Path


@dataclass(frozen=True)
class Screen:
    name: str
    reach: Callable[[Walk], None]


def keys(app: App, *sequence) -> None:
    """Type at whatever has the focus, as a person at the keyboard would."""
    ActionChains(app.driver).send_keys(*sequence).perform()


def chord(app: App, modifier, key) -> None:
    ActionChains(app.driver).key_down(modifier).send_keys(key).key_up(modifier).perform()


def press(app: App, testid: str, key=Keys.ENTER) -> None:
    """Move to a control and activate it with a key."""
    app.wait_present(testid).send_keys(key)


def cli(app: App, *args: str, input_text: str | None = None, env: dict | None = None) -> str:
    result = run_cli(app.data_dir, *args, env=env or AS_COORDINATOR, input_text=input_text)
    assert result.returncode == 0, f"hotline {' '.join(args)}: {result.stderr}"
    return result.stdout


def gone(app: App, testid: str) -> None:
    WebDriverWait(app.driver, 10).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]'))


def scroll_to(app: App, element, where: str) -> None:
    app.driver.execute_script("arguments[0].scrollIntoView({block: arguments[1]})", element, where)


def to_desk(walk: Walk) -> None:
    """The desk, with no dialog open and no call open (Escape leaves a call's
    edit form first, then its dialog)."""
    app = walk.app
    for _ in range(3):
        if not app.driver.find_elements(By.CSS_SELECTOR, "dialog[open]"):
            break
        keys(app, Keys.ESCAPE)
        time.sleep(0.2)
    WebDriverWait(app.driver, 10).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog[open]"))
    press(app, "nav-desk")
    app.wait_present("desk")


def to_admin(walk: Walk, anchor: str) -> None:
    """Account and settings, scrolled to the card holding `anchor`."""
    app = walk.app
    press(app, "nav-admin")
    element = app.wait_present(anchor)
    app.driver.execute_script(
        "arguments[0].closest('section').scrollIntoView({block: 'start'})", element)


# The example sighting's words, in the walk's language.
SIGHTING_TEXT = {
    "en": {
        "size": "2 SUVs, about 4 people",
        "activity": "Standing by the cars, watching the entrance",
        "location": "Grocery store parking lot",
        "uniform": "Vests reading POLICE ICE",
        "time": "About 10 minutes before the call",
        "equipment": "Unmarked dark SUVs, radios",
        "followup": "Call back if the verifier learns more",
        "notes": f"Caller saw two unmarked SUVs by the {SEARCH_WORD} mural; no one detained so far.",
    },
    "es": {
        "size": "2 camionetas, unas 4 personas",
        "activity": "De pie junto a los carros, mirando la entrada",
        "location": "Estacionamiento de una tienda",
        "uniform": "Chalecos que dicen POLICE ICE",
        "time": "Unos 10 minutos antes de la llamada",
        "equipment": "Camionetas oscuras sin marcas, radios",
        "followup": "Llamar de nuevo si la persona verificadora sabe algo más",
        "notes": f"Vio dos camionetas sin marcas junto al mural {SEARCH_WORD}; nadie detenido hasta ahora.",
    },
}


def sighting_call(lang: str) -> str:
    """A confirmed sighting with SALUTE details and a follow-up due today."""
    text = SIGHTING_TEXT[lang]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return json.dumps({
        "received_at": (now - timedelta(minutes=40)).isoformat().replace("+00:00", "Z"),
        "duration_seconds": 540,
        "language": "es",
        "caller_relation": "witness",
        "category": "ice_public",
        "agency": "ice_ero",
        "identified_by": "uniform_text",
        "area": "East Side/Far East",
        "salute": {key: text[key] for key in
                   ("size", "activity", "location", "uniform", "time", "equipment")},
        "verification": "confirmed",
        "urgency": "urgent",
        "followups": [
            {"what": text["followup"], "due": datetime.now().date().isoformat(), "done": False},
        ],
        "notes": text["notes"],
    })


# --- the entries -----------------------------------------------------------

def setup(walk: Walk) -> None:
    app = walk.app
    app.wait_present("setup-title")
    press(app, f"lang-{walk.lang}")
    app.wait_present("setup-handle")


def restore_setup(walk: Walk) -> None:
    """Restore from the set-up screen, a backup file chosen: who to sign in as."""
    app = walk.app
    press(app, "restore-choose")
    scroll_to(app, app.wait_present("restore-form"), "center")


def unlock_screen(walk: Walk) -> None:
    """Create the vault in the window, seed it from the CLI, then lock."""
    app = walk.app
    fill_form(app, {"setup-handle": HANDLE, "setup-passphrase": PASSPHRASE,
                    "setup-repeat": PASSPHRASE})
    press(app, "setup-submit")
    app.wait_text("signed-in-as", HANDLE, timeout=30)
    cli(app, "demo-data", "--calls", str(DEMO_CALLS), "--seed", "1")
    cli(app, "call", "add", "--file", "-", input_text=sighting_call(walk.lang))
    # One call on legal hold, for the retention card's list.
    held = json.loads(cli(app, "call", "list", "--json"))[0]["id"]
    cli(app, "hold", held, "on")
    cli(app, "user", "add", VOLUNTEER,
        env={**AS_COORDINATOR, "HOTLINE_NEW_PASSPHRASE": VOLUNTEER_FIRST})
    chord(app, Keys.CONTROL, "l")
    app.wait_present("unlock-handle")


def forced_change(walk: Walk) -> None:
    """A volunteer whose passphrase a coordinator set must choose their own."""
    app = walk.app
    unlock(app, VOLUNTEER_FIRST, handle=VOLUNTEER)
    app.wait_present("forced-current", timeout=30)


def desk_empty(walk: Walk) -> None:
    app = walk.app
    press(app, "lock")
    unlock(app)
    app.wait_text("signed-in-as", HANDLE, timeout=30)
    app.wait_present("call-item")


INTAKE_NOTES = {
    "en": "Two agents at the door of a neighbour, asking for someone by name",
    "es": "Dos agentes en la puerta de un vecino, preguntan por alguien por su nombre",
}


def desk_filled(walk: Walk) -> None:
    """Ctrl+N, notes typed, a category and an agency chosen."""
    app = walk.app
    chord(app, Keys.CONTROL, "n")
    app.wait_present("call-timer")
    keys(app, INTAKE_NOTES[walk.lang])
    press(app, "category-ice_home_door", Keys.SPACE)
    press(app, "agency-ice_ero", Keys.SPACE)


def player(walk: Walk) -> None:
    """A say-to-caller step: English and Spanish side by side."""
    app = walk.app
    press(app, "flow-who-is-there")
    press(app, "option-1")
    scroll_to(app, app.wait_present("node-text-es"), "center")


def glance(walk: Walk) -> None:
    """Police vs ICE at a glance (Ctrl+G)."""
    app = walk.app
    chord(app, Keys.CONTROL, "g")
    app.wait_present("glance")


def call_list_search(walk: Walk) -> None:
    """Ctrl+K, a word, Enter: the call list narrowed to what matches."""
    app = walk.app
    chord(app, Keys.CONTROL, "g")  # the card away again
    gone(app, "glance")
    chord(app, Keys.CONTROL, "s")
    app.wait_present("call-message")
    chord(app, Keys.CONTROL, "k")
    keys(app, SEARCH_WORD, Keys.ENTER)
    WebDriverWait(app.driver, 10).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, '[data-testid="call-item"]')) == 1)


def call_filters(walk: Walk) -> None:
    """The call list's filters, unfolded with Enter."""
    app = walk.app
    press(app, "filters")
    WebDriverWait(app.driver, 10).until(
        lambda _d: app.find("filter-status").is_displayed())


def call_detail(walk: Walk) -> None:
    """The confirmed sighting: SALUTE, follow-ups, the alert panel."""
    app = walk.app
    press(app, "call-item")
    app.wait_present("detail-salute-size")
    app.wait_present("alert-text-es", timeout=20)


# The copy buttons: Spanish writes a language's name in lower case inside a sentence.
COPY_ENGLISH = {"en": "Copy English", "es": "Copiar inglés"}


def alert_panel(walk: Walk) -> None:
    """The same call's alert text, further down the dialog."""
    app = walk.app
    scroll_to(app, app.wait_present("alert-panel"), "center")
    assert app.find("alert-copy-en").text == COPY_ENGLISH[walk.lang]


def call_edit(walk: Walk) -> None:
    """E on the saved call: its fields in the intake's own form, at the notes."""
    app = walk.app
    press(app, "detail-edit", "e")
    app.wait_present("edit-save")


NOTES_A_NUMBER = " A123456789"


def notes_warning(walk: Walk) -> None:
    """An A-number typed into the notes, Ctrl+S: the warning before saving."""
    app = walk.app
    notes = app.wait_present("call-notes")
    notes.send_keys(Keys.CONTROL, Keys.END)
    notes.send_keys(NOTES_A_NUMBER)
    chord(app, Keys.CONTROL, "s")
    app.wait_present("notes-warning")


def followups_due(walk: Walk) -> None:
    to_desk(walk)
    walk.app.wait_present("followup-done")


def reports(walk: Walk) -> None:
    """Reports with the preview of an export."""
    app = walk.app
    press(app, "nav-reports")
    press(app, "export-include-demo", Keys.SPACE)
    press(app, "export-preview")
    preview = app.wait_present("export-preview-view", timeout=20)
    scroll_to(app, preview, "start")


def directory(walk: Walk) -> None:
    """The referral directory beside the script, searched."""
    app = walk.app
    to_desk(walk)
    app.wait_present("directory-search").send_keys("legal")
    app.wait_text("directory-results", "")


def referrals_card(walk: Walk) -> None:
    to_admin(walk, "referrals-card")


def packs(walk: Walk) -> None:
    to_admin(walk, "packs-card")


def users(walk: Walk) -> None:
    to_admin(walk, "users-table")


def settings(walk: Walk) -> None:
    """Settings, with panic erase switched on (the panic dialog needs it)."""
    app = walk.app
    to_admin(walk, "panic-erase-setting")
    press(app, "panic-erase-setting", Keys.SPACE)
    WebDriverWait(app.driver, 10).until(lambda _d: (app.data_dir / "panic-erase-on").exists())


def backup(walk: Walk) -> None:
    """A backup written to the chosen file, with where it is kept."""
    app = walk.app
    to_admin(walk, "backup-card")
    press(app, "backup-write")
    app.wait_present("backup-location", timeout=30)


def retention(walk: Walk) -> None:
    """Retention, and the call on legal hold."""
    to_admin(walk, "retention-card")
    walk.app.wait_present("held-call")


def areas(walk: Walk) -> None:
    to_admin(walk, "areas-card")
    walk.app.wait_present("area-row")


ERASE_WORD = {"en": "ERASE", "es": "BORRAR"}


def erase(walk: Walk) -> None:
    """Emergency erase opened, its first confirmation typed."""
    app = walk.app
    to_admin(walk, "erase-card")
    press(app, "erase-open")
    app.wait_present("erase-word").send_keys(ERASE_WORD[walk.lang])


def erase_confirm(walk: Walk) -> None:
    """The second confirmation: the coordinator's own handle (not typed)."""
    app = walk.app
    press(app, "erase-next")
    app.wait_present("erase-handle")


def about(walk: Walk) -> None:
    to_admin(walk, "app-info")


def audit(walk: Walk) -> None:
    """A coordinator's audit view: the log's check and its newest entries."""
    to_admin(walk, "audit-table")
    walk.app.wait_present("audit-status")


def damaged(walk: Walk) -> None:
    """Lock, flip one bit in a page of the database, unlock: the banner."""
    app = walk.app
    chord(app, Keys.CONTROL, "l")
    app.wait_present("unlock-handle")
    # Enough calls that the page in the middle of the file is a call's,
    # which the checks at unlock do not read (see `flip_a_bit`); the
    # restore that follows brings back the backup made before.
    cli(app, "demo-data", "--calls", str(DAMAGE_CALLS), "--seed", "2")
    flip_a_bit(app.data_dir / "hotline.db")
    unlock(app)
    app.wait_present("vault-damaged", timeout=60)


def restore_damaged(walk: Walk) -> None:
    """Restore from the damage warning: the vault locked, a backup chosen,
    the damaged vault to be set aside."""
    app = walk.app
    press(app, "damaged-restore")
    app.wait_present("unlock-notice")
    press(app, "restore-choose")
    scroll_to(app, app.wait_present("restore-will-set-aside"), "center")


def panic_erase(walk: Walk) -> None:
    """Panic erase at the lock screen, opened (not confirmed)."""
    app = walk.app
    chord(app, Keys.CONTROL, "l")
    press(app, "panic-open")
    app.wait_present("panic-word")


SCREENS: list[Screen] = [
    Screen("setup", setup),
    Screen("restore-setup", restore_setup),
    Screen("unlock", unlock_screen),
    Screen("forced-change", forced_change),
    Screen("desk-empty", desk_empty),
    Screen("desk-filled", desk_filled),
    Screen("player", player),
    Screen("glance", glance),
    Screen("call-list-search", call_list_search),
    Screen("call-filters", call_filters),
    Screen("call-detail", call_detail),
    Screen("alert-panel", alert_panel),
    Screen("call-edit", call_edit),
    Screen("notes-warning", notes_warning),
    Screen("followups-due", followups_due),
    Screen("reports", reports),
    Screen("directory", directory),
    Screen("referrals", referrals_card),
    Screen("packs", packs),
    Screen("users", users),
    Screen("settings", settings),
    Screen("backup", backup),
    Screen("retention", retention),
    Screen("areas", areas),
    Screen("about", about),
    Screen("audit", audit),
    Screen("erase", erase),
    Screen("erase-confirm", erase_confirm),
    Screen("damaged", damaged),
    Screen("restore-damaged", restore_damaged),
    Screen("panic-erase", panic_erase),
]
