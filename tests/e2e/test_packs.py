"""Script packs: a coordinator imports a pack file, sees its version and review
date, makes it active and the player follows it; a broken pack shows every
problem with its line; an attached article text shows in a citation."""

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.file_detector import UselessFileDetector

from conftest import REPO, App, axe_violations, run_cli, start_app, stop_process_group
from helpers import HANDLE, PASSPHRASE, create_first_coordinator, unlock

FIXTURE = REPO / "core" / "tests" / "fixtures" / "lakeside-pack.toml"
# The seed article lives beside the repository, never inside it.
SEED_ARTICLE = REPO.parent / "shared" / "seed" / "000_d0cc9b5dd79618e7.txt"
AS_COORDINATOR = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}


def paragraphs(text: str) -> list[str]:
    """Blocks of lines separated by blank lines, as the pack format counts them."""
    blocks, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def choose_file(app, testid: str, path: Path) -> None:
    """Set a file input's file: the app and the test share a machine, so the
    path is typed as is (no upload through Selenium's /se/file endpoint,
    which WebKitWebDriver does not have)."""
    with app.driver.file_detector_context(UselessFileDetector):
        app.find(testid).send_keys(str(path))


def open_packs_card(app):
    app.wait_present("nav-admin").click()
    return app.wait_present("packs-card")


def test_import_a_pack_file_make_it_active_and_the_player_lists_its_flows(app):
    create_first_coordinator(app)
    open_packs_card(app)
    app.wait_present("pack-row-madison-dane")
    choose_file(app, "pack-import-file", FIXTURE)
    app.wait_text("packs-message", "Imported lakeside-test, version 2.1.0")
    assert app.find("pack-version-lakeside-test").text == "2.1.0"
    assert app.find("pack-reviewed-lakeside-test").text == "2026-10-01"
    assert "Active" in app.find("pack-row-madison-dane").text
    assert "Active" not in app.find("pack-row-lakeside-test").text
    assert axe_violations(app) == []

    app.find("pack-use-lakeside-test").click()
    app.wait_text("packs-message", "Volunteers now follow the pack lakeside-test, version 2.1.0")
    app.wait_text("pack-row-lakeside-test", "Active")
    assert "Active" not in app.find("pack-row-madison-dane").text

    app.find("nav-desk").click()
    app.wait_present("flow-lakeside-door")
    app.wait_text("pack-label", "Lakeside test pack, version 2.1.0")
    assert "Reviewed on 2026-10-01" in app.find("legal-banner").text
    flows = app.driver.find_elements(By.CSS_SELECTOR, '[data-testid^="flow-"]')
    ids = {f.get_attribute("data-testid") for f in flows} - {"flow-title"}
    assert ids == {"flow-lakeside-door", "flow-lakeside-street"}
    app.find("flow-lakeside-street").click()
    app.wait_text("node-text-en", "ask if you are free to leave")

    # Back to the built-in pack: its flows return.
    open_packs_card(app)
    app.wait_present("pack-use-madison-dane").click()
    app.wait_text("pack-row-madison-dane", "Active")
    app.find("nav-desk").click()
    app.wait_present("flow-who-is-there")


def test_a_broken_pack_is_refused_with_its_problems_and_line_numbers(app, tmp_path: Path):
    text = FIXTURE.read_text(encoding="utf-8").replace(
        'next = "door_end"', 'next = "nowhere"', 1)
    line = text[: text.index('next = "nowhere"')].count("\n") + 1
    broken = tmp_path / "broken-pack.toml"
    broken.write_text(text, encoding="utf-8")

    create_first_coordinator(app)
    open_packs_card(app)
    app.wait_present("pack-row-madison-dane")
    choose_file(app, "pack-import-file", broken)
    app.wait_text("packs-error", "The pack has problems and was not imported")
    issues = app.wait_text("pack-issues", f"Line {line}")
    assert "door_say" in issues and "nowhere" in issues
    assert app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="pack-row-lakeside-test"]') == []
    assert axe_violations(app) == []


