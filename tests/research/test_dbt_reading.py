# X is the feature matrix (scikit-learn convention).
# ruff: noqa: N806
import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from market_warehouse.research.dbt_models import (
    read_frame,
    read_rows,
    ticker_batches,
    ticker_codes,
)


@pytest.fixture
def relation():
    """A shuffled table of 3 tickers x 50 days; read_rows must return it sorted."""
    rng = np.random.default_rng(0)
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(50)]
    df = pd.DataFrame(
        {
            "ticker": np.repeat(["B", "A", "C"], 50),
            "trade_date": days * 3,
            "is_train": np.tile(np.arange(50) < 30, 3),
            "z_a": rng.standard_normal(150),
            "z_b": rng.standard_normal(150),
        }
    ).sample(frac=1.0, random_state=1)
    con = duckdb.connect()
    con.register("src", df)
    con.execute("create table t as select * from src")
    yield con.table("t"), df
    con.close()


def test_read_rows_returns_the_filtered_rows_sorted_with_their_matrix(relation):
    rel, df = relation
    ids, X = read_rows(rel, ["z_a", "z_b"], ["ticker", "trade_date"], "is_train", batch_rows=7)
    expected = df[df["is_train"]].sort_values(["ticker", "trade_date"])
    assert ids.column("ticker").to_pylist() == expected["ticker"].tolist()
    assert ids.column("trade_date").to_pylist() == expected["trade_date"].tolist()
    assert X.shape == (90, 2) and X.flags.c_contiguous
    np.testing.assert_array_equal(X, expected[["z_a", "z_b"]].to_numpy())


def test_read_frame_gives_tickers_as_codes_in_ticker_order(relation):
    rel, _ = relation
    frame = read_frame(rel, ["ticker", "trade_date", "z_a"])
    assert frame["ticker"].tolist() == [0] * 50 + [1] * 50 + [2] * 50  # A, B, C
    assert frame["trade_date"].is_monotonic_increasing is False  # restarts per ticker
    assert (frame.groupby("ticker")["trade_date"].is_monotonic_increasing).all()


def test_ticker_codes_of_an_empty_column_are_empty():
    import pyarrow as pa

    assert ticker_codes(pa.chunked_array([], type=pa.string())).size == 0


def test_ticker_batches_hold_whole_tickers_and_add_up_to_every_row(relation):
    rel, _ = relation
    everything, X_all = read_rows(rel, ["z_a"], ["ticker", "trade_date"])
    pieces = list(ticker_batches(rel, ["z_a"], ["ticker", "trade_date"], batch_rows=20))
    assert len(pieces) == 3  # 3 tickers of 50 rows, batches of 20 rows
    for ids, X in pieces:
        assert len(set(ids.column("ticker").to_pylist())) == 1
        assert len(X) == ids.num_rows == 50
    np.testing.assert_array_equal(np.vstack([X for _, X in pieces]), X_all)
    tickers = [t for ids, _ in pieces for t in ids.column("ticker").to_pylist()]
    assert tickers == everything.column("ticker").to_pylist()


def test_ticker_batches_of_many_rows_hold_several_whole_tickers(relation):
    rel, _ = relation
    everything, X_all = read_rows(rel, ["z_a", "z_b"], ["ticker", "trade_date"])
    pieces = list(ticker_batches(rel, ["z_a", "z_b"], ["ticker", "trade_date"], batch_rows=120))
    sizes = [ids.num_rows for ids, _ in pieces]
    assert sum(sizes) == 150 and all(size % 50 == 0 for size in sizes)
    assert max(sizes) >= 100  # at least two tickers in one piece
    np.testing.assert_array_equal(np.vstack([X for _, X in pieces]), X_all)


def test_matrix_copied_in_cache_blocks_equals_the_columns(relation, monkeypatch):
    import market_warehouse.research.dbt_models as dbt_models

    rel, df = relation
    monkeypatch.setattr(dbt_models, "COPY_BLOCK_ROWS", 7)
    ids, X = read_rows(rel, ["z_b", "z_a"], ["ticker", "trade_date"])
    expected = df.sort_values(["ticker", "trade_date"])[["z_b", "z_a"]].to_numpy()
    np.testing.assert_array_equal(X, expected)


def test_read_rows_without_a_count_query_gives_the_same_rows(relation):
    rel, _ = relation
    ids, X = read_rows(rel, ["z_a", "z_b"], ["ticker", "trade_date"], "is_train")
    ids2, X2 = read_rows(
        rel, ["z_a", "z_b"], ["ticker", "trade_date"], "is_train", batch_rows=7, count_first=False
    )
    assert ids2.equals(ids)
    np.testing.assert_array_equal(X2, X)


def test_selected_rows_are_read_by_ticker_and_date_range(relation):
    from market_warehouse.research.dbt_models import (
        SEQUENCE_IDS,
        _selected_rows,
        _sequences,
        settings,
    )
    from market_warehouse.research.hmm import RegimeHMM

    rel, _ = relation
    rel = rel.project("*, false as has_dropped_row_before, z_a as z_tmf_21")
    s = settings(
        {
            **{k: None for k in ("train_end", "clip", "max_threads", "cluster_fit_sample_max")},
            "features": ["tmf_21"],
            "null_policy": "fill",
            "split_mode": "none",
            "horizon_bars": 0,
            "embargo_bars": 0,
            "scaler_method": "standard",
            "scaler_scope": "global",
            "seed": 1,
            "cluster_method": "kmeans",
            "cluster_k": 2,
            "sweep_methods": [],
            "sweep_k": [],
            "sweep_silhouette_sample_max": 10,
            "stability_seeds": [],
            "hmm_states": 2,
            "hmm_restarts": 1,
            "hmm_n_iter": 5,
            "hmm_tol": 0.1,
            "hmm_min_covar": 0.001,
            "hmm_max_gap_days": 7,
            "hmm_min_sequence_length": 10,
            "hmm_fit_sample_max": 45,
            "hmm_stability_seeds": [],
            "hmm_stability_fit_sample_max": 10,
        }
    )
    ids, X_all = read_rows(rel, ["z_tmf_21"], SEQUENCE_IDS, "is_train")
    seq = _sequences(ids, s)
    for seed in range(4):
        selection = RegimeHMM(min_sequence_length=10, fit_sample_max=45, random_state=seed)
        selection = selection.select_fit_rows(seq.lengths)
        X = _selected_rows(rel, s, ids, seq, selection)
        np.testing.assert_array_equal(X, X_all[selection.mask])
