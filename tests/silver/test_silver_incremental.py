"""Incremental silver: only changed tickers are recomputed, and the history of incremental runs
ends in exactly the tables a full refresh builds from the same files."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import query, run_dbt
from tests.silver.silver_fixture_data import business_days, random_bars, write_stooq

SELECT = [
    "--select",
    "+silver_indicators silver_base_series silver_xnys_calendar",
    "--exclude-resource-type",
    "test",
]
START = dt.date(2010, 1, 4)


def write_ticker(root, ticker: str, bars: int, seed: int, gap_after: int | None = None) -> None:
    rng = np.random.default_rng(seed)
    open_, high, low, close, volume = random_bars(rng, bars, 40.0)
    days = business_days(START, bars + 40)
    days = days[:gap_after] + days[gap_after + 40 :] if gap_after else days[:bars]
    write_stooq(root, ticker, days[:bars], open_, high, low, close, volume)


def table(db_path, name: str) -> pd.DataFrame:
    frame = query(
        db_path, f"select * exclude (bronze_loaded_at) from {name} order by ticker, trade_date"
    )
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("silver_incremental")
    raw_root = root / "raw"
    incremental_db = root / "incremental" / "warehouse.duckdb"
    incremental_db.parent.mkdir()

    # run 1: three tickers
    write_ticker(raw_root, "AAA.US", 300, seed=1)
    write_ticker(raw_root, "BBB.US", 260, seed=2)
    write_ticker(raw_root, "CCC.US", 240, seed=3)
    run_dbt(["build", *SELECT], db_path=incremental_db, raw_root=raw_root)

    # plant a marker in the unchanged ticker: if silver recomputed AAA it would disappear
    with duckdb.connect(str(incremental_db)) as con:
        planted_date, original_sma = con.execute(
            "select trade_date, close_sma_20 from silver_base_bars"
            " where ticker = 'AAA.US' and row_number_in_ticker = 150"
        ).fetchall()[0]
        original_rsi = con.execute(
            "select rsi_14 from silver_indicator_values where ticker = 'AAA.US' and trade_date = ?",
            [planted_date],
        ).fetchall()[0][0]
        con.execute(
            "update silver_base_bars set close_sma_20 = -1"
            " where ticker = 'AAA.US' and trade_date = ?",
            [planted_date],
        )
        con.execute(
            "update silver_indicator_values set rsi_14 = -1"
            " where ticker = 'AAA.US' and trade_date = ?",
            [planted_date],
        )

    # run 2: BBB grows by 40 bars (with a long gap), CCC is deleted, DDD is new, AAA untouched
    write_ticker(raw_root, "BBB.US", 300, seed=2, gap_after=270)
    (raw_root / "daily/us/nasdaq stocks/1/ccc.us.txt").unlink()
    write_ticker(raw_root, "DDD.US", 120, seed=4)
    run_dbt(["build", *SELECT], db_path=incremental_db, raw_root=raw_root)

    where = f"ticker = 'AAA.US' and trade_date = '{planted_date}'"
    planted_after = {
        "base": query(
            incremental_db, f"select close_sma_20 from silver_base_series where {where}"
        ).iloc[0, 0],
        "indicators": query(
            incremental_db, f"select rsi_14 from silver_indicators where {where}"
        ).iloc[0, 0],
    }
    with duckdb.connect(str(incremental_db)) as con:
        con.execute(f"update silver_base_bars set close_sma_20 = ? where {where}", [original_sma])
        con.execute(f"update silver_indicator_values set rsi_14 = ? where {where}", [original_rsi])

    full_db = root / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    run_dbt(["build", *SELECT, "--full-refresh"], db_path=full_db, raw_root=raw_root)
    return incremental_db, full_db, planted_after


def test_unchanged_ticker_is_not_recomputed(histories) -> None:
    _, _, planted_after = histories
    assert planted_after == {"base": -1.0, "indicators": -1.0}


def test_changed_new_and_deleted_tickers_are_applied(histories) -> None:
    incremental_db, _, _ = histories
    counts = query(
        incremental_db,
        "select ticker, count(*) as n, max(series_segment_no) as segments"
        " from silver_indicators group by ticker order by ticker",
    )
    assert counts["ticker"].tolist() == ["AAA.US", "BBB.US", "DDD.US"]
    assert counts["n"].tolist() == [300, 300, 120]
    assert counts["segments"].tolist() == [1, 2, 1]


@pytest.mark.parametrize(
    "model",
    ["silver_base_bars", "silver_indicator_values", "silver_base_series", "silver_indicators"],
)
def test_incremental_history_equals_full_refresh(histories, model: str) -> None:
    incremental_db, full_db, _ = histories
    incremental = table(incremental_db, model)
    full = table(full_db, model)
    pd.testing.assert_frame_equal(incremental, full, check_exact=True)


@pytest.mark.parametrize("threads", [1, 3])
def test_indicator_values_do_not_depend_on_the_thread_count(
    histories, tmp_path, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """smoothing_recursion runs one recursion per DuckDB thread over a hash split of the series:
    one branch (1 thread) and three branches must give the two-branch build's bits."""
    _, full_db, _ = histories
    raw_root = full_db.parent.parent / "raw"
    db_path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("MW_DUCKDB_THREADS", str(threads))
    run_dbt(["build", *SELECT], db_path=db_path, raw_root=raw_root)
    compiled = next((tmp_path / "dbt_target").rglob("silver_indicator_values.sql")).read_text()
    assert compiled.count("with recursive") == threads
    pd.testing.assert_frame_equal(
        table(db_path, "silver_indicator_values"),
        table(full_db, "silver_indicator_values"),
        check_exact=True,
    )
