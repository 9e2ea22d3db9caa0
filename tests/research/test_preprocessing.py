# X is the feature matrix (scikit-learn convention).
# ruff: noqa: N806
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from market_warehouse.research import (
    DEFAULT_FEATURES,
    NULL_FILL_VALUES,
    FeatureScaler,
    prepare_features,
    run_clustering,
)


def _frame() -> pd.DataFrame:
    # Unsorted on purpose; T1 has a warm-up NULL on its first row and an interior NULL.
    return pd.DataFrame(
        {
            "ticker": ["T1", "T0", "T1", "T1", "T0", "T1"],
            "trade_date": [
                dt.date(2020, 1, 2),
                dt.date(2020, 1, 1),
                dt.date(2020, 1, 1),
                dt.date(2020, 1, 3),
                dt.date(2020, 1, 2),
                dt.date(2020, 1, 6),
            ],
            "tmf_21": [0.1, 0.2, np.nan, np.nan, 0.3, np.inf],
            "flow_bias_20": [np.nan, 0.5, 0.1, 0.2, np.nan, 0.4],
            "rec_tmf_zero_up_20": [np.nan, 0.3, 0.2, 0.1, 1.0, np.nan],
            "fwd_ret_10": [0.0] * 6,
        }
    )


FEATS = ["tmf_21", "flow_bias_20", "rec_tmf_zero_up_20"]


def test_default_features_are_the_25_reference_features_without_lookahead():
    assert len(DEFAULT_FEATURES) == 25 == len(set(DEFAULT_FEATURES))
    assert DEFAULT_FEATURES[0] == "tmf_21" and DEFAULT_FEATURES[-1] == "state_run_length"
    assert not any(f.startswith(("fwd_", "label_")) for f in DEFAULT_FEATURES)


def test_fill_policy_fills_no_event_nulls_and_reports_dropped_warmup_rows():
    out = prepare_features(_frame(), FEATS, null_policy="fill")
    # Sorted: T0 01-01, T0 01-02, T1 01-01 (tmf NULL: warm-up), T1 01-02, T1 01-03 (tmf NULL),
    # T1 01-06 (tmf inf -> NULL). Kept: T0 x2 and T1 01-02.
    assert out.report["n_rows_input"] == 6
    assert out.report["n_rows_dropped_null"] == 3
    assert out.report["n_rows_output"] == 3
    assert out.report["n_values_nonfinite"] == 1
    assert out.report["n_values_filled"] == {"flow_bias_20": 2, "rec_tmf_zero_up_20": 2}
    assert list(out.frame["ticker"]) == ["T0", "T0", "T1"]
    assert out.frame.loc[1, "flow_bias_20"] == NULL_FILL_VALUES["flow_bias_20"] == 0.0
    assert out.frame.loc[2, "rec_tmf_zero_up_20"] == NULL_FILL_VALUES["rec_tmf_zero_up_20"] == 1.0
    # T1 01-02 follows the dropped T1 01-01 row.
    assert list(out.frame["has_dropped_row_before"]) == [False, False, True]


def test_drop_policy_drops_every_null_row_and_counts_it():
    out = prepare_features(_frame(), FEATS, null_policy="drop")
    # Only T0 01-01 has no NULL/inf in any feature.
    assert out.report["n_rows_dropped_null"] == 5
    assert len(out.frame) == 1 and out.frame.loc[0, "ticker"] == "T0"


def test_missing_features_are_recorded_and_lookahead_features_rejected():
    out = prepare_features(_frame(), ["tmf_21", "not_there"], null_policy="drop")
    assert out.features == ["tmf_21"] and out.missing_features == ["not_there"]
    with pytest.raises(ValueError, match="look-ahead"):
        prepare_features(_frame(), ["tmf_21", "fwd_ret_10"])
    with pytest.raises(ValueError):
        prepare_features(_frame(), ["nothing"])


def test_standard_scaler_uses_mean_and_population_std_and_clips():
    df = pd.DataFrame({"ticker": ["A"] * 4, "a": [1.0, 2.0, 3.0, 4.0], "b": [5.0] * 4})
    sc = FeatureScaler(["a", "b"], "standard", clip=1.0).fit(df)
    # mean 2.5, population std sqrt(1.25); constant b -> spread 1.
    np.testing.assert_allclose(sc.center_, [2.5, 5.0])
    np.testing.assert_allclose(sc.scale_, [np.sqrt(1.25), 1.0])
    z = sc.transform(pd.DataFrame({"ticker": ["A"], "a": [100.0], "b": [5.0]}))
    np.testing.assert_array_equal(z, [[1.0, 0.0]])  # clipped to +1


