# X is the feature matrix (scikit-learn convention).
# ruff: noqa: N806
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from market_warehouse.research import (
    geometry_metrics,
    pairwise_ari,
    profile_frame,
    robustness_summary,
    row_entropy,
)
from market_warehouse.research.metrics import align_by_means, inverse_permutation


def test_entropy_of_a_fair_coin_is_ln2_and_of_a_certainty_is_0():
    h = row_entropy(np.array([[0.5, 0.5], [1.0, 0.0]]))
    assert h[0] == pytest.approx(math.log(2), abs=1e-15)
    assert h[1] == 0.0


def test_ari_of_identical_and_permuted_labels_is_1_and_of_independent_labels_is_low():
    a = np.array([0, 0, 1, 1, 2, 2])
    pairs = pairwise_ari({1: a, 2: a.copy(), 3: np.array([2, 2, 0, 0, 1, 1])})
    assert pairs["ari"].tolist() == [1.0, 1.0, 1.0]
    # Hand value: labels [0,0,1,1] vs [0,1,0,1]: every pair is split, ARI = -0.5.
    other = pairwise_ari({1: np.array([0, 0, 1, 1]), 2: np.array([0, 1, 0, 1])})
    assert other["ari"].iloc[0] == pytest.approx(-0.5)


def test_geometry_metrics_match_hand_computation_on_four_points():
    # 1-D points: cluster 0 = {0, 2}, cluster 1 = {10, 12}.
    X = np.array([[0.0], [2.0], [10.0], [12.0]])
    labels = np.array([0, 0, 1, 1])
    m = geometry_metrics(X, labels)
    # silhouette per point: (b - a) / max(a, b) with a = 2 and b = 11, 9, 9, 11.
    assert m["silhouette"] == pytest.approx((9 / 11 + 7 / 9) / 2)
    # Davies-Bouldin: scatter 1 and 1, centroid distance 10 -> (1 + 1) / 10.
    assert m["davies_bouldin"] == pytest.approx(0.2)
    # Calinski-Harabasz: between 2*25 + 2*25 = 100, within 4 -> (100 / 1) / (4 / 2).
    assert m["calinski_harabasz"] == pytest.approx(50.0)
    assert m["n_clusters_detected"] == 2


def test_geometry_metrics_are_nan_with_one_cluster_or_fewer_than_three_rows():
    one = geometry_metrics(np.arange(6.0).reshape(-1, 1), np.zeros(6, dtype=int))
    two_rows = geometry_metrics(np.array([[0.0], [1.0]]), np.array([0, 1]))
    for m in (one, two_rows):
        assert np.isnan(m["silhouette"]) and np.isnan(m["davies_bouldin"])
        assert np.isnan(m["calinski_harabasz"])


def test_silhouette_subsample_is_seeded_and_capped():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (300, 2)), rng.normal(5, 1, (300, 2))]
    labels = np.repeat([0, 1], 300)
    a = geometry_metrics(X, labels, silhouette_sample_max=100, seed=5)
    b = geometry_metrics(X, labels, silhouette_sample_max=100, seed=5)
    c = geometry_metrics(X, labels, silhouette_sample_max=100, seed=6)
    assert a["silhouette_n_rows"] == 100
    assert a["silhouette"] == b["silhouette"] != c["silhouette"]


def test_profile_aggregates_match_a_hand_worked_five_row_example():
    df = pd.DataFrame(
        {
            "cluster_id": [0, 0, 0, 0, 0, 1],
            "ticker": ["A", "A", "B", "B", "B", "C"],
            "trade_date": [dt.date(2020, 1, d) for d in (2, 3, 2, 3, 6, 7)],
            "tmf_21": [1.0, 2.0, 3.0, 4.0, 5.0, 0.0],
            "fwd_ret_10": [0.01, -0.02, 0.03, np.nan, 0.05, np.inf],
        }
    )
    p = profile_frame(df, "cluster_id", features=["tmf_21"], outcomes=["fwd_ret_10"])
    row = p.set_index("cluster_id").loc[0]
    assert row["row_count"] == 5 and row["ticker_count"] == 2
    assert row["date_min"] == dt.date(2020, 1, 2) and row["date_max"] == dt.date(2020, 1, 6)
    assert row["share_of_dataset"] == pytest.approx(5 / 6)
    assert row["tmf_21_mean"] == pytest.approx(3.0)
    assert row["tmf_21_std"] == pytest.approx(math.sqrt(2.0))  # population std of 1..5
    # Finite outcomes: 0.01, -0.02, 0.03, 0.05 (sorted: -0.02, 0.01, 0.03, 0.05).
    assert row["fwd_ret_10_n"] == 4
    assert row["fwd_ret_10_mean"] == pytest.approx(0.0175)
    assert row["fwd_ret_10_median"] == pytest.approx(0.02)
    assert row["fwd_ret_10_std"] == pytest.approx(math.sqrt(2.675e-3 / 4))
    assert row["fwd_ret_10_p10"] == pytest.approx(-0.011)  # -0.02 + 0.3 * 0.03
    assert row["fwd_ret_10_p90"] == pytest.approx(0.044)  # 0.03 + 0.7 * 0.02
    assert row["fwd_ret_10_hit_rate"] == pytest.approx(0.75)
    # Cluster 1 has only an inf outcome: n = 0 and NaN aggregates (guard satisfied).
    one = p.set_index("cluster_id").loc[1]
    assert one["fwd_ret_10_n"] == 0 and np.isnan(one["fwd_ret_10_mean"])
    assert np.isnan(one["fwd_ret_10_hit_rate"])


