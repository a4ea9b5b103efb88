"""The team card in the window: "Sync with the team folder" on a member
laptop applies the team record the coordinator laptop left in the folder,
and reports a refused file, which stays.

The laptops are prepared with the `hotline` binary. A WebDriver session
cannot click in a native folder chooser: debug builds take the folder
"chosen" from HOTLINE_TEST_FOLDER_PATH (`src-tauri/src/file_dialog.rs`;
absent from release builds)."""

from pathlib import Path

from conftest import axe_violations, cli_json, run_cli, running_app
from helpers import HANDLE, PASSPHRASE, unlock

AUTH = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}


def cli_ok(data_dir: Path, *args: str) -> str:
    result = run_cli(data_dir, *args, env=AUTH)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def enrol(coordinator: Path, laptop: Path, name: str, files: Path) -> str:
    """Enrol the laptop in `laptop` into the coordinator's team; its id."""
    request, team_file = files / f"{name}.request", files / f"{name}.team"
    cli_ok(laptop, "init")
    cli_ok(laptop, "team", "request", "--name", name, "--out", str(request))
    cli_ok(coordinator, "team", "invite", str(request), "--out", str(team_file))
    cli_ok(laptop, "team", "enrol", str(team_file))
    return cli_json(run_cli(laptop, "team", "show", "--json", env=AUTH))["laptop"]["laptop_id"]


def test_the_button_syncs_the_team_folder_and_shows_the_report(request, tmp_path, data_dir):
    coordinator, later = tmp_path / "coordinator", tmp_path / "later"
    folder = tmp_path / "team-folder"
    folder.mkdir()
    cli_ok(coordinator, "init")
    cli_ok(coordinator, "team", "create", "--name", "Dane hotline")
    this_laptop = enrol(coordinator, data_dir, "shift laptop", tmp_path)
    enrol(coordinator, later, "later laptop", tmp_path)
    sent = cli_json(run_cli(coordinator, "team", "sync", str(folder), "--json", env=AUTH))
    assert sent["sent"] == 2
    team_id = cli_json(run_cli(coordinator, "team", "show", "--json", env=AUTH))["team"]["team_id"]
    inbox = folder / team_id / f"to-{this_laptop}"
    (record,) = list(inbox.iterdir())
    junk = inbox / f"{this_laptop}-9.hdpacket"
    junk.write_bytes(b"not a packet")

    with running_app(request, data_dir, {"HOTLINE_TEST_FOLDER_PATH": str(folder)}) as app:
        unlock(app)
        app.wait_text("signed-in-as", HANDLE, timeout=30)
        app.wait_present("nav-admin").click()
        app.wait_text("team-card", "shift laptop in team Dane hotline (2 laptops)")
        app.wait_text("team-folder", "No team folder chosen yet")
        app.find("team-choose").click()
        app.wait_text("team-folder", str(folder))
        app.find("team-sync").click()
        app.wait_text("team-report", "Sent 0, applied 1, held 0, refused 1; 1 files removed", timeout=30)
        app.wait_text("team-refused", f"{junk.name} was refused and left in the folder")
        app.wait_text("team-card", "(3 laptops)")
        assert not record.exists(), "the applied file is deleted"
        assert junk.exists(), "a refused file stays"
        assert axe_violations(app) == []
        app.find("lang-es").click()
        app.wait_text("team-sync", "Sincronizar con la carpeta del equipo")
        app.wait_text("team-refused", "se rechazó y quedó en la carpeta")
        app.find("lang-en").click()
