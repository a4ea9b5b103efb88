"""Case handoff in the real app: laptop A logs a call with a follow-up due
today; once the team shares cases, A's sync hands the open case to every
laptop through the team folder, and on laptop B (the app) "Sync with the
team folder" brings it in: the follow-up is due on B's desk, without the
text A did not mark for the next shift, and no file of the folder holds it.

The laptops are prepared with the `hotline` binary (see test_team_sync.py
for the folder chooser in debug builds)."""

import json
from datetime import date
from pathlib import Path

from conftest import cli_json, run_cli, running_app
from helpers import HANDLE, unlock
from test_team_sync import AUTH, cli_ok, enrol

CANARY = "CANARY-7e31-unmarked-handoff"


def log_open_case(data_dir: Path, files: Path) -> None:
    """Log one call on `data_dir` with notes and a follow-up due today."""
    call = json.loads(cli_ok(data_dir, "call", "example"))
    call["notes"] = f"Caller's words {CANARY}"
    call["followups"] = [{"what": f"Call back {CANARY}", "due": date.today().isoformat(), "done": False}]
    path = files / "call.json"
    path.write_text(json.dumps(call))
    cli_ok(data_dir, "call", "add", "--file", str(path))


def test_a_handed_off_case_is_due_on_the_second_desk(request, tmp_path, data_dir):
    coordinator, origin = tmp_path / "coordinator", tmp_path / "origin"
    folder = tmp_path / "team-folder"
    folder.mkdir()
    cli_ok(coordinator, "init")
    cli_ok(coordinator, "team", "create", "--name", "Dane hotline")
    enrol(coordinator, origin, "laptop a", tmp_path)
    enrol(coordinator, data_dir, "laptop b", tmp_path)
    cli_ok(coordinator, "team", "share", "cases")
    log_open_case(origin, tmp_path)
    cli_json(run_cli(coordinator, "team", "sync", str(folder), "--json", env=AUTH))
    sent = cli_json(run_cli(origin, "team", "sync", str(folder), "--json", env=AUTH))
    assert sent["sent"] == 2, sent  # the case, to B and to the coordinator laptop
    for path in folder.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes()

    with running_app(request, data_dir, {"HOTLINE_TEST_FOLDER_PATH": str(folder)}) as app:
        unlock(app)
        app.wait_text("signed-in-as", HANDLE, timeout=30)
        app.wait_text("followups", "No follow-ups due.")
        app.wait_present("nav-admin").click()
        app.wait_text("team-card", "laptop b in team Dane hotline")
        app.find("team-choose").click()
        app.wait_text("team-folder", str(folder))
        app.find("team-sync").click()
        app.wait_text("team-report", "applied 2, held 0, refused 0", timeout=30)
        app.wait_present("nav-desk").click()
        app.wait_text("followups", "Task handed over from another laptop", timeout=30)
        app.wait_text("followup-badge", "Due today")
        app.find("lang-es").click()
        app.wait_text("followups", "Tarea pasada desde otra computadora")
        app.find("lang-en").click()
