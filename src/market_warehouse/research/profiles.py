"""Per-label profiles (REFERENCE Part A §8.3) and robustness summaries (§8.4, §9).

A label is a cluster id or an HMM state. Every statistic uses finite values only (NaN, NULL and
+/-inf are skipped); standard deviations are population (ddof 0); quantiles are linear.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from market_warehouse.research.preprocessing import FORWARD_COLUMNS

#: Feature columns profiled by mean and std (REFERENCE §8.3).
PROFILE_FEATURES: tuple[str, ...] = (
    "tmf_21",
    "delta_flow_20",
    "flow_activity_20",
    "flow_bias_20",
    "oscillation_index_20",
    "state_run_length",
    "long_flow_score_20",
    "short_flow_score_20",
    "persistence_pos_20",
    "persistence_neg_20",
)

#: Outcomes that also get a hit rate (share of finite values > 0).
RETURN_OUTCOMES: tuple[str, ...] = ("fwd_ret_5", "fwd_ret_10", "fwd_ret_20")


def _finite(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    return v[np.isfinite(v)]


def outcome_stats(values: np.ndarray, hit_rate: bool = False) -> dict[str, float | int]:
    """n, mean, median, std (ddof 0), p10, p90 (linear) of the finite values; NaN when n = 0.

    With ``hit_rate`` also the share of finite values > 0.
    """
    v = _finite(values)
    n = int(v.size)
    if n:
        p10, med, p90 = np.quantile(v, [0.1, 0.5, 0.9])
        out = {
            "n": n,
            "mean": float(v.mean()),
            "median": float(med),
            "std": float(v.std(ddof=0)),
            "p10": float(p10),
            "p90": float(p90),
        }
    else:
        out = {
            "n": 0,
            "mean": np.nan,
            "median": np.nan,
            "std": np.nan,
            "p10": np.nan,
            "p90": np.nan,
        }
    if hit_rate:
        out["hit_rate"] = float((v > 0).mean()) if n else np.nan
    return out


def _guard(name: str, stats: dict[str, float | int]) -> None:
    """Consistency guard of REFERENCE §8.3."""
    n = stats["n"]
    mean, median = stats["mean"], stats["median"]
    if n > 0 and not (np.isfinite(mean) and np.isfinite(median)):
        raise ValueError(f"profile guard: {name} has n={n} but mean/median not finite")
    if n == 0 and not (np.isnan(mean) and np.isnan(median)):
        raise ValueError(f"profile guard: {name} has n=0 but a mean/median")


def profile_frame(
    df: pd.DataFrame,
    label_col: str,
    features: Sequence[str] = PROFILE_FEATURES,
    outcomes: Sequence[str] = FORWARD_COLUMNS,
) -> pd.DataFrame:
    """One row per label value with sizes, feature moments and forward outcome aggregates.

    Parameters
    ----------
    df:
        Labelled rows, shape (n_rows, ...): ``label_col``, ``ticker``, ``trade_date`` and any of
        ``features``/``outcomes``. Rows with a NULL label are ignored.

    Returns
    -------
    DataFrame sorted by label with columns ``<label_col>, row_count, ticker_count, date_min,
    date_max, share_of_dataset`` (row_count / labelled rows), ``<f>_mean, <f>_std`` per feature,
    ``<o>_n, <o>_mean, <o>_median, <o>_std, <o>_p10, <o>_p90`` per outcome and
    ``<o>_hit_rate`` for return outcomes. A requested column missing from ``df`` yields
    NaN (and ``_n`` = 0), so the schema does not depend on the input. Raises ``ValueError``
    when the consistency guard fails.
    """
    has_label = df[label_col].notna().to_numpy()
    labelled = df if has_label.all() else df.loc[has_label]
    total = len(labelled)
    # The rows of each label in their input order (a stable sort by label: increasing row
    # numbers per label), taken from numpy columns: the same values in the same order as
    # pandas' groupby, without its frame copies.
    values, inverse = np.unique(labelled[label_col].to_numpy(), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(inverse, minlength=len(values)))]
    numeric = {
        c: labelled[c].to_numpy(dtype=np.float64)
        for c in dict.fromkeys([*features, *outcomes])
        if c in labelled
    }
    rows = []
    for g, label in enumerate(values):
        idx = order[bounds[g] : bounds[g + 1]]
        n_g = len(idx)
        row: dict[str, object] = {
            label_col: label,
            "row_count": n_g,
            "ticker_count": int(labelled["ticker"].take(idx).nunique())
            if "ticker" in labelled
            else 0,
            "date_min": labelled["trade_date"].take(idx).min()
            if "trade_date" in labelled
            else None,
            "date_max": labelled["trade_date"].take(idx).max()
            if "trade_date" in labelled
            else None,
            "share_of_dataset": n_g / total,
        }
        for f in features:
            v = _finite(numeric[f][idx]) if f in numeric else np.empty(0)
            row[f"{f}_mean"] = float(v.mean()) if v.size else np.nan
            row[f"{f}_std"] = float(v.std(ddof=0)) if v.size else np.nan
        for o in outcomes:
            v = numeric[o][idx] if o in numeric else np.empty(0)
            stats = outcome_stats(v, hit_rate=o in RETURN_OUTCOMES)
            _guard(f"{label_col}={label} {o}", stats)
            for key, value in stats.items():
                row[f"{o}_{key}"] = value
        rows.append(row)
    return pd.DataFrame(rows)


def robustness_summary(
    profile: pd.DataFrame,
    silhouette: float | None = None,
    ari_mean: float | None = None,
) -> dict[str, object]:
    """Concentration and separation of a profile (REFERENCE §8.4).

    Returns ``largest_share``, ``effective_count`` (1 / sum share^2),
    ``forward_separation_score`` (max - min of ``fwd_ret_10_mean``, NaN if absent) and
    ``notes`` (a comma-separated string of the §8.4 flags that apply).
    """
    shares = profile["share_of_dataset"].to_numpy(dtype=np.float64)
    largest = float(shares.max()) if shares.size else np.nan
    effective = float(1.0 / (shares**2).sum()) if shares.size else np.nan
    sep = np.nan
    if "fwd_ret_10_mean" in profile:
        m = _finite(profile["fwd_ret_10_mean"].to_numpy(dtype=np.float64))
        sep = float(m.max() - m.min()) if m.size else np.nan
    notes = []
    if silhouette is not None and np.isfinite(silhouette):
        notes.append("weak_cluster_geometry" if silhouette < 0.10 else "cluster_geometry_ok")
    if largest > 0.70:
        notes.append("high_concentration")
    if np.isfinite(sep) and abs(sep) < 0.002:
        notes.append("weak_forward_separation")
    if ari_mean is not None and np.isfinite(ari_mean) and ari_mean < 0.50:
        notes.append("low_seed_stability")
    return {
        "largest_share": largest,
        "effective_count": effective,
        "forward_separation_score": sep,
        "notes": ",".join(notes),
    }