def test_an_attached_article_shows_the_cited_paragraphs(data_dir: Path):
    assert run_cli(data_dir, "init", env=AS_COORDINATOR).returncode == 0
    attached = run_cli(data_dir, "pack", "attach-text", "article", str(SEED_ARTICLE),
                       env=AS_COORDINATOR)
    assert attached.returncode == 0, attached.stderr
    expected = paragraphs(SEED_ARTICLE.read_text(encoding="utf-8"))

    driver, proc = start_app(data_dir)
    app = App(driver=driver, data_dir=data_dir, driver_proc=proc)
    try:
        unlock(app)
        app.wait_text("signed-in-as", HANDLE, timeout=30)
        assert "¶ 4–5" in open_first_citation_of_the_mpd_flow(app).text
        app.wait_present("citation-paragraph")
        quotes = app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="citation-paragraph"]')
        assert len(quotes) == 2
        assert quotes[0].text.startswith("¶ 4")
        # Compare words only: the page wraps lines its own way.
        assert " ".join(expected[3].split()) in " ".join(quotes[0].text.split())
        assert " ".join(expected[4].split()) in " ".join(quotes[1].text.split())
        assert app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="citation-not-attached"]') == []
        assert axe_violations(app) == []
    finally:
        try:
            driver.save_screenshot(str(REPO / "target" / "e2e-screenshots" / "attached-article.png"))
            driver.quit()
        finally:
            stop_process_group(proc)


def open_first_citation_of_the_mpd_flow(app):
    app.wait_present("flow-mpd-and-ice").click()
    app.wait_text("node-kind", "Know this")
    app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="citation"]')[0].click()
    return app.wait_present("citation-detail")


def test_without_the_article_text_a_citation_says_how_to_attach_it_then_the_card_attaches_it(
        app, tmp_path: Path):
    create_first_coordinator(app)
    open_first_citation_of_the_mpd_flow(app)
    app.wait_text("citation-not-attached", "Article text not attached")
    assert "¶ 4–5" in app.find("citation-detail").text
    assert app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="citation-paragraph"]') == []

    # A text with a paragraph missing is refused and says so.
    article = SEED_ARTICLE.read_text(encoding="utf-8")
    short = tmp_path / "short.txt"
    short.write_text("\n\n".join(paragraphs(article)[:11]), encoding="utf-8")
    open_packs_card(app)
    app.wait_text("attach-status-madison-dane-article", "not attached")
    choose_file(app, "attach-file-madison-dane-article", short)
    app.wait_text("packs-error", "The text has 11 paragraphs but the pack expects 12")

    choose_file(app, "attach-file-madison-dane-article", SEED_ARTICLE)
    app.wait_text("packs-message", "The article text was attached to madison-dane")
    assert app.find("attach-status-madison-dane-article").text == "attached"
    app.find("nav-desk").click()
    open_first_citation_of_the_mpd_flow(app)
    app.wait_present("citation-paragraph")
    quotes = app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="citation-paragraph"]')
    assert [q.text.split()[1] for q in quotes] == ["4", "5"]


def test_a_latin1_pack_file_is_refused_not_mangled(app, tmp_path: Path):
    """A pack saved as Latin-1: refused as not UTF-8, never imported with é
    turned into a replacement character."""
    text = FIXTURE.read_text(encoding="utf-8")
    assert "é" in text or "ó" in text or "ñ" in text, "the fixture has accented letters"
    latin1 = tmp_path / "latin1-pack.toml"
    latin1.write_bytes(text.encode("latin-1", errors="replace"))

    create_first_coordinator(app)
    open_packs_card(app)
    app.wait_present("pack-row-madison-dane")
    choose_file(app, "pack-import-file", latin1)
    app.wait_text("packs-error", "The file is not UTF-8 text")
    assert app.driver.find_elements(By.CSS_SELECTOR, '[data-testid="pack-row-lakeside-test"]') == []


def test_out_of_range_auto_lock_minutes_say_why(app):
    create_first_coordinator(app)
    app.wait_present("nav-admin").click()
    field = app.wait_present("auto-lock-minutes")
    for typed in ("0", "61"):
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(Keys.BACKSPACE)
        field.send_keys(typed)
        field.send_keys(Keys.ENTER)
        assert "Choose between 1 and 60 minutes" in app.wait_text("auto-lock-error", "Choose between 1 and 60")
        assert field.get_attribute("aria-invalid") == "true"
