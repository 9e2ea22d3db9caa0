"""Incremental bronze: only NEW and CHANGED files are parsed, deleted files leave no rows
behind, a failed file is retried, and a full refresh gives the same tables as the history of
incremental runs."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import query, run_dbt

HEADER = "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>"
FOLDER = "daily/us/nasdaq stocks/1"


def write_ticker(raw: Path, name: str, closes: list[float], start_day: int = 2) -> Path:
    path = raw / FOLDER / f"{name.lower()}.us.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER]
    for offset, close in enumerate(closes):
        day = f"202003{start_day + offset:02d}"
        lines.append(f"{name}.US,D,{day},000000,{close},{close + 1},{close - 1},{close},1000,0")
    path.write_text("\n".join(lines) + "\n")
    return path


def manifest(db: Path) -> pd.DataFrame:
    return query(
        db,
        "select regexp_extract(relative_path, '[^/]*$') as name, status, load_outcome, "
        "typed_rows, last_loaded_at from bronze_file_manifest",
    ).set_index("name")


# every stored column but the load time, so a column added later is compared too
PARSED_COLUMNS = "* exclude (loaded_at)"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Run bronze four times over a changing raw tree and record what each run saw."""
    work = tmp_path_factory.mktemp("incremental")
    raw = work / "raw"
    db = work / "warehouse.duckdb"
    write_ticker(raw, "AAA", [10, 11, 12])
    bbb = write_ticker(raw, "BBB", [20, 21, 22])
    ccc = write_ticker(raw, "CCC", [30, 31, 32])
    # a file that fails to load: a link to a file that does not exist yet
    target = work / "later.txt"
    (raw / FOLDER / "ddd.us.txt").symlink_to(target)

    steps = {}
    run_dbt(["build", "--select", "bronze"], db_path=db, raw_root=raw)
    steps["first"] = manifest(db)

    write_ticker(raw, "BBB", [20, 21, 22, 23])
    stat = bbb.stat()
    os.utime(bbb, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    ccc.unlink()
    target.write_text(HEADER + "\nDDD.US,D,20200302,000000,5,6,4,5,100,0\n")
    run_dbt(["build", "--select", "bronze"], db_path=db, raw_root=raw)
    steps["second"] = manifest(db)

    run_dbt(["build", "--select", "bronze"], db_path=db, raw_root=raw)
    steps["third"] = manifest(db)
    steps["incremental_lines"] = query(db, f"select {PARSED_COLUMNS} from bronze_parsed_lines")
    steps["incremental_master"] = query(db, "select * from bronze_symbol_master")

    refreshed = work / "refreshed.duckdb"
    run_dbt(["build", "--select", "bronze", "--full-refresh"], db_path=refreshed, raw_root=raw)
    steps["refreshed_lines"] = query(refreshed, f"select {PARSED_COLUMNS} from bronze_parsed_lines")
    steps["refreshed_master"] = query(refreshed, "select * from bronze_symbol_master")
    steps["db"] = db
    return steps


def test_first_run_sees_every_file_as_new(history):
    first = history["first"]
    assert set(first.status) == {"NEW"}
    assert first.loc["ddd.us.txt", "load_outcome"] == "failed"
    assert first.loc["aaa.us.txt", "typed_rows"] == 3


def test_changed_file_is_reloaded_and_others_are_not(history):
    first, second = history["first"], history["second"]
    assert second.loc["bbb.us.txt", "status"] == "CHANGED"
    assert second.loc["bbb.us.txt", "load_outcome"] == "loaded"
    assert second.loc["bbb.us.txt", "typed_rows"] == 4
    assert second.loc["bbb.us.txt", "last_loaded_at"] > first.loc["bbb.us.txt", "last_loaded_at"]
    assert second.loc["aaa.us.txt", "status"] == "UNCHANGED"
    assert second.loc["aaa.us.txt", "last_loaded_at"] == first.loc["aaa.us.txt", "last_loaded_at"]


def test_deleted_file_is_missing_and_its_rows_are_gone(history):
    assert history["second"].loc["ccc.us.txt", "status"] == "MISSING"
    rows = query(history["db"], "select count(*) as n from bronze_ohlcv where ticker = 'CCC.US'")
    assert rows.n[0] == 0


def test_failed_file_is_retried_on_the_next_run(history):
    second = history["second"]
    assert second.loc["ddd.us.txt", "status"] == "NEW"
    assert second.loc["ddd.us.txt", "load_outcome"] == "loaded"
    assert second.loc["ddd.us.txt", "typed_rows"] == 1


def test_unchanged_tree_reloads_nothing(history):
    third = history["third"]
    present = third[third.status != "MISSING"]
    assert set(present.status) == {"UNCHANGED"}
    assert set(present.load_outcome) == {"unchanged"}


def test_full_refresh_equals_incremental_history(history):
    def ordered(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return frame.sort_values(keys).reset_index(drop=True)

    pd.testing.assert_frame_equal(
        ordered(history["incremental_lines"], ["source_file", "source_line_no"]),
        ordered(history["refreshed_lines"], ["source_file", "source_line_no"]),
    )
    pd.testing.assert_frame_equal(
        ordered(history["incremental_master"], ["ticker", "exchange"]),
        ordered(history["refreshed_master"], ["ticker", "exchange"]),
    )
