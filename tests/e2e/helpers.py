"""Steps shared by end-to-end tests."""

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

HANDLE = "river-7"
PASSPHRASE = "maple kettle harbor 42"


def type_into(app, testid, text):
    field = app.wait_present(testid)
    field.clear()
    field.send_keys(text)


def fill_form(app, fields: dict[str, str]) -> None:
    """Type into each field, then check every field holds exactly its text.

    The first field has `autofocus`; on a busy machine WebKit may apply it
    late, while later fields are being typed, and keys land in the first
    field. So wait for that focus first, and type the whole form again if any
    field ended up wrong."""
    first = next(iter(fields))
    script = "return document.activeElement?.dataset?.testid ?? null"
    try:
        WebDriverWait(app.driver, 5).until(lambda d: d.execute_script(script) == first)
    except TimeoutException:
        pass  # typing below focuses each field anyway; the check catches the rest
    for _ in range(3):
        for testid, text in fields.items():
            type_into(app, testid, text)
        if all(app.find(t).get_attribute("value") == v for t, v in fields.items()):
            return
    raise AssertionError(f"the form would not take the typed text: {list(fields)}")


def flip_a_bit(db) -> None:
    """Flip one bit in the page in the middle of a database file. In a vault
    of a few thousand calls the checks at unlock do not read that page; the
    background check after the unlock finds it."""
    data = bytearray(db.read_bytes())
    pages = len(data) // 4096
    data[(pages // 2) * 4096 + 2000] ^= 0x40
    db.write_bytes(bytes(data))


def create_first_coordinator(app, handle=HANDLE, passphrase=PASSPHRASE):
    app.wait_text("setup-title", "Set up this laptop")
    fill_form(app, {"setup-handle": handle, "setup-passphrase": passphrase,
                    "setup-repeat": passphrase})
    app.find("setup-submit").click()
    app.wait_text("signed-in-as", handle, timeout=30)


def unlock(app, passphrase=PASSPHRASE, handle=HANDLE):
    """Fill the unlock form and submit it (the caller checks the outcome)."""
    app.wait_present("unlock-handle")
    fill_form(app, {"unlock-handle": handle, "unlock-passphrase": passphrase})
    app.find("unlock-submit").click()
