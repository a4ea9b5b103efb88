"""A coordinator's HTML report renders with its charts in a real browser engine
(headless Chromium, from Debian's packages), with no network at all."""

import os
import shutil
import subprocess

import pytest

from conftest import run_cli

HANDLE = "river-7"
PASSPHRASE = "maple kettle harbor 42"
ENV = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}


def chromium():
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is missing: scripts/ensure-deps.sh test installs it")
    return path


def test_html_report_renders_with_charts(data_dir, tmp_path):
    assert run_cli(data_dir, "init", "--user", HANDLE, env=ENV).returncode == 0
    demo = run_cli(data_dir, "demo-data", "--calls", "600", "--seed", "11", env=ENV)
    assert demo.returncode == 0, demo.stderr
    report = tmp_path / "report.html"
    out = run_cli(data_dir, "export", "summary", "--out", str(report), "--format", "html",
                  "--include-synthetic", env=ENV)
    assert out.returncode == 0, out.stderr
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html, "charts are inline SVG"
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "<script" not in html.lower()

    shot = tmp_path / "report.png"
    profile = tmp_path / "chromium-profile"
    subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--window-size=1200,1600",
         f"--screenshot={shot}", report.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 20_000
    screenshots = os.path.join(os.path.dirname(__file__), "..", "..", "target", "e2e-screenshots")
    os.makedirs(screenshots, exist_ok=True)
    shutil.copy(shot, os.path.join(screenshots, "html_report.png"))
