# X is the feature matrix (scikit-learn convention).
# ruff: noqa: N806
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from market_warehouse.research import (
    ClusterModel,
    cluster_assignments,
    cluster_stability,
    cluster_sweep,
    run_clustering,
)

CENTRES = np.array([[0.0, 0.0, 0.0], [6.0, 0.0, 0.0], [0.0, 6.0, 0.0], [0.0, 0.0, 6.0]])
# Planted forward return per blob: ascending order of return is blob 2, 0, 3, 1.
BLOB_RETURNS = np.array([0.01, 0.03, -0.02, 0.02])


def _blobs(n_per: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(4), n_per)
    X = CENTRES[truth] + rng.standard_normal((truth.size, 3))
    y = BLOB_RETURNS[truth] + rng.normal(0, 0.001, truth.size)
    return X, y, truth


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_well_separated_blobs_are_recovered(method):
    X, y, truth = _blobs()
    labels = ClusterModel(method, n_clusters=4, random_state=1).fit(X, y).predict(X)
    assert adjusted_rand_score(truth, labels) >= 0.95


def test_cluster_ids_are_ordered_by_mean_forward_return_on_fit_rows_for_every_seed():
    X, y, truth = _blobs()
    expected_blob_of_id = np.argsort(BLOB_RETURNS)  # id 0 = blob 2 (lowest return), ...
    for seed in (1, 2, 3):
        model = ClusterModel("kmeans", n_clusters=4, random_state=seed).fit(X, y)
        labels = model.predict(X)
        majority_blob = [np.bincount(truth[labels == c]).argmax() for c in range(4)]
        assert majority_blob == expected_blob_of_id.tolist()
        assert np.all(np.diff(model.order_values_) > 0)


def test_without_forward_returns_ids_follow_the_first_feature_mean():
    X, _, truth = _blobs()
    X = X[:, [1, 0, 2]]  # first feature = blob 2's axis: blob 2 has the largest mean
    model = ClusterModel("kmeans", n_clusters=4, random_state=0).fit(X)
    labels = model.predict(X)
    assert np.bincount(truth[labels == 3]).argmax() == 2
    first_means = [X[labels == c, 0].mean() for c in range(4)]
    assert first_means == sorted(first_means)


def test_inertia_matches_sklearn_and_gmm_reports_bic_aic_prob_and_entropy():
    X, y, _ = _blobs()
    km = ClusterModel("kmeans", n_clusters=4, random_state=0).fit(X, y)
    ref = KMeans(4, n_init=20, max_iter=300, random_state=0).fit(X)
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)
    gm = ClusterModel("gmm", n_clusters=4, random_state=0).fit(X, y)
    assert np.isfinite(gm.bic_) and np.isfinite(gm.aic_) and gm.bic_ > gm.aic_
    ids = pd.DataFrame({"row": np.arange(len(X))})
    out = cluster_assignments(gm, X, ids)
    proba = gm.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(out["cluster_id"], proba.argmax(axis=1))
    np.testing.assert_array_equal(out["cluster_prob_max"], proba.max(axis=1))
    expected_h = -(proba * np.log(np.maximum(proba, 1e-12))).sum(axis=1)
    np.testing.assert_allclose(out["cluster_entropy"], expected_h)
    km_out = cluster_assignments(km, X, ids)
    assert km_out["cluster_prob_max"].isna().all()


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        ClusterModel().predict(np.zeros((2, 2)))


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_same_seed_gives_identical_frames(method, gold_frame):
    df = gold_frame(n_tickers=3, n_rows=80, features=("f1", "f2", "f3"))
    runs = [
        run_clustering(df, method=method, n_clusters=3, features=["f1", "f2", "f3"], random_state=5)
        for _ in range(2)
    ]
    pd.testing.assert_frame_equal(runs[0].rows, runs[1].rows)
    pd.testing.assert_frame_equal(runs[0].metrics, runs[1].metrics)
    pd.testing.assert_frame_equal(runs[0].run, runs[1].run)


