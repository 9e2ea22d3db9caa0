"""Incremental gold: only tickers whose silver rows changed are recomputed, and the history of
incremental runs ends in exactly the tables a full refresh builds from the same files. Also
the ML dataset export: Parquet + metadata JSON, deterministic, filtered by vars."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import PROJECT_DIR, query, run_dbt
from tests.silver.silver_fixture_data import business_days, random_bars, write_stooq

SELECT = [
    "--select",
    "+gold",
    "--exclude-resource-type",
    "test",
    "unit_test",
]
START = dt.date(2010, 1, 4)
GOLD_MODELS = ["gold_flow_values", "gold_events", "gold_features", "gold_labels", "gold_ml_dataset"]
# stored (incremental) gold tables and a column to plant a marker in
PLANTS = {
    "gold_flow_values": "count_tmf_zero_up_20",
    "gold_labels": "fwd_ret_5",
}


def write_ticker(root, ticker: str, bars: int, seed: int, gap_after: int | None = None) -> None:
    rng = np.random.default_rng(seed)
    open_, high, low, close, volume = random_bars(rng, bars, 40.0)
    days = business_days(START, bars + 40)
    days = days[:gap_after] + days[gap_after + 40 :] if gap_after else days[:bars]
    write_stooq(root, ticker, days[:bars], open_, high, low, close, volume)


def table(db_path, name: str) -> pd.DataFrame:
    columns = query(db_path, f"select * from {name} limit 0").columns
    keep = ", ".join(c for c in columns if c != "bronze_loaded_at")
    frame = query(db_path, f"select {keep} from {name} order by ticker, trade_date")
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("gold_incremental")
    raw_root = root / "raw"
    incremental_db = root / "incremental" / "warehouse.duckdb"
    incremental_db.parent.mkdir()

    # run 1: three tickers
    write_ticker(raw_root, "AAA.US", 300, seed=1)
    write_ticker(raw_root, "BBB.US", 260, seed=2)
    write_ticker(raw_root, "CCC.US", 240, seed=3)
    run_dbt(["build", *SELECT], db_path=incremental_db, raw_root=raw_root)

    # plant markers in the unchanged ticker: if gold recomputed AAA they would disappear
    with duckdb.connect(str(incremental_db)) as con:
        planted_date = con.execute(
            "select trade_date from gold_labels where ticker = 'AAA.US' order by trade_date"
            " limit 1 offset 150"
        ).fetchone()[0]
        where = f"ticker = 'AAA.US' and trade_date = '{planted_date}'"
        originals = {
            model: con.execute(f"select {column} from {model} where {where}").fetchone()[0]
            for model, column in PLANTS.items()
        }
        for model, column in PLANTS.items():
            con.execute(f"update {model} set {column} = -7 where {where}")

    # run 2: BBB grows by 40 bars after a long gap, CCC is deleted, DDD is new, AAA untouched
    write_ticker(raw_root, "BBB.US", 300, seed=2, gap_after=270)
    (raw_root / "daily/us/nasdaq stocks/1/ccc.us.txt").unlink()
    write_ticker(raw_root, "DDD.US", 120, seed=4)
    run_dbt(["build", *SELECT], db_path=incremental_db, raw_root=raw_root)

    planted_after = {
        model: query(incremental_db, f"select {column} from {model} where {where}").iloc[0, 0]
        for model, column in PLANTS.items()
    }
    with duckdb.connect(str(incremental_db)) as con:
        for model, column in PLANTS.items():
            con.execute(f"update {model} set {column} = ? where {where}", [originals[model]])
    # export again after the repair, as a plain incremental run with nothing to do would
    run_dbt(["run", "--select", "gold_ml_dataset"], db_path=incremental_db, raw_root=raw_root)

    full_db = root / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    run_dbt(["build", *SELECT, "--full-refresh"], db_path=full_db, raw_root=raw_root)
    return {
        "root": root,
        "raw_root": raw_root,
        "incremental": incremental_db,
        "full": full_db,
        "planted_after": planted_after,
    }


def test_unchanged_ticker_is_not_recomputed(histories) -> None:
    assert histories["planted_after"] == dict.fromkeys(PLANTS, -7)


def test_changed_new_and_deleted_tickers_are_applied(histories) -> None:
    counts = query(
        histories["incremental"],
        "select ticker, count(*) as n, max(series_segment_no) as segments"
        " from gold_features group by ticker order by ticker",
    )
    assert counts["ticker"].tolist() == ["AAA.US", "BBB.US", "DDD.US"]
    assert counts["n"].tolist() == [300, 300, 120]
    assert counts["segments"].tolist() == [1, 2, 1]
    labels = query(histories["incremental"], "select distinct ticker from gold_labels")
    assert sorted(labels.ticker) == ["AAA.US", "BBB.US", "DDD.US"]


@pytest.mark.parametrize("model", GOLD_MODELS)
def test_incremental_history_equals_full_refresh(histories, model: str) -> None:
    incremental = table(histories["incremental"], model)
    full = table(histories["full"], model)
    pd.testing.assert_frame_equal(incremental, full, check_exact=True)


def metadata(parquet_path) -> dict:
    return json.loads(parquet_path.with_name(parquet_path.stem + ".metadata.json").read_text())


def read_dataset(parquet_path) -> pd.DataFrame:
    """The dataset's files concatenated in file-name order, each read in its stored order."""
    files = sorted(parquet_path.glob("*.parquet"))
    assert files, parquet_path
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        frames = [con.execute(f"select * from read_parquet('{file}')").df() for file in files]
    return pd.concat(frames, ignore_index=True)


