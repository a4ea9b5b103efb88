"""The process and the webview keep nothing behind: the vault locks when the
window closes or the app is told to stop, the webview writes no storage, and
a crash writes no core file (app and `hotline` alike).

The crash tests raise the core-file limit before starting the program, as a
shell with `ulimit -c unlimited` would, and check that the program lowers it
itself: a control process started the same way does dump core."""

from __future__ import annotations

import os
import pty
import resource
import select
import signal
import subprocess
import time
from pathlib import Path

from conftest import APP_BIN, CLI_BIN
from helpers import HANDLE, create_first_coordinator

# Files a locked vault leaves in its data folder; none holds plaintext data.
LOCKED_FILES = {
    "hotline.db", "keyslots.bin", "erase-anchor", "failed-unlocks.json", "prefs.json",
    "panic-erase-on",
}


def app_pids(app) -> list[int]:
    out = subprocess.run(["pgrep", "-g", str(app.driver_proc.pid), "-f", str(APP_BIN)],
                         capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def wait_gone(pids: list[int], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() and
                   " Z " not in Path(f"/proc/{pid}/stat").read_text() for pid in pids
                   if Path(f"/proc/{pid}/stat").exists()):
            return
        time.sleep(0.1)
    raise AssertionError(f"the app did not end: {pids}")


def assert_only_encrypted_files(data_dir: Path) -> None:
    names = {p.name for p in data_dir.iterdir()}
    assert names <= LOCKED_FILES, names
    assert {"hotline.db", "keyslots.bin", "erase-anchor"} <= names, names
    assert not (data_dir / "hotline.db-wal").exists()
    assert not (data_dir / "hotline.db-shm").exists()
    assert not (data_dir / "webview").exists()
    # An encrypted database has no SQLite header: its first page is random.
    assert not (data_dir / "hotline.db").read_bytes().startswith(b"SQLite format 3")


def open_vault_with_a_wal(app) -> list[int]:
    create_first_coordinator(app)
    assert (app.data_dir / "hotline.db-wal").exists(), "an open vault has its WAL"
    pids = app_pids(app)
    assert pids
    return pids


def ask_windows_to_close(pids: list[int]) -> int:
    """Do what a window manager does when someone clicks the close button:
    send WM_DELETE_WINDOW to each top-level window of `pids`. Returns how
    many windows were asked."""
    from Xlib import X, display
    from Xlib.protocol import event

    screen = display.Display()
    wm_protocols = screen.intern_atom("WM_PROTOCOLS")
    wm_delete = screen.intern_atom("WM_DELETE_WINDOW")
    net_wm_pid = screen.intern_atom("_NET_WM_PID")
    asked = 0
    for window in screen.screen().root.query_tree().children:
        prop = window.get_full_property(net_wm_pid, X.AnyPropertyType)
        if prop is None or prop.value[0] not in pids:
            continue
        protocols = window.get_wm_protocols() or []
        if wm_delete not in protocols:
            continue
        message = event.ClientMessage(window=window, client_type=wm_protocols,
                                      data=(32, [wm_delete, X.CurrentTime, 0, 0, 0]))
        window.send_event(message)
        asked += 1
    screen.flush()
    screen.close()
    return asked


def test_closing_the_window_locks_and_leaves_only_the_encrypted_files(app):
    pids = open_vault_with_a_wal(app)
    assert ask_windows_to_close(pids) >= 1
    wait_gone(pids)
    assert_only_encrypted_files(app.data_dir)


def test_sigterm_locks_the_vault_before_the_app_ends(app):
    pids = open_vault_with_a_wal(app)
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    wait_gone(pids)
    assert_only_encrypted_files(app.data_dir)


def allow_core_dumps() -> None:
    """In the child, before exec: what `ulimit -c unlimited` does."""
    resource.setrlimit(resource.RLIMIT_CORE,
                       (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def core_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            return " ".join(line.split()[4:6])
    raise AssertionError("no core line")


def crash(proc_pid: int) -> int:
    """SIGABRT, whose default action dumps core. (A SIGSEGV sent from outside
    does not end a Rust program: the standard library's stack-overflow
    handler takes it and resets the handler.)"""
    os.kill(proc_pid, signal.SIGABRT)
    _, status = os.waitpid(proc_pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT
    return status


def test_a_control_process_does_dump_core(tmp_path):
    """The machine would write a core file for a program that does not
    switch them off: the checks below are not vacuous."""
    proc = subprocess.Popen(["sleep", "30"], cwd=tmp_path, preexec_fn=allow_core_dumps)
    time.sleep(0.3)
    assert core_limit(proc.pid) == "unlimited unlimited"
    status = crash(proc.pid)
    proc.returncode = 0  # reaped above
    assert os.WCOREDUMP(status)


def test_the_cli_writes_no_core_file_when_it_crashes(tmp_path):
    # A terminal, so that `hotline` waits at its passphrase prompt.
    pid, fd = pty.fork()
    if pid == 0:  # the child: never return into the test runner
        try:
            os.chdir(tmp_path)
            allow_core_dumps()
            os.execve(str(CLI_BIN), [str(CLI_BIN), "--data-dir", str(tmp_path / "data"),
                                     "verify", "--user", HANDLE],
                      {"PATH": os.environ.get("PATH", "/usr/bin")})
        finally:
            os._exit(127)
    try:
        seen = b""
        deadline = time.monotonic() + 20
        while b"Passphrase" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                seen += os.read(fd, 1024)
        assert b"Passphrase" in seen, seen
        assert core_limit(pid) == "0 0"
        status = crash(pid)
        assert not os.WCOREDUMP(status)
        assert not [p for p in tmp_path.iterdir() if p.name.startswith("core")]
    finally:
        os.close(fd)


def run_app_directly(tmp_path: Path) -> tuple[subprocess.Popen, Path, Path, Path]:
    """The app as a person runs it: no WebDriver, a fresh home folder, core
    dumps allowed by the caller. Returns (process, home, data, temp)."""
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    data = home / "data"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HOTLINE_", "XDG_", "TAURI_"))}
    env.update(HOME=str(home), HOTLINE_DATA_DIR=str(data), TMPDIR=str(temp))
    proc = subprocess.Popen([str(APP_BIN)], cwd=tmp_path, env=env,
                            preexec_fn=allow_core_dumps,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(6)  # the window opens and its page loads
    assert proc.poll() is None, "the app is running"
    return proc, home, data, temp


def test_the_app_keeps_no_webview_storage(tmp_path):
    """Incognito: nothing under the home folder's data and cache folders or
    the data folder; WebKit's empty skeleton for its unused default context
    goes to a throwaway folder that is gone once the app ends."""
    proc, home, data, temp = run_app_directly(tmp_path)
    try:
        assert [p.name for p in temp.iterdir()] == [f"hotline-desk-webview-{proc.pid}"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list(temp.iterdir()) == [], "the throwaway folder is removed"
    assert not (data / "webview").exists()
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*")
                     if "webkit" in str(p).lower() or "hotline" in str(p).lower()
                     or "org.hotlinedesk.app" in str(p))
    assert written == [], written


def test_the_app_writes_no_core_file_when_it_crashes(tmp_path):
    proc, _home, _data, _temp = run_app_directly(tmp_path)
    try:
        assert core_limit(proc.pid) == "0 0"
        status = crash(proc.pid)
        proc.returncode = 0
        assert not os.WCOREDUMP(status)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("core")]