def test_sweep_has_one_row_per_method_and_clamped_k_and_stability_is_perfect_on_blobs():
    X, y, _ = _blobs(n_per=100)
    sweep = cluster_sweep(X, X, methods=("kmeans", "gmm"), k_values=(1, 4), y_fit=y)
    assert sweep[["method", "n_clusters"]].values.tolist() == [
        ["kmeans", 2],
        ["kmeans", 4],
        ["gmm", 2],
        ["gmm", 4],
    ]
    assert (sweep["status"] == "ok").all()
    assert np.isfinite(sweep.loc[sweep["method"] == "gmm", "bic"]).all()
    assert sweep.loc[sweep["method"] == "kmeans", "bic"].isna().all()
    stab = cluster_stability(X, X, "kmeans", 4, seeds=range(3), y_fit=y)
    assert stab.summary.loc[0, "ari_min"] == 1.0 and stab.summary.loc[0, "n_pairs"] == 3
    # Canonical ids: sizes per id are the same for every seed.
    sizes = stab.sizes.pivot(index="cluster_id", columns="seed", values="row_count")
    assert (sizes.nunique(axis=1) == 1).all()


def test_run_clustering_reports_split_and_null_counts(gold_frame):
    df = gold_frame(n_tickers=2, n_rows=60, features=("f1", "f2"))
    df.loc[[0, 1], "f1"] = np.nan  # warm-up NULLs of ticker T0
    dates = sorted(df["trade_date"].unique())
    res = run_clustering(
        df,
        features=["f1", "f2"],
        n_clusters=2,
        split_mode="time",
        train_end=dates[39],
        horizon_bars=10,
        embargo_bars=2,
    )
    r = res.report
    assert r["n_rows_dropped_null"] == 2
    assert r["split_n_rows_purged"] == 20 and r["split_n_rows_embargoed"] == 4
    assert r["n_rows_train_kept"] == 2 * 28 - 2
    assert r["n_rows_fit"] == 54 and r["n_rows_predict"] == 40
    assert len(res.rows) == 118
    assert res.run.loc[0, "n_rows_fit"] == 54
    assert set(res.rows.columns) >= {"cluster_id", "is_train", "is_test", "fwd_ret_10"}


def test_inertia_sums_each_block_of_squares_in_order(monkeypatch):
    import market_warehouse.research.clustering as clustering

    rng = np.random.default_rng(4)
    X, centers = rng.standard_normal((1000, 3)), rng.standard_normal((4, 3))
    raw = rng.integers(0, 4, 1000)
    monkeypatch.setattr(clustering, "PREDICT_BLOCK_ROWS", 128)
    expected = 0.0
    for i in range(0, 1000, 128):
        expected += float(((X[i : i + 128] - centers[raw[i : i + 128]]) ** 2).sum())
    assert clustering._inertia(X, centers, raw) == expected
    assert expected == pytest.approx(((X - centers[raw]) ** 2).sum(), rel=1e-12)


def test_stability_with_the_known_labels_of_a_seed_equals_refitting_it():
    rng = np.random.default_rng(12)
    centres = rng.normal(0, 4, size=(3, 4))
    X = np.vstack([c + rng.standard_normal((300, 4)) for c in centres])
    y = rng.normal(size=len(X))
    X_fit, X_pred, y_fit = X[::2], X[1::2], y[::2]
    params = dict(method="kmeans", n_clusters=3, y_fit=y_fit, fit_sample_max=200)
    ref = cluster_stability(X_fit, X_pred, seeds=[1, 2, 3], **params)
    main = ClusterModel(n_clusters=3, random_state=2, fit_sample_max=200).fit(X_fit, y_fit)
    got = cluster_stability(
        X_fit, X_pred, seeds=[1, 2, 3], known_labels={2: main.predict(X_pred)}, **params
    )
    pd.testing.assert_frame_equal(got.pairs, ref.pairs)
    for seed in (1, 2, 3):
        np.testing.assert_array_equal(got.labels[seed], ref.labels[seed])
