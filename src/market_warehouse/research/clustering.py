"""KMeans and Gaussian-mixture clustering of scaled features (REFERENCE Part A §8).

Canonical cluster order
-----------------------
Raw cluster ids from scikit-learn depend on the seed. After fitting, clusters are renumbered
0..k-1 by, in this order of precedence:

1. ascending mean of the ordering values ``y`` over the fit rows of the cluster, finite values
   only (pass ``fwd_ret_10``; a cluster with no finite value sorts last). When ``y`` is not
   given, the mean of the first feature column over the cluster's fit rows is used;
2. descending cluster size on the fit rows (bigger first);
3. ascending centroid, compared feature by feature.

So cluster 0 has the lowest mean forward return on the rows it was fitted on, in every run.
``y`` only orders the ids; it never influences the fit. Fit rows are hard-assigned with
``predict`` for the ordering (for a mixture, the argmax component).
"""

# scikit-learn convention: X is the feature matrix.
# ruff: noqa: N803, N806

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture
from sklearn.utils.validation import check_is_fitted

from market_warehouse.research.metrics import (
    ari_summary,
    geometry_metrics,
    pairwise_ari,
    row_entropy,
    sizes_frame,
)

Method = Literal["kmeans", "gmm"]

#: Proposed caps for runs, sweeps and stability (measured in the benchmark module): a k-means
#: fit with n_init=20 on 50,000 rows x 25 features takes ~2 s, on 200,000 rows ~11 s; silhouette
#: is quadratic (20,000 rows ~8 s, 50,000 rows ~40 s). The reference's 200,000-row silhouette
#: (the default of :func:`geometry_metrics`) would take over 10 minutes.
DEFAULT_FIT_SAMPLE_MAX = 50_000
DEFAULT_SILHOUETTE_SAMPLE_MAX = 20_000

#: Rows per block when predicting and summing the inertia: row-wise results do not depend on
#: it; it bounds the temporaries (a mixture's predict squares its input) on millions of rows.
PREDICT_BLOCK_ROWS = 262_144


def _blocks(n: int) -> range:
    return range(0, n, PREDICT_BLOCK_ROWS)


def _inertia(X: np.ndarray, centers: np.ndarray, raw: np.ndarray) -> float:
    """Sum of squared distances of the rows of ``X`` (n, f) to ``centers[raw]`` (k, f), summed
    per block of :data:`PREDICT_BLOCK_ROWS` rows (each block's sum is numpy's sum of the
    block's (rows, f) squares; the block sums are added in order). One reused buffer instead
    of two of the three temporaries per block: the same operations, so the same bits."""
    n = X.shape[0]
    buf = np.empty((min(n, PREDICT_BLOCK_ROWS), X.shape[1]))
    total = 0.0
    for i in _blocks(n):
        block = X[i : i + PREDICT_BLOCK_ROWS]
        d = buf[: len(block)]
        # (np.take with out= is several times slower than fancy indexing here)
        np.subtract(block, centers[raw[i : i + PREDICT_BLOCK_ROWS]], out=d)
        np.square(d, out=d)
        total += float(d.sum())
    return float(total)


