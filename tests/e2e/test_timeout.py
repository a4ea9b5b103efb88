"""A hung test fails on the suite's per-test timeout (tests/pytest.ini) with a
traceback, and the `app` fixture still stops the app and its driver."""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import REPO

HANG = textwrap.dedent("""
    import json
    import subprocess
    import time
    from pathlib import Path

    import pytest

    from conftest import APP_BIN, app, data_dir  # noqa: F401 - the suite's own fixtures


    @pytest.mark.timeout({seconds})
    def test_hangs(app):
        group = app.driver_proc.pid
        found = subprocess.run(["pgrep", "-g", str(group), "-f", str(APP_BIN)],
                               capture_output=True, text=True)
        Path({pids_file!r}).write_text(json.dumps(
            {{"group": group, "app": [int(p) for p in found.stdout.split()]}}))
        app.wait_present("setup-title")
        time.sleep(3600)  # as a WebDriver call that never returns
""")


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie only waits to be reaped: it runs no more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_hung_test_times_out_and_the_app_is_stopped(tmp_path):
    seconds = 20
    pids_file = tmp_path / "pids.json"
    test_file = tmp_path / "test_hang.py"
    test_file.write_text(HANG.format(seconds=seconds, pids_file=str(pids_file)))
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", str(REPO / "tests" / "pytest.ini"),
         "--rootdir", str(tmp_path), str(test_file)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    took = time.monotonic() - started
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "timeout method: signal" in out, out
    assert f"Timeout (>{seconds}.0s)" in out, out
    assert "time.sleep(3600)" in out, "the traceback shows where it hung"
    assert took < seconds + 120, took

    pids = json.loads(pids_file.read_text())
    assert pids["app"], "the app was running in the driver's process group"
    group = subprocess.run(["pgrep", "-g", str(pids["group"])], capture_output=True, text=True)
    running = [pid for pid in [*pids["app"], *map(int, group.stdout.split())] if alive(pid)]
    assert running == [], f"still running after the timeout: {running}"
