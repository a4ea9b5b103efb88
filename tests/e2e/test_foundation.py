"""The window opens, speaks two languages and shows data from the core."""

from selenium.webdriver.common.by import By

from conftest import cli_json, run_cli


def test_window_opens_on_the_welcome_screen_in_english(app):
    assert app.wait_text("welcome-title", "Welcome")
    assert app.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert app.driver.title == "Hotline Desk"


def test_switching_to_spanish_changes_the_visible_text(app):
    app.wait_text("welcome-title", "Welcome")
    app.find("lang-es").click()
    app.wait_text("welcome-title", "Bienvenida")
    assert "Acerca de esta computadora" in app.driver.find_element(By.TAG_NAME, "body").text
    assert app.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert app.find("lang-es").get_attribute("aria-pressed") == "true"
    app.find("lang-en").click()
    app.wait_text("welcome-title", "Welcome")


def test_core_round_trip_matches_the_cli(app):
    # Same core, two faces: the window and the CLI must agree on these facts.
    about = cli_json(run_cli(app.data_dir, "about", "--json"))
    assert app.wait_text("data-dir", str(app.data_dir)) == str(app.data_dir)
    assert app.wait_text("app-version", about["version"]) == about["version"]
    assert about["sqlcipher_version"] in app.find("sqlcipher-version").text
    assert app.find("vault-state").text == "No vault on this laptop yet"


def test_hardening_no_global_tauri_and_inline_script_blocked(app):
    app.wait_text("welcome-title", "Welcome")
    assert app.driver.execute_script("return typeof window.__TAURI__") == "undefined"
    # An inline script injected into the page must be refused by the CSP.
    app.driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.__injected = true';"
        "document.body.appendChild(s);"
    )
    assert app.driver.execute_script("return window.__injected === true") is False
    # freezePrototype: Object.prototype cannot be extended.
    assert app.driver.execute_script("return Object.isFrozen(Object.prototype)") is True


def test_a_data_folder_that_is_a_file_stops_the_app_with_a_message(tmp_path):
    """HOTLINE_DATA_DIR naming a file: a clear message and exit status 2,
    never a panic with a backtrace; the file is left as it was."""
    import os
    import subprocess

    from conftest import APP_BIN

    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_DATA_DIR"] = str(not_a_folder)
    env.setdefault("DISPLAY", ":0")
    out = subprocess.run([str(APP_BIN)], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stderr
    assert f"{not_a_folder} is a file, not a folder" in out.stderr
    assert "panicked" not in out.stderr
    assert not_a_folder.read_text() == "mine"
