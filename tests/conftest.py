"""Shared fixtures for the end-to-end suite.

`app` starts a fresh tauri-driver (in its own process group, on its own
ports) with a fresh temporary HOTLINE_DATA_DIR, opens the real app binary over
W3C WebDriver, and on teardown saves a screenshot to target/e2e-screenshots/
and kills the whole driver process group (WebKitWebDriver and the app would
otherwise be orphaned and keep pipes open).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO / "target" / "e2e-screenshots"
APP_BIN = Path(os.environ.get("HOTLINE_APP_BIN", REPO / "target" / "debug" / "hotline-desk"))
CLI_BIN = Path(os.environ.get("HOTLINE_CLI_BIN", REPO / "target" / "debug" / "hotline"))
DEFAULT_TIMEOUT = 15
# The longest one WebDriver command may take before it fails. Without a limit
# Selenium waits forever on a driver whose app has gone.
WEBDRIVER_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tauri-driver exited early with status {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"tauri-driver did not listen on {port}")


def run_cli(data_dir: Path, *args: str, env: dict[str, str] | None = None,
            input_text: str | None = None,
            cli_bin: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `hotline` binary (default: HOTLINE_CLI_BIN) against `data_dir`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    full_env.update(env or {})
    return subprocess.run(
        [str(cli_bin or CLI_BIN), "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=full_env, input=input_text, timeout=120,
    )


@dataclass
class App:
    """A running app under WebDriver, with its private data directory."""

    driver: webdriver.Remote
    data_dir: Path
    driver_proc: subprocess.Popen | None = None

    def find(self, testid: str):
        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def wait_text(self, testid: str, expected: str, timeout: float = DEFAULT_TIMEOUT) -> str:
        """Wait until the element's text contains `expected`; return the text."""
        seen = {"text": None}

        def check(_driver):
            try:
                seen["text"] = self.find(testid).text
                return expected in seen["text"]
            except (StaleElementReferenceException, WebDriverException):
                return False

        try:
            WebDriverWait(self.driver, timeout).until(check)
        except Exception as err:  # re-raise with what was on screen
            raise AssertionError(
                f"[data-testid={testid}] never contained {expected!r}; last text {seen['text']!r}"
            ) from err
        return seen["text"]

    def wait_present(self, testid: str, timeout: float = DEFAULT_TIMEOUT):
        def check(_driver):
            try:
                return self.find(testid)
            except WebDriverException:
                return False

        return WebDriverWait(self.driver, timeout).until(check)


def start_app(data_dir: Path, attempts: int = 2, app_bin: Path | None = None,
              extra_env: dict[str, str] | None = None):
    """Start the app under WebDriver and wait for its UI; return (driver, proc).

    `app_bin` is the binary to open (default: HOTLINE_APP_BIN, the built app);
    `extra_env` adds variables to the app's environment (such as the debug
    builds' file-chooser seam, HOTLINE_TEST_SAVE_PATH / HOTLINE_TEST_OPEN_PATH).

    On a loaded machine WebKit occasionally never paints its first page; such a
    start is thrown away and made again once, so a test fails only on what it
    checks, not on a start-up that never happened.
    """
    for attempt in range(attempts):
        driver, proc = start_driver_session(data_dir, app_bin or APP_BIN, extra_env)
        try:
            WebDriverWait(driver, 20).until(
                lambda d: d.execute_script("return document.querySelector('main') !== null")
            )
            return driver, proc
        except Exception:  # noqa: BLE001 - retried, then re-raised below
            try:
                driver.quit()
            except Exception:  # noqa: BLE001
                pass
            stop_process_group(proc)
            if attempt == attempts - 1:
                raise
    raise RuntimeError("unreachable")


def start_driver_session(data_dir: Path, app_bin: Path = APP_BIN,
                         extra_env: dict[str, str] | None = None):
    """Start tauri-driver and a WebDriver session on `app_bin`; return (driver, proc)."""
    if not app_bin.exists():
        raise FileNotFoundError(f"app binary missing: {app_bin} (run make app)")
    port, native_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_DATA_DIR"] = str(data_dir)
    env.update(extra_env or {})
    proc = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native_port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # tauri-driver listens before its WebKitWebDriver child does; wait for both.
        wait_for_port(port, proc)
        wait_for_port(native_port, proc)
        options = ArgOptions()
        options.set_capability("browserName", "wry")
        options.set_capability("tauri:options", {"application": str(app_bin)})
        config = ClientConfig(remote_server_addr=f"http://127.0.0.1:{port}", timeout=WEBDRIVER_TIMEOUT)
        driver = webdriver.Remote(command_executor=config.remote_server_addr, options=options,
                                  client_config=config)
    except Exception:
        stop_process_group(proc)
        raise
    return driver, proc


def stop_process_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "hotline-data"
    path.mkdir()
    return path


@pytest.fixture
def app(request, data_dir: Path):
    with running_app(request, data_dir) as app:
        yield app


@contextlib.contextmanager
def running_app(request, data_dir: Path, extra_env: dict[str, str] | None = None):
    """The app on `data_dir` (see `start_app`), stopped and photographed at the end."""
    driver, proc = start_app(data_dir, extra_env=extra_env)
    try:
        yield App(driver=driver, data_dir=data_dir, driver_proc=proc)
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The app may already be gone (a test can kill it on purpose).
        if proc.poll() is None:
            try:
                driver.save_screenshot(str(SCREENSHOTS / f"{request.node.name}.png"))
                driver.quit()
            except Exception:  # noqa: BLE001 - teardown must never hide the test's result
                pass
        stop_process_group(proc)


def cli_json(result: subprocess.CompletedProcess[str]):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def kill_app_hard(app: App) -> None:
    """SIGKILL the app process (not the driver): a crash, as far as the app knows."""
    assert app.driver_proc is not None
    out = subprocess.run(["pgrep", "-g", str(app.driver_proc.pid), "-f", str(APP_BIN)],
                         capture_output=True, text=True)
    pids = [int(p) for p in out.stdout.split()]
    assert pids, "app process not found"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


AXE = REPO / "ui" / "node_modules" / "axe-core" / "axe.min.js"


# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices. Named
# rather than left to axe's defaults, which leave out WCAG 2.2's target size.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(app: App) -> list[dict]:
    """Run axe-core (from the UI's npm dependencies) on the page; return violations."""
    app.driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = app.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: String(e), nodes: []}]));",
        AXE_TAGS,
    )
    return result