def test_robust_scaler_uses_median_and_linear_iqr():
    df = pd.DataFrame({"ticker": ["A"] * 5, "a": [1.0, 2.0, 3.0, 4.0, 100.0]})
    sc = FeatureScaler(["a"], "robust").fit(df)
    # median 3; Q25 = 2, Q75 = 4 (linear on 5 points) -> IQR 2.
    assert sc.center_[0] == 3.0 and sc.scale_[0] == 2.0
    z = sc.transform(df)
    np.testing.assert_allclose(z[:, 0], [-1.0, -0.5, 0.0, 0.5, 8.0])  # 48.5 clipped to 8


def test_nonfinite_centre_becomes_0_and_zero_spread_becomes_1():
    df = pd.DataFrame({"ticker": ["A", "A"], "a": [np.nan, np.nan], "b": [2.0, 2.0]})
    sc = FeatureScaler(["a", "b"]).fit(df)
    np.testing.assert_array_equal(sc.center_, [0.0, 2.0])
    np.testing.assert_array_equal(sc.scale_, [1.0, 1.0])


def test_per_ticker_scaler_falls_back_to_global_parameters_for_unseen_tickers():
    train = pd.DataFrame({"ticker": ["A", "A", "B", "B"], "a": [0.0, 2.0, 10.0, 14.0]})
    sc = FeatureScaler(["a"], scope="per_ticker").fit(train)
    new = pd.DataFrame({"ticker": ["A", "B", "C"], "a": [2.0, 14.0, 6.5]})
    # A: mean 1, std 1; B: mean 12, std 2; global: mean 6.5, std sqrt(32.75).
    np.testing.assert_allclose(sc.transform(new)[:, 0], [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(sc.unseen_ticker_mask(new), [False, False, True])
    np.testing.assert_allclose(sc.center_, [6.5])
    np.testing.assert_allclose(sc.scale_, [np.sqrt(32.75)])


def test_transform_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        FeatureScaler(["a"]).transform(pd.DataFrame({"ticker": ["A"], "a": [1.0]}))


def test_scaler_never_sees_rows_after_train_end():
    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2020-01-01", periods=80).date
    df = pd.DataFrame(
        {
            "ticker": np.repeat(["A", "B"], 80),
            "trade_date": np.tile(dates, 2),
            "f1": rng.standard_normal(160),
            "f2": rng.standard_normal(160) * 3 + 1,
            "fwd_ret_10": rng.normal(0, 0.01, 160),
        }
    )
    train_end = dates[49]
    kwargs = dict(
        features=["f1", "f2"],
        split_mode="time",
        train_end=train_end,
        horizon_bars=10,
        n_clusters=2,
        fit_sample_max=None,
    )
    clean = run_clustering(df, **kwargs)
    poisoned_df = df.copy()
    later = pd.to_datetime(poisoned_df["trade_date"]) > pd.Timestamp(train_end)
    poisoned_df.loc[later, ["f1", "f2"]] = 1e12
    poisoned = run_clustering(poisoned_df, **kwargs)

    np.testing.assert_array_equal(poisoned.scaler.center_, clean.scaler.center_)
    np.testing.assert_array_equal(poisoned.scaler.scale_, clean.scaler.scale_)
    assert np.isfinite(poisoned.scaler.center_).all() and np.isfinite(poisoned.scaler.scale_).all()
    # Independent reference: the train rows are the first 50 - 10 (purged) rows per ticker.
    pos = df.groupby("ticker").cumcount()
    train_rows = df.loc[pos < 40, ["f1", "f2"]].to_numpy()
    np.testing.assert_allclose(clean.scaler.center_, train_rows.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(clean.scaler.scale_, train_rows.std(axis=0), rtol=1e-12)
    # Poisoned test rows are clipped to +8, never inf/NaN.
    test_z = poisoned.X[poisoned.prepared.frame["is_test"].to_numpy()]
    assert (test_z == 8.0).all()


def test_per_ticker_run_keeps_and_counts_rows_of_tickers_unseen_in_train(gold_frame):
    df = gold_frame(n_tickers=2, n_rows=40, features=("f1", "f2"))
    dates = sorted(df["trade_date"].unique())
    late = (df["ticker"] == "T1") & (df["trade_date"] <= dates[29])
    df = df.loc[~late]  # T1 starts after train_end: no train rows
    res = run_clustering(
        df,
        features=["f1", "f2"],
        n_clusters=2,
        split_mode="time",
        train_end=dates[29],
        horizon_bars=5,
        scaler_scope="per_ticker",
    )
    assert res.report["n_rows_unseen_ticker"] == 10
    assert list(res.scaler.ticker_center_.index) == ["T0"]
    assert len(res.rows) == 50 and res.rows["cluster_id"].notna().all()