def test_dataset_parquet_and_metadata_describe_the_view(histories) -> None:
    db = histories["full"]
    parquet = db.parent / "ml_dataset_v1.parquet"
    meta = metadata(parquet)
    view = query(db, "select * from gold_ml_dataset order by ticker, trade_date")
    written = read_dataset(parquet)
    pd.testing.assert_frame_equal(written, view, check_exact=True)
    # 3 tickers are far below ml_dataset_rows_per_file: one file
    assert meta["parquet_dataset"] == "ml_dataset_v1.parquet"
    assert meta["parquet_files"] == [{"name": "part-00000.parquet", "row_count": len(view)}]
    assert meta["row_count"] == len(view)
    assert meta["ticker_count"] == 3
    assert meta["min_trade_date"] == str(view.trade_date.min().date())
    assert meta["max_trade_date"] == str(view.trade_date.max().date())
    assert [c["name"] for c in meta["columns"]] == list(view.columns)
    expected_md5 = hashlib.md5(json.dumps(meta["dbt_vars"], sort_keys=True).encode()).hexdigest()
    assert meta["dbt_vars_md5"] == expected_md5
    assert meta["dbt_vars"]["label_horizon_bars"] == 10
    assert meta["bronze_file_count"] == 3
    # warm-up bars are left out by default
    assert view.is_tmf_ready_21.all()


# project vars that do not shape the dataset's rows or values: paths and export layout, the
# research layer downstream, and silver columns the dataset does not carry
VARS_NOT_IN_DATASET_HASH = {
    "raw_root",
    "ml_dataset_export",
    "ml_dataset_export_path",
    "ml_dataset_rows_per_file",
    "base_return_lags",
    "base_tr_sma_period",
    "base_volume_window",
    "base_range_window",
    "base_close_sma_periods",
    "base_warmup_periods",
    "base_ready_warmup_period",
    "tmf_ema_span",
    "sma_periods",
    "ema_periods",
    "rsi_period",
    "macd_fast_period",
    "macd_slow_period",
    "macd_signal_period",
    "bbands_period",
    "bbands_nbdev",
    "adx_period",
    "mfi_period",
    "willr_period",
    "cci_period",
    "roc_period",
    "stoch_fastk_period",
    "stoch_slowk_period",
    "stoch_slowd_period",
}


def test_metadata_hashes_every_var_that_shapes_the_dataset(histories) -> None:
    """Every project var is either in the metadata's dbt_vars or classified above: a var added
    later fails here until someone decides whether it changes the dataset."""
    project_vars = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    meta = metadata(histories["full"].parent / "ml_dataset_v1.parquet")
    hashed = set(meta["dbt_vars"])
    assert hashed <= set(project_vars)
    assert not hashed & VARS_NOT_IN_DATASET_HASH
    unclassified = {
        name
        for name in set(project_vars) - hashed - VARS_NOT_IN_DATASET_HASH
        if not name.startswith("research_")
    }
    assert not unclassified


