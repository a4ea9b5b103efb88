"""Steps shared by end-to-end tests."""

HANDLE = "river-7"
PASSPHRASE = "maple kettle harbor 42"


def type_into(app, testid, text):
    field = app.wait_present(testid)
    field.clear()
    field.send_keys(text)


def create_first_coordinator(app, handle=HANDLE, passphrase=PASSPHRASE):
    app.wait_text("setup-title", "Set up this laptop")
    type_into(app, "setup-handle", handle)
    type_into(app, "setup-passphrase", passphrase)
    type_into(app, "setup-repeat", passphrase)
    app.find("setup-submit").click()
    app.wait_text("signed-in-as", handle, timeout=30)


def unlock(app, passphrase=PASSPHRASE, handle=HANDLE):
    type_into(app, "unlock-handle", handle)
    type_into(app, "unlock-passphrase", passphrase)
    app.find("unlock-submit").click()
