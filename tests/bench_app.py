"""App start-up and idle-memory benchmark (`make bench`; not a test).

Launches the real app binary N times through tauri-driver (as the E2E
suite does, under Xvfb) with a fresh data directory each time and measures:

- cold start: from the WebDriver "new session" request (which makes
  tauri-driver spawn the app) until the setup screen is in the DOM. The
  WebDriver plumbing (tauri-driver and WebKitWebDriver start-up, session
  handshake, DOM polling) is included; the app process's own start time
  is also reported from /proc (its start tick), so the share that happens
  before the app exists can be told apart;
- unlock to intake: a vault is made first with the CLI
  (`hotline --data-dir D init --user bench`, passphrase from
  HOTLINE_PASSPHRASE); the script unlocks in the window and times from the
  click to `[data-testid="intake"]` being present (includes Argon2id);
- idle memory: after 10 s idle on the desk, the sum of RSS of the app
  process and all its descendants (WebKit web and network processes),
  read from /proc/PID/status.

Writes target/bench/app.json. Nothing here fails on a timing.

Usage: HOTLINE_APP_BIN=... HOTLINE_CLI_BIN=... xvfb-run -a python tests/bench_app.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from conftest import APP_BIN, REPO, run_cli, start_app, stop_process_group  # noqa: E402

HANDLE = "bench"
PASSPHRASE = "bench lantern orchard 7319"
IDLE_SECONDS = 10
CLK_TCK = os.sysconf("SC_CLK_TCK")


def wait_css(driver, selector: str, timeout: float = 60, poll: float = 0.005) -> float:
    """Poll the DOM until `selector` matches; return time.monotonic() when seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if driver.find_elements(By.CSS_SELECTOR, selector):
                return time.monotonic()
        except WebDriverException:
            pass
        time.sleep(poll)
    raise TimeoutError(f"{selector} never appeared")


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += children(p)
    return pids


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pid: int) -> int:
    """Proportional set size: shared pages split between their users, so a
    sum over processes does not count the shared WebKit libraries twice."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def app_pid(driver_proc: subprocess.Popen) -> int:
    """The app process under tauri-driver's process group."""
    out = subprocess.run(["pgrep", "-g", str(driver_proc.pid), "-f", str(APP_BIN)],
                         capture_output=True, text=True)
    pids = [int(p) for p in out.stdout.split()]
    if not pids:
        raise RuntimeError("app process not found")
    return min(pids)


def uptime_s() -> float:
    return float(Path("/proc/uptime").read_text().split()[0])