def test_the_same_inputs_give_the_same_export(histories) -> None:
    names = ["ml_dataset_v1.parquet/part-00000.parquet", "ml_dataset_v1.metadata.json"]
    for name in names:
        incremental = (histories["incremental"].parent / name).read_bytes()
        full = (histories["full"].parent / name).read_bytes()
        assert incremental == full, name


def test_export_splits_by_whole_tickers_and_replaces_old_files(histories) -> None:
    db = histories["full"]
    target = histories["root"] / "split.parquet"
    target.mkdir()
    (target / "part-00007.parquet").write_bytes(b"stale file of an earlier export")
    (target / "notes.txt").write_text("anything in the directory is replaced")
    run_dbt(
        ["run", "--select", "gold_ml_dataset"],
        db_path=db,
        raw_root=histories["raw_root"],
        dbt_vars={"ml_dataset_export_path": str(target), "ml_dataset_rows_per_file": 250},
    )
    assert sorted(path.name for path in target.rglob("*") if path.is_file()) == [
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
    ]
    view = query(db, "select * from gold_ml_dataset order by ticker, trade_date")
    pd.testing.assert_frame_equal(read_dataset(target), view, check_exact=True)
    meta = metadata(target)
    # gold_labels holds 300 + 300 + 120 rows: a new file once a file holds >= 250 rows
    files = {item["name"]: item["row_count"] for item in meta["parquet_files"]}
    assert files == {
        f"part-0000{i}.parquet": int((view.ticker == ticker).sum())
        for i, ticker in enumerate(["AAA.US", "BBB.US", "DDD.US"])
    }
    # the content hash is of whole rows, in any order and any split
    assert meta["content_hash"] == metadata(db.parent / "ml_dataset_v1.parquet")["content_hash"]


def test_content_hash_covers_every_row(histories) -> None:
    """Warm-up rows added (20 per segment: an even count per ticker, same tickers) must change
    the hash; a hash of the ticker column alone would not see them."""
    db = histories["full"]
    target = histories["root"] / "with_warm_up.parquet"
    run_dbt(
        ["run", "--select", "gold_ml_dataset"],
        db_path=db,
        raw_root=histories["raw_root"],
        dbt_vars={"ml_dataset_export_path": str(target), "ml_dataset_require_tmf_ready": False},
    )
    default = metadata(db.parent / "ml_dataset_v1.parquet")
    meta = metadata(target)
    assert meta["ticker_count"] == default["ticker_count"]
    assert meta["row_count"] - default["row_count"] == 20 * 4
    assert meta["content_hash"] != default["content_hash"]


def test_export_path_must_name_a_parquet_dataset(histories) -> None:
    db = histories["full"]
    result = run_dbt(
        ["run", "--select", "gold_ml_dataset"],
        db_path=db,
        raw_root=histories["raw_root"],
        dbt_vars={"ml_dataset_export_path": str(histories["root"])},
        check=False,
    )
    assert result.returncode != 0
    assert "must end in '.parquet'" in result.stdout + result.stderr
    assert (histories["root"] / "raw").exists()


def test_dataset_vars_filter_rows_and_change_the_hash(histories) -> None:
    db = histories["full"]
    subset = histories["root"] / "subset.parquet"
    dataset_vars = {
        "ml_dataset_tickers": ["BBB.US"],
        "ml_dataset_start_date": "2010-06-01",
        "ml_dataset_end_date": "2010-12-31",
        "ml_dataset_export_path": str(subset),
    }
    run_dbt(
        ["run", "--select", "gold_ml_dataset"],
        db_path=db,
        raw_root=histories["raw_root"],
        dbt_vars=dataset_vars,
    )
    with duckdb.connect() as con:
        rows = con.execute(
            f"select ticker, min(trade_date), max(trade_date), count(*)"
            f" from read_parquet('{subset}/*.parquet') group by ticker"
        ).fetchall()
    assert len(rows) == 1
    ticker, first, last, count = rows[0]
    assert ticker == "BBB.US"
    assert first >= dt.date(2010, 6, 1) and last <= dt.date(2010, 12, 31) and count > 100
    meta = metadata(subset)
    assert meta["row_count"] == count
    assert meta["dbt_vars"]["ml_dataset_tickers"] == ["BBB.US"]
    assert "ml_dataset_export_path" not in meta["dbt_vars"]
    assert meta["dbt_vars_md5"] != metadata(db.parent / "ml_dataset_v1.parquet")["dbt_vars_md5"]
