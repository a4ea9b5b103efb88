"""The referral directory: searched beside the script in English and
Spanish, an "unverified" mark, a referral attached and saved on a call, and
the coordinator's card to add, import and export entries."""

import json

from selenium.webdriver.common.by import By

from conftest import axe_violations, run_cli
from helpers import HANDLE, PASSPHRASE, create_first_coordinator, type_into
from test_packs import choose_file

AS_COORDINATOR = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}
PRO_BONO = "4182e82a-396e-4ac5-8690-6bb6e8ee88b4"


def results(app):
    return app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="directory-results"] > li')


def test_search_the_directory_and_save_a_referral_on_a_call(app):
    create_first_coordinator(app)
    # A coordinator's entry without a source or date is shown as unverified.
    added = run_cli(app.data_dir, "referral", "add", "--name", "Example Clinic",
                    "--about-es", "Consultas gratuitas de inmigración", "--kind", "legal-aid",
                    env=AS_COORDINATOR)
    assert added.returncode == 0, added.stderr
    clinic = added.stdout.strip()

    app.find("call-new").click()
    app.wait_present("call-notes")
    type_into(app, "directory-search", "pro bono")
    app.wait_text("directory-results", "EOIR List of Pro Bono Legal Service Providers")
    assert len(results(app)) == 1
    entry = app.find(f"referral-{PRO_BONO}")
    assert "justice.gov/eoir/list-pro-bono-legal-service-providers" in entry.text
    assert "not known" in entry.text, "no phone number is made up"
    assert not entry.find_elements(By.CSS_SELECTOR, '[data-testid="referral-unverified"]')
    entry.find_element(By.CSS_SELECTOR, '[data-testid="referral-attach"]').click()
    app.wait_text(f"referral-{PRO_BONO}", "Attached to this call")
    app.wait_text("call-referrals", "EOIR List of Pro Bono Legal Service Providers")

    # Spanish words find Spanish descriptions, accents or not.
    type_into(app, "directory-search", "inmigracion gratuitas")
    app.wait_text(f"referral-{clinic}", "Unverified")
    assert axe_violations(app) == []

    app.find("call-save").click()
    app.wait_text("call-message", "Call saved")
    listed = run_cli(app.data_dir, "call", "list", "--json", env=AS_COORDINATOR)
    calls = json.loads(listed.stdout)
    assert len(calls) == 1, listed.stderr
    shown = run_cli(app.data_dir, "call", "show", calls[0]["id"], env=AS_COORDINATOR)
    assert json.loads(shown.stdout)["referrals"] == [PRO_BONO], shown.stderr
    app.wait_present("call-item").click()
    app.wait_text("detail-referrals", "EOIR List of Pro Bono Legal Service Providers")


def test_the_directory_speaks_spanish(app):
    create_first_coordinator(app)
    app.wait_present("lang-es").click()
    app.wait_text("directory", "Directorio de referencias")
    type_into(app, "directory-search", "detenido")
    text = app.wait_text("directory-results", "ICE Online Detainee Locator System")
    assert "Busque" in text or "Se busca" in text, text
    assert "Empiece una llamada" in app.find("directory").text


def test_coordinator_adds_exports_and_imports_entries(app, tmp_path):
    create_first_coordinator(app)
    app.wait_present("nav-admin").click()
    app.wait_present("referrals-card")
    app.find("referral-add").click()
    type_into(app, "referral-name", "Dane County crisis line (to confirm)")
    type_into(app, "referral-kinds", "crisis")
    type_into(app, "referral-web", "crisis.example")
    app.find("referral-save").click()
    app.wait_text("referrals-error", "check “Web address”")

    type_into(app, "referral-web", "https://crisis.example.org/")
    app.find("referral-save").click()
    app.wait_text("referrals-message", "Saved Dane County crisis line (to confirm).")
    assert "Unverified" in app.find("referrals-table").text
    assert axe_violations(app) == []

    app.find("referrals-export").click()
    message = app.wait_text("referrals-message", "referrals-")
    path = message.split(" written to ", 1)[1].rstrip(".")
    exported = json.loads(open(path, encoding="utf-8").read())
    names = [e["name"] for e in exported["entries"]]
    assert "Dane County crisis line (to confirm)" in names and len(names) == 4

    # Another coordinator's file merges by id: one entry changed, one new.
    other = exported
    for e in other["entries"]:
        if e["name"].startswith("Dane County"):
            e["source"] = "The county's page, read by the coordinator"
            e["verified_on"] = "2026-11-30"
    other["entries"].append({
        "id": "7f1c2b3a-4d5e-4f60-8a9b-0c1d2e3f4a5b", "name": "Second clinic",
        "kinds": ["legal-aid"],
    })
    shared = tmp_path / "shared-directory.json"
    shared.write_text(json.dumps(other), encoding="utf-8")
    choose_file(app, "referrals-import-file", shared)
    app.wait_text("referrals-message", "Imported: 1 added, 1 updated, 3 unchanged.")
    app.wait_text("referrals-table", "Second clinic")
    assert app.find("referrals-table").text.count("Unverified") == 1
