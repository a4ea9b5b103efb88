"""Reports: dashboard with its chart, and an anonymized summary previewed then written."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import run_cli
from helpers import HANDLE, PASSPHRASE, create_first_coordinator


def test_dashboard_and_summary_preview_then_write(app):
    create_first_coordinator(app)
    env = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}
    demo = run_cli(app.data_dir, "demo-data", "--calls", "400", "--seed", "5", env=env)
    assert demo.returncode == 0, demo.stderr

    app.find("nav-reports").click()
    total = app.wait_present("reports-total")
    app.wait_text("reports-total", "")
    assert int(total.text) > 0
    assert app.find("week-chart").size["height"] > 100
    # The core's chart model, drawn as SVG elements: one bar a week, none
    # hidden in the exact dashboard.
    bars = app.find("week-chart").find_elements(By.CSS_SELECTOR, "rect[data-testid=chart-bar]")
    assert len(bars) >= 12
    assert not app.driver.find_elements(By.CSS_SELECTOR, "[data-testid=chart-bar-hidden]")
    assert any(b.size["height"] > 10 for b in bars)
    exact_weeks = app.driver.execute_script("return document.querySelectorAll('[data-testid=reports-outcomes] td').length")
    app.find("reports-shareable").click()
    app.wait_text("reports-total", "")
    # In the shareable version every count is hidden, 0, or at least k (5).
    for testid in ("reports-categories", "reports-agencies", "reports-outcomes"):
        cells = app.find(testid).find_elements(By.CSS_SELECTOR, "tbody td:nth-child(2)")
        for cell in cells:
            assert cell.text == "hidden" or int(cell.text) == 0 or int(cell.text) >= 5, cell.text
    assert exact_weeks > 0

    # Demo calls stay out of an export unless asked for.
    assert not app.find("export-include-demo").is_selected()
    app.find("export-include-demo").click()
    app.find("export-preview").click()
    # A readable preview: the chart and one table per dimension, not the CSV.
    view = app.wait_present("export-preview-view")
    assert not app.driver.find_elements(By.CSS_SELECTOR, "[data-testid=export-preview-text]")
    assert "table,week" not in view.text
    assert HANDLE not in view.text
    assert view.find_elements(By.CSS_SELECTOR, "[data-testid=week-chart]")
    for dimension in ("category", "area", "agency", "verification", "language", "caller_relation"):
        cells = app.find(f"export-preview-{dimension}").find_elements(By.CSS_SELECTOR, "tbody td:nth-child(2)")
        assert cells, dimension
        for cell in cells:
            assert cell.text == "hidden" or int(cell.text) == 0 or int(cell.text) >= 5, cell.text
    categories = app.find("export-preview-category").text
    assert "ICE seen in public" in categories, categories
    assert app.find("export-file-name").text.startswith("hotline-summary-")
    app.find("export-write").click()
    written = app.wait_text("export-written", "hotline-summary-")
    files = list((app.data_dir / "exports").glob("hotline-summary-*.csv"))
    assert len(files) == 1 and files[0].name in written
    assert HANDLE.encode() not in files[0].read_bytes()
    assert not app.driver.find_elements(By.CSS_SELECTOR, "canvas")


def retype(field, text):
    """Replace a field's text as a person does (select all, type), so the
    page sees input events."""
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.BACKSPACE)
    if text:
        field.send_keys(text)


def test_k_is_checked_next_to_its_field_in_both_languages(app):
    create_first_coordinator(app)
    app.find("nav-reports").click()
    k = app.wait_present("export-k")
    cases = [
        ("", "Enter k, a whole number from 3 to 100."),
        ("2", "k must be from 3 to 100"),
        ("0", "k must be from 3 to 100"),
        ("1000000000", "k must be from 3 to 100"),
    ]
    for typed, expected in cases:
        retype(k, typed)
        app.find("export-preview").click()
        assert expected in app.wait_text("export-k-error", expected)
        assert k.get_attribute("aria-invalid") == "true"
        assert "Something went wrong" not in app.driver.find_element(By.TAG_NAME, "body").text
        assert not app.driver.find_elements(By.CSS_SELECTOR, "[data-testid=export-preview-view]")
    # Letters: a number field holds no number.
    retype(k, "abc")
    app.find("export-preview").click()
    app.wait_text("export-k-error", "k")
    app.find("lang-es").click()
    retype(k, "2")
    app.find("export-preview").click()
    assert "k debe estar entre 3 y 100" in app.wait_text("export-k-error", "k debe estar entre 3 y 100")
    retype(k, "5")
    app.find("export-preview").click()
    app.wait_present("export-preview-view")
    assert not app.find("export-k-error").is_displayed()