def test_profile_schema_does_not_depend_on_missing_columns():
    df = pd.DataFrame({"state": [0, 1], "ticker": ["A", "A"], "trade_date": [1, 2]})
    p = profile_frame(df, "state", features=["tmf_21"], outcomes=["fwd_ret_5", "fwd_vol_10"])
    assert {"tmf_21_mean", "fwd_ret_5_n", "fwd_ret_5_hit_rate", "fwd_vol_10_p90"} <= set(p)
    assert "fwd_vol_10_hit_rate" not in p
    assert (p["fwd_ret_5_n"] == 0).all()


def test_robustness_summary_by_hand():
    profile = pd.DataFrame({"share_of_dataset": [0.8, 0.2], "fwd_ret_10_mean": [0.001, 0.002]})
    s = robustness_summary(profile, silhouette=0.05, ari_mean=0.4)
    assert s["largest_share"] == 0.8
    assert s["effective_count"] == pytest.approx(1 / (0.64 + 0.04))
    assert s["forward_separation_score"] == pytest.approx(0.001)
    assert s["notes"] == (
        "weak_cluster_geometry,high_concentration,weak_forward_separation,low_seed_stability"
    )


def test_hungarian_alignment_recovers_a_known_permutation():
    ref = np.array([[0.0, 0.0], [5.0, 5.0], [-3.0, 2.0]])
    perm_true = np.array([2, 0, 1])
    # other[j] = ref[perm_inv[j]]: component perm_true[i] of `other` is reference component i.
    other = np.empty_like(ref)
    other[perm_true] = ref + 0.01
    perm = align_by_means(ref, other)
    np.testing.assert_array_equal(perm, perm_true)
    np.testing.assert_array_equal(inverse_permutation(perm)[perm], np.arange(3))


def _groupby_profile(df, label_col, features, outcomes):
    """profile_frame written with pandas groupby (the reference for the numpy grouping)."""
    from market_warehouse.research.profiles import RETURN_OUTCOMES, _finite, outcome_stats

    labelled = df.loc[df[label_col].notna()]
    rows = []
    for label, group in labelled.groupby(label_col, sort=True):
        row = {
            label_col: label,
            "row_count": len(group),
            "ticker_count": int(group["ticker"].nunique()),
            "date_min": group["trade_date"].min(),
            "date_max": group["trade_date"].max(),
            "share_of_dataset": len(group) / len(labelled),
        }
        for f in features:
            v = _finite(group[f].to_numpy(dtype=np.float64))
            row[f"{f}_mean"] = float(v.mean()) if v.size else np.nan
            row[f"{f}_std"] = float(v.std(ddof=0)) if v.size else np.nan
        for o in outcomes:
            stats = outcome_stats(group[o].to_numpy(dtype=np.float64), o in RETURN_OUTCOMES)
            row.update({f"{o}_{k}": v for k, v in stats.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def test_profile_frame_equals_a_pandas_groupby_reference_bit_for_bit():
    rng = np.random.default_rng(9)
    n = 5000
    df = pd.DataFrame(
        {
            "ticker": rng.integers(0, 40, n),
            "trade_date": pd.to_datetime("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 900, n), "D"),
            "label": rng.integers(0, 6, n).astype(float),
            "tmf_21": rng.normal(size=n),
            "state_run_length": rng.integers(1, 50, n),
            "fwd_ret_10": rng.normal(0, 0.02, n),
            "fwd_vol_10": rng.random(n),
        }
    )
    df.loc[rng.choice(n, 300, replace=False), "label"] = np.nan
    df.loc[rng.choice(n, 200, replace=False), "fwd_ret_10"] = np.nan
    df.loc[rng.choice(n, 20, replace=False), "tmf_21"] = np.inf
    df.loc[df["label"] == 5, "fwd_vol_10"] = np.nan  # a label without a finite outcome
    features, outcomes = ["tmf_21", "state_run_length"], ["fwd_ret_10", "fwd_vol_10"]
    got = profile_frame(df, "label", features, outcomes)
    expected = _groupby_profile(df, "label", features, outcomes)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
