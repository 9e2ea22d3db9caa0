"""Metrics shared by the clustering and HMM research models."""

# scikit-learn convention: X is the feature matrix.
# ruff: noqa: N803, N806

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

#: Probabilities are floored here before the log in entropies (REFERENCE §8.2).
PROB_FLOOR = 1e-12


def row_entropy(proba: np.ndarray) -> np.ndarray:
    """Entropy per row, -sum p ln(max(p, 1e-12)), in nats; ``proba`` (n, k) -> (n,)."""
    p = np.asarray(proba, dtype=np.float64)
    return -(p * np.log(np.maximum(p, PROB_FLOOR))).sum(axis=1)


def geometry_metrics(
    X: np.ndarray,
    labels: np.ndarray,
    silhouette_sample_max: int = 200_000,
    seed: int = 42,
) -> dict[str, float | int]:
    """Silhouette, Davies-Bouldin and Calinski-Harabasz of ``labels`` on ``X`` (n, f).

    Silhouette uses a subsample without replacement of at most ``silhouette_sample_max`` rows
    drawn with ``numpy.random.default_rng(seed)`` (all rows when n is at most the cap). The
    three scores are NaN when fewer than 2 labels are present (labels < 0 are noise and not
    counted) or there are fewer than 3 rows; silhouette is also NaN when the subsample holds
    fewer than 2 labels or as many labels as rows.

    Returns a dict: ``n_rows``, ``n_clusters_detected``, ``silhouette``, ``davies_bouldin``,
    ``calinski_harabasz``, ``silhouette_n_rows``.
    """
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    n = len(labels)
    detected = int(np.unique(labels[labels >= 0]).size)
    out: dict[str, float | int] = {
        "n_rows": n,
        "n_clusters_detected": detected,
        "silhouette": np.nan,
        "davies_bouldin": np.nan,
        "calinski_harabasz": np.nan,
        "silhouette_n_rows": 0,
    }
    if detected < 2 or n < 3:
        return out
    out["davies_bouldin"] = float(davies_bouldin_score(X, labels))
    out["calinski_harabasz"] = float(calinski_harabasz_score(X, labels))
    if n > silhouette_sample_max:
        idx = np.sort(
            np.random.default_rng(seed).choice(n, size=silhouette_sample_max, replace=False)
        )
        xs, ls = X[idx], labels[idx]
    else:
        xs, ls = X, labels
    n_lab = np.unique(ls).size
    out["silhouette_n_rows"] = len(ls)
    if 2 <= n_lab <= len(ls) - 1:
        out["silhouette"] = float(silhouette_score(xs, ls))
    return out


def pairwise_ari(labelings: Mapping[int, np.ndarray]) -> pd.DataFrame:
    """Adjusted Rand index for every pair of labelings (keyed by seed).

    Returns columns ``seed_a``, ``seed_b``, ``ari`` (one row per unordered pair, seed_a < seed_b
    in key order).
    """
    rows = [
        {"seed_a": a, "seed_b": b, "ari": float(adjusted_rand_score(labelings[a], labelings[b]))}
        for a, b in itertools.combinations(list(labelings), 2)
    ]
    return pd.DataFrame(rows, columns=["seed_a", "seed_b", "ari"])


def ari_summary(pairs: pd.DataFrame) -> dict[str, float | int]:
    """Mean, median, min and max of the ``ari`` column of :func:`pairwise_ari` (NaN if empty)."""
    a = pairs["ari"].to_numpy(dtype=np.float64)
    if a.size == 0:
        return {
            "n_pairs": 0,
            "ari_mean": np.nan,
            "ari_median": np.nan,
            "ari_min": np.nan,
            "ari_max": np.nan,
        }
    return {
        "n_pairs": int(a.size),
        "ari_mean": float(a.mean()),
        "ari_median": float(np.median(a)),
        "ari_min": float(a.min()),
        "ari_max": float(a.max()),
    }


def align_by_means(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Hungarian alignment of ``other``'s components to ``reference``'s.

    Both are (k, f) arrays of component means. Returns ``perm`` (k,) such that component
    ``perm[i]`` of ``other`` matches component ``i`` of ``reference``, minimising the total
    squared Euclidean distance (``scipy.optimize.linear_sum_assignment``). To relabel
    ``other``'s labels into the reference ids use :func:`inverse_permutation` of ``perm``.
    """
    ref = np.asarray(reference, dtype=np.float64)
    oth = np.asarray(other, dtype=np.float64)
    cost = ((ref[:, None, :] - oth[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(len(rows), dtype=np.int64)
    perm[rows] = cols
    return perm


def inverse_permutation(perm: Sequence[int] | np.ndarray) -> np.ndarray:
    """``inv`` with ``inv[perm[i]] = i``: maps an old id to its new id."""
    perm = np.asarray(perm, dtype=np.int64)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    return inv


def sizes_frame(labelings: Mapping[int, np.ndarray], label_name: str) -> pd.DataFrame:
    """Row count and share per label per seed: columns ``seed``, ``<label_name>``,
    ``row_count``, ``share``."""
    frames = []
    for seed, labels in labelings.items():
        vals, counts = np.unique(np.asarray(labels), return_counts=True)
        frames.append(
            pd.DataFrame(
                {
                    "seed": seed,
                    label_name: vals,
                    "row_count": counts,
                    "share": counts / counts.sum(),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["seed", label_name, "row_count", "share"])
    return pd.concat(frames, ignore_index=True)
