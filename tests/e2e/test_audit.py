"""The audit view: a coordinator reads the audit log and its check in the window."""

import json

from conftest import run_cli
from helpers import HANDLE, PASSPHRASE, create_first_coordinator

AS_COORDINATOR = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}


def test_a_coordinator_sees_the_log_and_that_it_checks_out(app):
    create_first_coordinator(app)
    app.wait_present("nav-admin").click()
    app.wait_present("audit-card")
    status = app.wait_text("audit-status", "checks out")
    assert "none edited, deleted or added" in status, status
    app.wait_text("audit-table", "vault.create")
    actions = [cell.text for cell in app.driver.find_elements(
        "css selector", "[data-testid=audit-action]")]
    assert actions[-1] == "vault.create", actions
    assert not app.driver.find_elements("css selector", "[data-testid=audit-unchecked]")

    # The command line reads the same log, and finds it sound too.
    listed = run_cli(app.data_dir, "audit", "list", "--json", env=AS_COORDINATOR)
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert [e["action"] for e in entries][-1] == "vault.create"
    verified = run_cli(app.data_dir, "audit", "verify", env=AS_COORDINATOR)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit log OK" in verified.stdout
