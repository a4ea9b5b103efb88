"""Dates a person sees or types in the window are the laptop's own: a new
follow-up is due today where the laptop is, not on the UTC date, and the
Spanish interface writes times in 24 hours."""

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from conftest import SCREENSHOTS, App, start_app, stop_process_group
from helpers import create_first_coordinator, type_into


def zone_on_another_day() -> str:
    """A time zone whose calendar day differs from UTC's right now (at any
    hour one of these two does)."""
    today_utc = datetime.now(timezone.utc).date()
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        if datetime.now(ZoneInfo(zone)).date() != today_utc:
            return zone
    raise AssertionError("no zone on another day: impossible")


@pytest.fixture
def app_elsewhere(request, data_dir, monkeypatch):
    zone = zone_on_another_day()
    monkeypatch.setenv("TZ", zone)
    driver, proc = start_app(data_dir)
    try:
        yield App(driver=driver, data_dir=data_dir, driver_proc=proc), zone
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            driver.save_screenshot(str(SCREENSHOTS / f"{request.node.name}.png"))
            driver.quit()
        except Exception:  # noqa: BLE001 - teardown must never hide the test's result
            pass
        stop_process_group(proc)


def test_a_new_follow_up_is_due_today_in_the_laptops_zone(app_elsewhere):
    app, zone = app_elsewhere
    local_today = datetime.now(ZoneInfo(zone)).date().isoformat()
    assert local_today != datetime.now(timezone.utc).date().isoformat()
    create_first_coordinator(app)
    app.find("call-new").click()
    type_into(app, "call-notes", "checkpoint reported")
    app.find("followup-add").click()
    assert app.wait_present("followup-due-0").get_attribute("value") == local_today
    type_into(app, "followup-what-0", "call the caller back")
    app.find("call-save").click()
    app.wait_text("call-message", "Call saved")
    badge = app.wait_present("followup-badge")
    assert badge.text == "Due today", f"{zone}: {badge.text}"


def test_spanish_times_use_24_hours(app_elsewhere):
    app, _zone = app_elsewhere
    create_first_coordinator(app)
    app.find("lang-es").click()
    app.find("call-new").click()
    type_into(app, "call-notes", "furgonetas")
    saved = app.wait_text("draft-saved", ":", timeout=20)
    assert not re.search(r"[AP]\.?\s?M", saved, re.IGNORECASE), saved
    assert re.search(r"\b([01]?\d|2[0-3]):[0-5]\d\b", saved), saved
    app.find("call-save").click()
    item = app.wait_present("call-item").text
    assert not re.search(r"\b[AP]\.?\s?M\b", item, re.IGNORECASE), item
