"""The built `.deb`, installed into this machine with apt, used, and removed.

This is the product as a coordinator gets it: `apt-get install ./…deb`, then
the installed `hotline` command and the installed app, then `apt-get remove`.
Installing needs root (CI runs as root) or sudo that asks no password; without
either the test fails and says so, it never passes without having run.

The package is removed again whatever happens (a failed check, Ctrl+C, or a
SIGTERM), and the test refuses to start if any file of the package is already
on the machine, so it never replaces or removes someone's own installation.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import tarfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import App, start_app, stop_process_group

DEB = os.environ.get("HOTLINE_DEB", "")
INSTALLED_APP = Path("/usr/bin/hotline-desk")
INSTALLED_CLI = Path("/usr/bin/hotline")
HANDLE = "river-7"
PASSPHRASE = "maple kettle harbor 42"
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}
# Another engineer's apt run may hold the dpkg lock for a while.
APT_OPTIONS = ["-y", "-q", "-o", "DPkg::Lock::Timeout=300"]


@dataclass
class Deb:
    """What the package file holds, read before anything is installed."""

    path: Path
    name: str
    version: str
    depends: str
    description: str
    files: dict[str, int]  # absolute path -> mode, regular files and links
    dirs: set[str]


def read_deb(path: Path) -> Deb:
    """Read the control fields and the file list of the `.deb` at `path`."""
    def field(name: str) -> str:
        return subprocess.run(["dpkg-deb", "--field", str(path), name], check=True,
                              capture_output=True, text=True).stdout.strip()

    tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(path)], check=True,
                         capture_output=True).stdout
    files: dict[str, int] = {}
    dirs: set[str] = set()
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        for member in archive.getmembers():
            name = "/" + member.name.removeprefix("./").rstrip("/")
            if member.isdir():
                dirs.add(name)
            else:
                files[name] = member.mode
    return Deb(path=path, name=field("Package"), version=field("Version"),
               depends=field("Depends"), description=field("Description"),
               files=files, dirs=dirs)


def privilege() -> list[str]:
    """The prefix that runs apt as root: none as root, `sudo -n` if it asks no password."""
    if os.geteuid() == 0:
        return []
    if os.environ.get("CI") == "true":
        pytest.fail("CI runs as root, but this run is not root: the package test "
                    "installs the .deb into the machine and needs root")
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"],
                                               capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    pytest.fail("the package test installs the .deb into this machine with apt-get and "
                "needs root or sudo that asks no password; run make test as root (as CI "
                "does) or from an account with such sudo")


def package_status(name: str) -> str:
    """dpkg's status of package `name`, or "" when dpkg does not know it."""
    out = subprocess.run(["dpkg-query", "--show", "--showformat=${Status}", name],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else ""


def apt(prefix: list[str], *args: str) -> None:
    """Run apt-get with `args` as root; fail with its output if it fails."""
    env = dict(os.environ, **APT_ENV)
    out = subprocess.run([*prefix, "apt-get", *APT_OPTIONS, *args], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"apt-get {' '.join(args)}:\n{out.stdout}\n{out.stderr}"


class Terminated(Exception):
    """SIGTERM or SIGHUP arrived: raised so that the package is still removed."""


@contextmanager
def installed(deb: Deb, prefix: list[str]):
    """Install `deb` with apt; remove it on the way out unless the body already did."""
    def on_signal(signum, _frame):
        raise Terminated(f"signal {signum}")

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        apt(prefix, "install", str(deb.path.resolve()))
        yield
    finally:
        try:
            if package_status(deb.name):
                apt(prefix, "remove", deb.name)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def usr_paths_named_hotline() -> set[str]:
    """Every path under /usr whose name mentions hotline."""
    found: set[str] = set()
    for root, dirs, files in os.walk("/usr"):
        for name in dirs + files:
            if "hotline" in name.lower():
                found.add(os.path.join(root, name))
    return found


def tree_snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under `folder`: its type, mode, size, modification time and digest."""
    snapshot: dict[str, tuple] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        size = info.st_size if path.is_file() else 0
        snapshot[str(path.relative_to(folder))] = (stat.S_IFMT(info.st_mode), info.st_mode,
                                                   size, info.st_mtime_ns, digest)
    return snapshot


def hotline(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed `hotline` against `data_dir`, as the test's coordinator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(HOTLINE_USER=HANDLE, HOTLINE_PASSPHRASE=PASSPHRASE)
    out = subprocess.run([str(INSTALLED_CLI), "--data-dir", str(data_dir), *args], env=env,
                         input=stdin, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"hotline {' '.join(args)}: {out.stderr}"
    assert PASSPHRASE not in out.stdout + out.stderr
    return out


def check_contents(deb: Deb) -> None:
    """The package holds both programs, the manual pages and the completions."""
    for program in (INSTALLED_APP, INSTALLED_CLI):
        assert str(program) in deb.files, f"{program} not in the package"
        assert deb.files[str(program)] & 0o111, f"{program} is not executable"
    pages = [p for p in deb.files if p.startswith("/usr/share/man/man1/")]
    assert "/usr/share/man/man1/hotline.1.gz" in pages, pages
    assert "/usr/share/doc/hotline-desk/EFF-large-wordlist.md" in deb.files
    assert "/usr/share/man/man1/hotline-call-add.1.gz" in pages, pages
    for completion in ("/usr/share/bash-completion/completions/hotline",
                       "/usr/share/zsh/vendor-completions/_hotline",
                       "/usr/share/fish/vendor_completions.d/hotline.fish"):
        assert completion in deb.files, f"{completion} not in the package"
    # What the app links against; the command needs none of WebKit beyond these.
    for dependency in ("libwebkit2gtk-4.1-0", "libgtk-3-0", "libssl3", "libc6"):
        assert dependency in deb.depends, deb.depends
    assert "hotline command" in deb.description, deb.description


def check_cli(deb: Deb, data_dir: Path) -> None:
    """The installed command: version, a new vault, the example call added and listed."""
    version = subprocess.run([str(INSTALLED_CLI), "--version"], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert version == f"hotline {deb.version}", version

    created = hotline(data_dir, "init", "--user", HANDLE).stdout
    assert "created a vault" in created, created
    example = hotline(data_dir, "call", "example").stdout
    added = hotline(data_dir, "call", "add", "--file", "-", stdin=example).stdout.strip()
    assert len(added) == 36, added
    calls = json.loads(hotline(data_dir, "call", "list", "--json").stdout)
    assert [call["id"] for call in calls] == [added]

    completion = subprocess.run(
        ["bash", "-c", "source /usr/share/bash-completion/completions/hotline && complete -p hotline"],
        capture_output=True, text=True)
    assert "_hotline" in completion.stdout, completion.stderr


def check_app(data_dir: Path) -> None:
    """The installed app opens on the vault the command made: the unlock screen."""
    driver, proc = start_app(data_dir, app_bin=INSTALLED_APP)
    try:
        app = App(driver=driver, data_dir=data_dir, driver_proc=proc)
        app.wait_text("unlock-title", "Unlock the vault")
        assert driver.title == "Hotline Desk"
    finally:
        try:
            driver.quit()
        finally:
            stop_process_group(proc)


def check_removed(deb: Deb, dirs_before: set[str], hotline_before: set[str]) -> None:
    """Nothing of the package is left under /usr, and dpkg has forgotten it."""
    assert package_status(deb.name) == "", package_status(deb.name)
    left = [path for path in deb.files if os.path.lexists(path)]
    assert left == [], left
    new_dirs = [d for d in deb.dirs if d not in dirs_before and os.path.lexists(d)]
    assert new_dirs == [], new_dirs
    assert usr_paths_named_hotline() == hotline_before


def test_the_package_installs_works_and_removes_cleanly(tmp_path):
    assert DEB, "HOTLINE_DEB must name the .deb to test (make package-test sets it)"
    deb = read_deb(Path(DEB))
    check_contents(deb)
    prefix = privilege()
    if package_status(deb.name):
        pytest.fail(f"{deb.name} is already on this machine ({package_status(deb.name)}); "
                    f"remove it first (apt-get remove {deb.name}), the test would remove it")
    present = [path for path in deb.files if os.path.lexists(path)]
    assert present == [], f"files of the package already exist: {present}"
    dirs_before = {d for d in deb.dirs if os.path.isdir(d)}
    hotline_before = usr_paths_named_hotline()

    data_dir = tmp_path / "hotline-data"
    data_dir.mkdir()
    with installed(deb, prefix):
        assert package_status(deb.name) == "install ok installed"
        missing = [path for path in deb.files if not os.path.lexists(path)]
        assert missing == [], f"listed in the package but not installed: {missing}"
        check_cli(deb, data_dir)
        check_app(data_dir)
        data_before_removal = tree_snapshot(data_dir)
        apt(prefix, "remove", deb.name)

    check_removed(deb, dirs_before, hotline_before)
    assert tree_snapshot(data_dir) == data_before_removal, "removing the package changed the data"
    assert (data_dir / "hotline.db").is_file()