class ClusterModel(ClusterMixin, BaseEstimator):
    """KMeans or diagonal Gaussian mixture with canonical cluster ids.

    Parameters
    ----------
    method:
        ``"kmeans"``: ``KMeans(n_clusters, n_init=20, max_iter=300)``, k-means++ init.
        ``"gmm"``: ``GaussianMixture(n_clusters, covariance_type="diag", reg_covar=1e-6,
        max_iter=200)``, one k-means init. (The predecessor's settings.)
    n_clusters:
        k, at least 2.
    random_state:
        Seed for the estimator and for ``fit_sample_max`` subsampling.
    fit_sample_max:
        If set and the fit matrix has more rows, the estimator is fitted on a subsample without
        replacement drawn with ``numpy.random.default_rng(random_state)``. The canonical order
        and ``inertia_`` still use every row passed to ``fit``.

    Attributes
    ----------
    estimator_: the fitted scikit-learn estimator (raw ids).
    label_order_: ndarray (k,), raw id of canonical cluster i.
    raw_to_canonical_: ndarray (k,), canonical id of raw cluster j.
    cluster_centers_: ndarray (k, n_features), canonical order (GMM: component means).
    order_values_: ndarray (k,), the ordering mean per canonical cluster.
    cluster_sizes_: ndarray (k,), fit rows per canonical cluster.
    inertia_: float, sum of squared distances of the fit rows to their assigned centre.
    bic_, aic_: float (GMM on the rows it was fitted on; NaN for KMeans).
    converged_: bool; n_iter_: int; n_fit_rows_: int (rows actually used by the estimator).
    """

    def __init__(
        self,
        method: Method = "kmeans",
        n_clusters: int = 5,
        random_state: int = 42,
        n_init: int = 20,
        max_iter: int = 300,
        reg_covar: float = 1e-6,
        gmm_max_iter: int = 200,
        fit_sample_max: int | None = None,
    ) -> None:
        self.method = method
        self.n_clusters = n_clusters
        self.random_state = random_state
        self.n_init = n_init
        self.max_iter = max_iter
        self.reg_covar = reg_covar
        self.gmm_max_iter = gmm_max_iter
        self.fit_sample_max = fit_sample_max

    def _make_estimator(self) -> KMeans | GaussianMixture:
        if self.method == "kmeans":
            return KMeans(
                n_clusters=self.n_clusters,
                n_init=self.n_init,
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
        if self.method == "gmm":
            return GaussianMixture(
                n_components=self.n_clusters,
                covariance_type="diag",
                reg_covar=self.reg_covar,
                max_iter=self.gmm_max_iter,
                random_state=self.random_state,
            )
        raise ValueError(f"method must be 'kmeans' or 'gmm', got {self.method!r}")

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> ClusterModel:
        """Fit on ``X`` (n_rows, n_features); ``y`` (n_rows,) only orders the cluster ids."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or not np.isfinite(X).all():
            raise ValueError("X must be a finite 2-D array (apply the null policy first)")
        if self.n_clusters < 2:
            raise ValueError("n_clusters must be >= 2")
        n = X.shape[0]
        if self.fit_sample_max is not None and n > self.fit_sample_max:
            rng = np.random.default_rng(self.random_state)
            idx = np.sort(rng.choice(n, size=self.fit_sample_max, replace=False))
            X_est = X[idx]
        else:
            X_est = X
        est = self._make_estimator().fit(X_est)
        self.estimator_ = est
        self.n_features_in_ = X.shape[1]
        self.n_fit_rows_ = int(X_est.shape[0])

        k = self.n_clusters
        raw = self._raw_predict(X)
        centers = est.cluster_centers_ if self.method == "kmeans" else est.means_
        sizes = np.bincount(raw, minlength=k)
        key_values = X[:, 0] if y is None else np.asarray(y, dtype=np.float64)
        if key_values.shape[0] != n:
            raise ValueError("y must have one value per row of X")
        means = np.full(k, np.nan)
        for j in range(k):
            v = key_values[(raw == j) & np.isfinite(key_values)]
            if v.size:
                means[j] = v.mean()
        order = sorted(
            range(k),
            key=lambda j: (
                np.inf if np.isnan(means[j]) else means[j],
                -sizes[j],
                tuple(centers[j]),
            ),
        )
        self.label_order_ = np.asarray(order, dtype=np.int64)
        self.raw_to_canonical_ = np.empty(k, dtype=np.int64)
        self.raw_to_canonical_[self.label_order_] = np.arange(k)
        self.cluster_centers_ = np.asarray(centers)[self.label_order_]
        self.order_values_ = means[self.label_order_]
        self.cluster_sizes_ = sizes[self.label_order_]
        self.inertia_ = _inertia(X, np.asarray(centers, dtype=np.float64), raw)
        if self.method == "gmm":
            self.bic_ = float(est.bic(X_est))
            self.aic_ = float(est.aic(X_est))
            self.converged_ = bool(est.converged_)
        else:
            self.bic_ = np.nan
            self.aic_ = np.nan
            self.converged_ = bool(est.n_iter_ < self.max_iter)
        self.n_iter_ = int(est.n_iter_)
        return self

    def _raw_predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        raw = np.empty(X.shape[0], dtype=np.int64)
        for i in _blocks(X.shape[0]):
            raw[i : i + PREDICT_BLOCK_ROWS] = self.estimator_.predict(X[i : i + PREDICT_BLOCK_ROWS])
        return raw

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Canonical cluster id per row, shape (n_rows,), int64."""
        check_is_fitted(self, "estimator_")
        return self.raw_to_canonical_[self._raw_predict(X)]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """GMM posteriors, shape (n_rows, k), columns in canonical order. GMM only."""
        check_is_fitted(self, "estimator_")
        if self.method != "gmm":
            raise AttributeError("predict_proba is only available for method='gmm'")
        X = np.asarray(X, dtype=np.float64)
        proba = np.empty((X.shape[0], self.n_clusters))
        for i in _blocks(X.shape[0]):
            block = self.estimator_.predict_proba(X[i : i + PREDICT_BLOCK_ROWS])
            proba[i : i + PREDICT_BLOCK_ROWS] = block[:, self.label_order_]
        return proba

    def fit_predict(self, X: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        return self.fit(X, y).predict(X)


def cluster_assignments(model: ClusterModel, X: np.ndarray, ids: pd.DataFrame) -> pd.DataFrame:
    """Per-row output: ``ids`` columns (as given, index reset) plus ``cluster_id`` (int),
    ``cluster_prob_max`` and ``cluster_entropy`` (GMM; NaN for KMeans). ``X`` is (n, f) with
    rows aligned to ``ids``."""
    out = ids.reset_index(drop=True).copy()
    out["cluster_id"] = model.predict(X)
    if model.method == "gmm":
        proba = model.predict_proba(X)
        out["cluster_prob_max"] = proba.max(axis=1)
        out["cluster_entropy"] = row_entropy(proba)
    else:
        out["cluster_prob_max"] = np.nan
        out["cluster_entropy"] = np.nan
    return out


def model_metrics(
    model: ClusterModel,
    X_predict: np.ndarray,
    silhouette_sample_max: int = 200_000,
    seed: int = 42,
) -> dict[str, float | int | bool]:
    """Geometry metrics on the predict matrix plus the model's fit metrics.

    Keys: those of :func:`geometry_metrics` and ``inertia``, ``bic``, ``aic``, ``converged``,
    ``n_iter``, ``n_fit_rows``.
    """
    labels = model.predict(X_predict)
    out: dict[str, float | int | bool] = dict(
        geometry_metrics(X_predict, labels, silhouette_sample_max, seed)
    )
    out.update(
        inertia=model.inertia_,
        bic=model.bic_,
        aic=model.aic_,
        converged=model.converged_,
        n_iter=model.n_iter_,
        n_fit_rows=model.n_fit_rows_,
    )
    return out


SWEEP_COLUMNS = [
    "method",
    "n_clusters",
    "status",
    "error",
    "n_rows",
    "n_clusters_detected",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
    "silhouette_n_rows",
    "inertia",
    "bic",
    "aic",
    "converged",
    "n_iter",
    "n_fit_rows",
]


def cluster_sweep(
    X_fit: np.ndarray,
    X_predict: np.ndarray,
    methods: Sequence[Method] = ("kmeans", "gmm"),
    k_values: Sequence[int] = (4, 5, 6, 8),
    random_state: int = 42,
    y_fit: np.ndarray | None = None,
    silhouette_sample_max: int = DEFAULT_SILHOUETTE_SAMPLE_MAX,
    fit_sample_max: int | None = DEFAULT_FIT_SAMPLE_MAX,
) -> pd.DataFrame:
    """One row per (method, k) with the metrics of :func:`model_metrics`.

    k values are clamped to at least 2. A fit that raises gives ``status="error"`` and the
    message in ``error`` instead of stopping the sweep. Columns: :data:`SWEEP_COLUMNS`.
    """
    rows = []
    for method in methods:
        for k in k_values:
            k = max(2, int(k))
            row: dict[str, object] = {"method": method, "n_clusters": k}
            try:
                model = ClusterModel(
                    method=method,
                    n_clusters=k,
                    random_state=random_state,
                    fit_sample_max=fit_sample_max,
                ).fit(X_fit, y_fit)
                row.update(model_metrics(model, X_predict, silhouette_sample_max, random_state))
                row.update(status="ok", error=None)
            except (ValueError, np.linalg.LinAlgError) as exc:
                row.update(status="error", error=str(exc))
            rows.append(row)
    return pd.DataFrame(rows).reindex(columns=SWEEP_COLUMNS)


@dataclass
class StabilityResult:
    """Seed stability.

    ``summary``: one row: ``n_seeds, n_pairs, ari_mean, ari_median, ari_min, ari_max``.
    ``pairs``: ``seed_a, seed_b, ari``. ``sizes``: ``seed, <label>, row_count, share``.
    ``labels``: seed -> predicted labels (n_predict,).
    """

    summary: pd.DataFrame
    pairs: pd.DataFrame
    sizes: pd.DataFrame
    labels: dict[int, np.ndarray]


def cluster_stability(
    X_fit: np.ndarray,
    X_predict: np.ndarray,
    method: Method = "kmeans",
    n_clusters: int = 5,
    seeds: Iterable[int] = range(42, 52),
    y_fit: np.ndarray | None = None,
    fit_sample_max: int | None = DEFAULT_FIT_SAMPLE_MAX,
    known_labels: Mapping[int, np.ndarray] | None = None,
) -> StabilityResult:
    """Refit once per seed, predict ``X_predict`` and compare labelings pairwise by ARI.

    Cluster ids are canonical (see module docstring), so ``sizes`` compare across seeds.
    ``known_labels``: seed -> the canonical labels of ``X_predict`` from a fit with exactly
    these arguments (e.g. the stored main clustering); those seeds are not refitted.
    """
    labels: dict[int, np.ndarray] = {}
    for seed in seeds:
        if known_labels is not None and int(seed) in known_labels:
            labels[int(seed)] = np.asarray(known_labels[int(seed)], dtype=np.int64)
            continue
        model = ClusterModel(
            method=method, n_clusters=n_clusters, random_state=seed, fit_sample_max=fit_sample_max
        ).fit(X_fit, y_fit)
        labels[int(seed)] = model.predict(X_predict)
    pairs = pairwise_ari(labels)
    summary = pd.DataFrame([{"n_seeds": len(labels), **ari_summary(pairs)}])
    return StabilityResult(summary, pairs, sizes_frame(labels, "cluster_id"), labels)