def process_age_s(pid: int) -> float:
    """Seconds since `pid` started (from /proc, 1/CLK_TCK resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    start_ticks = int(fields[19])  # field 22 of stat: starttime
    return uptime_s() - start_ticks / CLK_TCK


def cold_start(tmp: Path, i: int) -> dict:
    data = tmp / f"cold-{i}"
    data.mkdir()
    t0 = time.monotonic()
    driver, proc = start_app(data)  # includes tauri-driver start and the session
    try:
        t_session = time.monotonic()
        t_screen = wait_css(driver, '[data-testid="setup-title"]')
        age = process_age_s(app_pid(proc))
        return {
            "driver_and_session_s": t_session - t0,
            "request_to_setup_screen_s": t_screen - t0,
            "app_process_start_to_setup_screen_s": age - (time.monotonic() - t_screen),
        }
    finally:
        try:
            driver.quit()
        except Exception:  # noqa: BLE001
            pass
        stop_process_group(proc)


def unlock_and_idle(tmp: Path, i: int, idle: bool) -> dict:
    data = tmp / f"unlock-{i}"
    result = run_cli(data, "init", "--user", HANDLE, env={"HOTLINE_PASSPHRASE": PASSPHRASE})
    if result.returncode != 0:
        raise RuntimeError(f"hotline init failed: {result.stderr}")
    t_start = time.monotonic()
    driver, proc = start_app(data)
    try:
        t_session = time.monotonic()
        t_screen = wait_css(driver, '[data-testid="unlock-title"]')
        age = process_age_s(app_pid(proc)) - (time.monotonic() - t_screen)
        driver.find_element(By.CSS_SELECTOR, '[data-testid="unlock-handle"]').send_keys(HANDLE)
        driver.find_element(By.CSS_SELECTOR, '[data-testid="unlock-passphrase"]').send_keys(
            PASSPHRASE)
        button = driver.find_element(By.CSS_SELECTOR, '[data-testid="unlock-submit"]')
        t0 = time.monotonic()
        button.click()
        t1 = wait_css(driver, '[data-testid="intake"]')
        out = {
            "driver_and_session_s": t_session - t_start,
            "request_to_unlock_screen_s": t_screen - t_start,
            "app_process_start_to_unlock_screen_s": age,
            "unlock_click_to_intake_s": t1 - t0,
        }
        if idle:
            time.sleep(IDLE_SECONDS)
            pid = app_pid(proc)
            pids = tree(pid)
            per = {p: rss_kib(p) for p in pids}
            pss = {p: pss_kib(p) for p in pids}
            names = {}
            for p in pids:
                try:
                    names[p] = Path(f"/proc/{p}/comm").read_text().strip()
                except OSError:
                    names[p] = "?"
            out["idle_rss_tree_mib"] = sum(per.values()) / 1024
            out["idle_pss_tree_mib"] = sum(pss.values()) / 1024
            out["idle_rss_processes"] = [
                {"pid": p, "name": names[p], "rss_mib": round(per[p] / 1024, 1),
                 "pss_mib": round(pss[p] / 1024, 1)} for p in pids
            ]
        return out
    finally:
        try:
            driver.quit()
        except Exception:  # noqa: BLE001
            pass
        stop_process_group(proc)


def summary(values: list[float]) -> dict:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": values,
    }


def size(path: Path) -> int | None:
    return path.stat().st_size if path.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "target" / "bench" / "app.json")
    parser.add_argument("--deb", type=Path, default=None, help=".deb to report the size of")
    args = parser.parse_args()

    cold, unlock, idle = [], [], []
    with tempfile.TemporaryDirectory(prefix="hotline-bench-app-") as tmp_name:
        tmp = Path(tmp_name)
        for i in range(args.runs):
            cold.append(cold_start(tmp, i))
            print(f"cold start {i + 1}/{args.runs}: {cold[-1]}", file=sys.stderr)
        for i in range(args.runs):
            unlock.append(unlock_and_idle(tmp, i, idle=(i == args.runs - 1)))
            print(f"unlock {i + 1}/{args.runs}: "
                  f"{unlock[-1]['unlock_click_to_intake_s']:.3f} s", file=sys.stderr)
        idle = [u for u in unlock if "idle_rss_tree_mib" in u]

    report = {
        "app_bin": str(APP_BIN),
        "app_bin_bytes": size(APP_BIN),
        "deb": str(args.deb) if args.deb else None,
        "deb_bytes": size(args.deb) if args.deb else None,
        "runs": args.runs,
        "cold_start": {
            key: summary([c[key] for c in cold])
            for key in ("driver_and_session_s", "request_to_setup_screen_s",
                        "app_process_start_to_setup_screen_s")
        },
        "cold_start_existing_vault": {
            key: summary([u[key] for u in unlock])
            for key in ("driver_and_session_s", "request_to_unlock_screen_s",
                        "app_process_start_to_unlock_screen_s")
        },
        "unlock_click_to_intake_s": summary([u["unlock_click_to_intake_s"] for u in unlock]),
        "idle_after_s": IDLE_SECONDS,
        "idle_rss_tree_mib": idle[0]["idle_rss_tree_mib"] if idle else None,
        "idle_pss_tree_mib": idle[0]["idle_pss_tree_mib"] if idle else None,
        "idle_rss_processes": idle[0]["idle_rss_processes"] if idle else None,
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    cs = report["cold_start"]
    print(f"cold start to setup screen: median {cs['request_to_setup_screen_s']['median']:.3f} s "
          f"(WebDriver + session {cs['driver_and_session_s']['median']:.3f} s; "
          f"from app process start {cs['app_process_start_to_setup_screen_s']['median']:.3f} s)")
    cu = report["cold_start_existing_vault"]
    print(f"cold start to unlock screen: median {cu['request_to_unlock_screen_s']['median']:.3f} s "
          f"(WebDriver + session {cu['driver_and_session_s']['median']:.3f} s; "
          f"from app process start {cu['app_process_start_to_unlock_screen_s']['median']:.3f} s)")
    print(f"unlock click to intake: median {report['unlock_click_to_intake_s']['median']:.3f} s")
    print(f"idle memory of the app process tree: RSS sum {report['idle_rss_tree_mib']:.1f} MiB, "
          f"PSS sum {report['idle_pss_tree_mib']:.1f} MiB")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
