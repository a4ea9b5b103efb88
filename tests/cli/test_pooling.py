"""Pooling merged summaries across hotlines in DuckDB (docs/EXPORTS.md,
"Pooling summaries across hotlines").

Three hotlines, each a coordinator laptop made by the real `hotline` binary
with its own demo calls: each merges one signed bundle into the tidy CSV and
another (the same counts, a later packet) into the JSON. DuckDB reads the
files as they are, with the SQL docs/EXPORTS.md shows (read from it), and its
totals are checked against the numbers of calls logged and against sums this
test makes itself from the files; a pooled cell with a suppressed part stays
unknown.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from conftest import run_cli

HANDLE = "river-7"
PASSPHRASE = "maple kettle harbor 42"
ENV = {"HOTLINE_USER": HANDLE, "HOTLINE_PASSPHRASE": PASSPHRASE}
# Hotline name, demo calls, seed.
HOTLINES = [("dane", 240, 3), ("rock", 150, 5), ("sauk", 90, 8)]
DIMENSIONS = ["week", "category", "area", "agency", "verification", "language",
              "caller_relation"]

DOC = Path(__file__).resolve().parents[2] / "docs" / "EXPORTS.md"


def documented_sql(engine: str) -> list[str]:
    """The SQL blocks of the pooling section of docs/EXPORTS.md whose first
    line names `engine`, in order."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Pooling summaries across hotlines", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    return [b for b in blocks if b.startswith(f"-- {engine}:")]


def cli(data_dir: Path, *args: str) -> str:
    run = run_cli(data_dir, *args, env=ENV)
    assert run.returncode == 0, f"{args}: {run.stderr}"
    return run.stdout


def merged_summaries(root: Path) -> tuple[list[Path], list[Path]]:
    """Each hotline's CSV and JSON in `root/summaries/`, from two signed
    bundles merged on its coordinator laptop."""
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    (root / "summaries").mkdir()
    csvs, jsons = [], []
    for name, calls, seed in HOTLINES:
        laptop = root / name
        cli(laptop, "init", "--user", HANDLE)
        cli(laptop, "demo-data", "--calls", str(calls), "--seed", str(seed))
        cli(laptop, "team", "create", "--name", f"{name} hotline")
        for fmt, out in (("csv", csvs), ("json", jsons)):
            bundle = root / f"{name}-{fmt}.age"
            cli(laptop, "export", "bundle", "--out", str(bundle), "--to", today,
                "--include-synthetic")
            summary = root / "summaries" / f"{name}.{fmt}"
            cli(laptop, "summary", "merge", str(bundle), "--out", str(summary),
                "--format", fmt)
            out.append(summary)
    return csvs, jsons


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    root = tmp_path_factory.mktemp("pool")
    csvs, jsons = merged_summaries(root)
    db = duckdb.connect()
    # The documented statements read `summaries/…` from the folder that
    # holds it.
    db.execute(f"SET file_search_path = '{root}'")
    statements = documented_sql("DuckDB")
    assert len(statements) == 4, "the views csv_cells, json_cells, pooled and a query"
    for sql in statements:
        db.execute(sql)
    return db, csvs, jsons


def rows_of_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def rows_of_json(path: Path) -> list[dict]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [dict(row, table=t["name"]) for t in doc["tables"] for row in t["rows"]]


def grand_total(rows: list[dict], table: str, dimension: str) -> int:
    [row] = [r for r in rows if r["table"] == table and r[dimension] == "ALL"
             and all(not r.get(d) or r[d] == "ALL" for d in DIMENSIONS)]
    return int(row["count"])


@pytest.mark.parametrize("cells", ["csv_cells", "json_cells"])
def test_pooled_totals_are_the_calls_of_every_hotline(pool, cells):
    db, csvs, jsons = pool
    logged = sum(calls for _, calls, _ in HOTLINES)
    for table, dimension in [("calls_by_agency", "agency"),
                             ("calls_by_verification", "verification"),
                             ("calls_by_language", "language"),
                             ("calls_by_caller_relation", "caller_relation")]:
        [(total,)] = db.execute(
            f"SELECT sum(count) FROM {cells} WHERE \"table\" = ? AND {dimension} = 'ALL'",
            [table]).fetchall()
        assert total == logged, table
    [(total,)] = db.execute(
        f"""SELECT sum(count) FROM {cells} WHERE "table" = 'calls_by_week_category_area'
            AND week = 'ALL' AND category = 'ALL' AND area = 'ALL'""").fetchall()
    assert total == logged
    # The same by a sum this test makes from the files themselves.
    files = csvs if cells == "csv_cells" else jsons
    read = rows_of_csv if cells == "csv_cells" else rows_of_json
    assert sum(grand_total(read(f), "calls_by_agency", "agency") for f in files) == logged


def test_the_documented_query_gives_the_network_by_agency(pool):
    db, _, _ = pool
    rows = db.execute(documented_sql("DuckDB")[3]).fetchall()
    by_agency = {agency: (count, at_least, hiding) for agency, count, at_least, hiding in rows}
    logged = sum(calls for _, calls, _ in HOTLINES)
    assert by_agency["ALL"] == (logged, logged, 0)
    assert "ice_ero" in by_agency


def test_the_csv_and_the_json_hold_the_same_cells(pool):
    db, _, _ = pool
    cols = ", ".join(["hotline", '"table"', *DIMENSIONS, "count", "suppressed"])
    # Empty dimensions are NULL in both; no row of one is missing in the other.
    for a, b in [("csv_cells", "json_cells"), ("json_cells", "csv_cells")]:
        [(missing,)] = db.execute(
            f"SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b})"
        ).fetchall()
        assert missing == 0, f"rows of {a} not in {b}"
    [(rows,)] = db.execute("SELECT count(*) FROM csv_cells").fetchall()
    assert rows > 1000


def test_pooled_cells_sum_the_hotlines_and_suppressed_cells_stay_unknown(pool):
    db, csvs, _ = pool
    dims = ", ".join(DIMENSIONS)
    pooled = db.execute(f'SELECT "table", {dims}, count, at_least, hotlines_hiding'
                        " FROM pooled").fetchall()
    # The test's own pooling of the files: per cell, the published counts
    # and whether any hotline hid its part.
    published: Counter = Counter()
    hidden: Counter = Counter()
    for path in csvs:
        for r in rows_of_csv(path):
            key = (r["table"], *[r[d] or None for d in DIMENSIONS])
            if r["suppressed"] == "true":
                assert r["count"] == "", "a suppressed cell has no count"
                hidden[key] += 1
            else:
                published[key] += int(r["count"])
    assert len(pooled) == len(set(published) | set(hidden))
    assert sum(hidden.values()) > 0, "the test needs suppressed cells"
    partly_hidden = 0
    for table, *values, count, at_least, hotlines_hiding in pooled:
        key = (table, *values)
        assert hotlines_hiding == hidden[key]
        if hidden[key]:
            # Never the sum of the parts that were published, as if the
            # hidden ones were zero.
            assert count is None, key
            assert (at_least or 0) == published[key]
            partly_hidden += bool(at_least)
        else:
            assert count == published[key], key
    assert partly_hidden > 0, "some pooled cells have a published and a hidden part"
    # The hidden cells hold calls: the published cells of the detailed
    # table sum to less than the calls logged.
    [(cells_total,)] = db.execute(
        """SELECT sum(count) FROM csv_cells WHERE "table" = 'calls_by_week_category_area'
           AND week <> 'ALL' AND category <> 'ALL' AND area <> 'ALL'""").fetchall()
    assert cells_total < sum(calls for _, calls, _ in HOTLINES)
