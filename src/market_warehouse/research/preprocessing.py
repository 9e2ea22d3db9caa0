"""Feature selection, null policy and scaling for the research models.

Everything here takes a pandas frame at the gold grain (one row per ``ticker`` and
``trade_date``) and returns frames or arrays. Nothing reads or writes files.

Null policy (REFERENCE Part B item 12)
--------------------------------------
Two policies, chosen with ``null_policy``:

``"fill"`` (default)
    NULLs that only mean "no event yet" get the documented values in :data:`NULL_FILL_VALUES`
    (recency features ``rec_*`` = 1.0, "the event is not within the last 20 bars";
    ``flow_bias_20`` = 0.0, "no flow activity, no bias"). The gold layer already applies the
    same fills, so this is a guard. Any NULL that is left after the fill is a warm-up NULL
    (an indicator that has not seen enough bars yet): such rows are dropped and counted as
    ``n_rows_dropped_null``.
``"drop"``
    Every row with a NULL in any selected feature is dropped and counted.

In both policies +/-inf is treated as NULL. Dropped rows are never silent: the counts are in
:attr:`PreparedFeatures.report`, and each kept row carries ``has_dropped_row_before`` (the row
just before it in the same ticker was dropped) so that sequence models can split at the hole.
"""

# scikit-learn convention: X is the feature matrix.
# ruff: noqa: N803, N806

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

#: The 25 features of REFERENCE Part A §8.1, in that order.
DEFAULT_FEATURES: tuple[str, ...] = (
    "tmf_21",
    "tmf_abs",
    "tmf_slope_1",
    "tmf_slope_5",
    "tmf_slope_10",
    "tmf_curvature_1",
    "tti_proxy_v1_21",
    "tti_proxy_slope_1",
    "tti_proxy_slope_5",
    "long_flow_score_20",
    "short_flow_score_20",
    "delta_flow_20",
    "flow_activity_20",
    "flow_bias_20",
    "long_burst_20",
    "short_burst_20",
    "persistence_pos_20",
    "persistence_neg_20",
    "oscillation_index_20",
    "respect_fail_balance_20",
    "rec_tmf_zero_up_20",
    "rec_tmf_zero_down_20",
    "rec_tmf_burst_up_20",
    "rec_tmf_burst_down_20",
    "state_run_length",
)

#: Fill values for NULLs that mean "no event yet" (applied only to selected features).
NULL_FILL_VALUES: dict[str, float] = {
    # min(bs_X, 20) / 20 is NULL until the first event: "not within the last 20 bars" = 1.0.
    "rec_tmf_zero_up_20": 1.0,
    "rec_tmf_zero_down_20": 1.0,
    "rec_tmf_burst_up_20": 1.0,
    "rec_tmf_burst_down_20": 1.0,
    "rec_tmf_respect_up_20": 1.0,
    "rec_tmf_respect_down_20": 1.0,
    # delta / activity is NULL when activity = 0: no activity means no bias.
    "flow_bias_20": 0.0,
}

#: Forward outcome columns (look-ahead: never features).
FORWARD_COLUMNS: tuple[str, ...] = (
    "fwd_ret_5",
    "fwd_ret_10",
    "fwd_ret_20",
    "fwd_abs_ret_10",
    "fwd_vol_10",
)

#: Prefixes of columns that use bars after t and therefore can never be features.
LOOKAHEAD_PREFIXES: tuple[str, ...] = ("fwd_", "label_")

ID_COLUMNS: tuple[str, str] = ("ticker", "trade_date")

NullPolicy = Literal["fill", "drop"]


def check_no_lookahead(features: Sequence[str]) -> None:
    """Raise ``ValueError`` if any feature name is a look-ahead column (``fwd_*``/``label_*``)."""
    bad = [f for f in features if f.startswith(LOOKAHEAD_PREFIXES)]
    if bad:
        raise ValueError(f"look-ahead columns cannot be features: {bad}")


def _ticker_codes_and_days(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``ticker`` in sorted ticker order and ``trade_date`` as int64 days."""
    codes = pd.factorize(df["ticker"], sort=True)[0].astype(np.int64)
    days = pd.to_datetime(df["trade_date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    return codes, days


def sort_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` sorted by (ticker, trade_date) with a fresh RangeIndex.

    An input that is already sorted is returned without copying its data (pandas
    copy-on-write). Raises ``ValueError`` if the (ticker, trade_date) grain is violated.
    """
    missing = [c for c in ID_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"missing identity columns: {missing}")
    codes, days = _ticker_codes_and_days(df)
    order = np.lexsort((days, codes))
    if order.size > 1:
        s_codes, s_days = codes[order], days[order]
        if ((s_codes[1:] == s_codes[:-1]) & (s_days[1:] == s_days[:-1])).any():
            raise ValueError("duplicate (ticker, trade_date) rows")
    if np.array_equal(order, np.arange(order.size)):
        return df.reset_index(drop=True)
    return df.take(order).reset_index(drop=True)


@dataclass
class PreparedFeatures:
    """Result of :func:`prepare_features`.

    Attributes
    ----------
    frame:
        Kept rows, sorted by (ticker, trade_date), RangeIndex: the input columns that are not
        features, ``has_dropped_row_before`` (bool), then the feature columns (float64, NULLs
        filled per the policy).
    features:
        The feature names actually used (requested names that exist, in request order).
    missing_features:
        Requested feature names absent from the input (dropped and recorded).
    report:
        Counts: ``n_rows_input``, ``n_rows_output``, ``n_rows_dropped_null``,
        ``n_values_filled`` (dict feature -> count), ``n_values_nonfinite`` (inf turned NULL),
        ``null_policy``.
    """

    frame: pd.DataFrame
    features: list[str]
    missing_features: list[str]
    report: dict[str, Any] = field(default_factory=dict)

    def matrix(self) -> np.ndarray:
        """Feature matrix, shape (n_rows_output, n_features), float64 (a fresh copy)."""
        return self.frame[self.features].to_numpy(dtype=np.float64, copy=True)


def prepare_features(
    df: pd.DataFrame,
    features: Sequence[str] | None = None,
    null_policy: NullPolicy = "fill",
    fill_values: Mapping[str, float] | None = None,
) -> PreparedFeatures:
    """Select features, apply the null policy and sort by (ticker, trade_date).

    Parameters
    ----------
    df:
        Gold rows, shape (n_rows, n_columns), with ``ticker`` and ``trade_date``.
    features:
        Feature names; default :data:`DEFAULT_FEATURES`. Missing names are dropped and listed
        in ``missing_features``; if none exist, ``ValueError``. Look-ahead names raise.
    null_policy:
        ``"fill"`` or ``"drop"`` (see module docstring).
    fill_values:
        Fill dict for ``"fill"``; default :data:`NULL_FILL_VALUES`.
    """
    if null_policy not in ("fill", "drop"):
        raise ValueError(f"null_policy must be 'fill' or 'drop', got {null_policy!r}")
    requested = list(DEFAULT_FEATURES if features is None else features)
    check_no_lookahead(requested)
    used = [f for f in requested if f in df.columns]
    missing = [f for f in requested if f not in df.columns]
    if not used:
        raise ValueError(f"none of the requested features exist: {requested}")

    frame = sort_frame(df)
    sub = frame[used]
    if not all(pd.api.types.is_numeric_dtype(t) for t in sub.dtypes):
        sub = sub.apply(pd.to_numeric, errors="coerce")
    # One float64 matrix (n_rows, n_features), edited in place.
    values = sub.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    del sub
    nonfinite = np.isinf(values)
    n_nonfinite = int(nonfinite.sum())
    if n_nonfinite:
        values[nonfinite] = np.nan
    del nonfinite

    filled: dict[str, int] = {}
    if null_policy == "fill":
        fills = dict(NULL_FILL_VALUES if fill_values is None else fill_values)
        for j, col in enumerate(used):
            if col in fills:
                nulls = np.isnan(values[:, j])
                n_null = int(nulls.sum())
                if n_null:
                    values[nulls, j] = float(fills[col])
                filled[col] = n_null

    keep = ~np.isnan(values).any(axis=1)
    # A kept row whose predecessor in the same ticker was dropped sits after a hole.
    same_ticker_as_prev = frame["ticker"].eq(frame["ticker"].shift(1)).to_numpy()
    prev_dropped = np.r_[False, ~keep[:-1]] & same_ticker_as_prev

    # The kept rows: the other columns are taken (or shared, copy-on-write), the features are
    # one float64 block made from the matrix (at most one more copy of it).
    others = [c for c in frame.columns if c not in used]
    if keep.all():
        kept_values, kept = values, frame[others]
    else:
        kept_values, kept = values[keep], frame.loc[keep, others]
    del values
    kept = kept.reset_index(drop=True).assign(has_dropped_row_before=prev_dropped[keep])
    features_frame = pd.DataFrame(kept_values, columns=used, copy=False)
    out = pd.concat([kept, features_frame], axis=1)

    report = {
        "null_policy": null_policy,
        "n_rows_input": len(frame),
        "n_rows_output": len(out),
        "n_rows_dropped_null": int((~keep).sum()),
        "n_values_filled": filled,
        "n_values_nonfinite": n_nonfinite,
        "missing_features": missing,
    }
    return PreparedFeatures(frame=out, features=used, missing_features=missing, report=report)


def _centre_spread(values: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise centre and spread of ``values`` (n, f), ignoring NaN, then repaired."""
    # All-NaN columns give NaN (then repaired); silence numpy's empty-slice warnings.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if values.shape[0] == 0:
            centre = np.full(values.shape[1], np.nan)
            spread = np.full(values.shape[1], np.nan)
        elif np.isfinite(values).all():
            # Without NaN the plain reductions give the same bits, several times faster.
            if method == "standard":
                centre = np.mean(values, axis=0)
                spread = np.std(values, axis=0, ddof=0)
            else:
                q25, centre, q75 = np.quantile(values, [0.25, 0.5, 0.75], axis=0)
                spread = q75 - q25
        elif method == "standard":
            centre = np.nanmean(values, axis=0)
            spread = np.nanstd(values, axis=0, ddof=0)
        else:
            q25, centre, q75 = np.nanquantile(values, [0.25, 0.5, 0.75], axis=0)
            spread = q75 - q25
    return _repair(centre, spread)


def _repair(centre: np.ndarray, spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    centre = np.where(np.isfinite(centre), centre, 0.0)
    spread = np.where(np.isfinite(spread) & (spread != 0), spread, 1.0)
    return centre.astype(np.float64), spread.astype(np.float64)


class FeatureScaler(TransformerMixin, BaseEstimator):
    """Standard or robust z-scores, global or per ticker, clipped to +/- ``clip``.

    ``fit`` takes a frame with the feature columns (and ``ticker`` for per-ticker scope). Fit it
    on train rows only: it learns from every row it is given.

    Parameters
    ----------
    features:
        Feature columns; default :data:`DEFAULT_FEATURES`.
    method:
        ``"standard"``: centre = mean, spread = population std (ddof 0).
        ``"robust"``: centre = median, spread = Q75 - Q25 (linear interpolation).
        NaN is ignored when fitting. A non-finite centre becomes 0; a zero or non-finite
        spread becomes 1.
    scope:
        ``"global"``: one centre/spread per feature. ``"per_ticker"``: one per (ticker, feature).
        **Unseen tickers**: at transform time a ticker with no fit rows falls back to the global
        parameters fitted on the same train rows (``center_``/``scale_``); such rows are not
        dropped, and :meth:`unseen_ticker_mask` tells which rows used the fallback.
    clip:
        z is clipped to [-clip, clip]; ``None`` disables clipping.

    Attributes
    ----------
    feature_names_in_: ndarray of str, shape (n_features,)
    center_, scale_: ndarray, shape (n_features,)
        Global parameters (always fitted, also the per-ticker fallback).
    ticker_center_, ticker_scale_: DataFrame, shape (n_tickers, n_features)
        Per-ticker parameters (index ``ticker``); only with ``scope="per_ticker"``.
    n_fit_rows_: int
    """

    def __init__(
        self,
        features: Sequence[str] | None = None,
        method: Literal["standard", "robust"] = "standard",
        scope: Literal["global", "per_ticker"] = "global",
        clip: float | None = 8.0,
    ) -> None:
        self.features = features
        self.method = method
        self.scope = scope
        self.clip = clip

    def _feature_list(self) -> list[str]:
        return list(DEFAULT_FEATURES if self.features is None else self.features)

    def fit(self, X: pd.DataFrame, y: Any = None) -> FeatureScaler:
        """Learn centre and spread from the rows of ``X`` (n_rows, >= n_features columns)."""
        if self.method not in ("standard", "robust"):
            raise ValueError(f"method must be 'standard' or 'robust', got {self.method!r}")
        if self.scope not in ("global", "per_ticker"):
            raise ValueError(f"scope must be 'global' or 'per_ticker', got {self.scope!r}")
        feats = self._feature_list()
        check_no_lookahead(feats)
        # A frame of exactly the features (one float64 block) is read without a copy.
        values = (X if list(X.columns) == feats else X[feats]).to_numpy(dtype=np.float64)
        self.feature_names_in_ = np.asarray(feats, dtype=object)
        self.n_features_in_ = len(feats)
        self.n_fit_rows_ = int(values.shape[0])
        self.center_, self.scale_ = _centre_spread(values, self.method)
        if self.scope == "per_ticker":
            grouped = pd.DataFrame(values, columns=feats).groupby(X["ticker"].to_numpy(), sort=True)
            if self.method == "standard":
                centre = grouped.mean()
                spread = grouped.std(ddof=0)
            else:
                centre = grouped.median()
                spread = grouped.quantile(0.75) - grouped.quantile(0.25)
            c, s = _repair(centre.to_numpy(), spread.to_numpy())
            self.ticker_center_ = pd.DataFrame(c, index=centre.index, columns=feats)
            self.ticker_scale_ = pd.DataFrame(s, index=centre.index, columns=feats)
            self.ticker_center_.index.name = "ticker"
            self.ticker_scale_.index.name = "ticker"
        return self

    def unseen_ticker_mask(self, X: pd.DataFrame) -> np.ndarray:
        """Boolean (n_rows,): rows whose ticker had no fit rows (global fallback used).

        Always all-False for ``scope="global"``.
        """
        check_is_fitted(self, "center_")
        if self.scope != "per_ticker":
            return np.zeros(len(X), dtype=bool)
        return ~X["ticker"].isin(self.ticker_center_.index).to_numpy()

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Return clipped z-scores, shape (n_rows, n_features), float64. NaN stays NaN."""
        check_is_fitted(self, "center_")
        feats = list(self.feature_names_in_)
        z = X[feats].to_numpy(dtype=np.float64, copy=True)
        tickers = X["ticker"] if self.scope == "per_ticker" else None
        return self.transform_inplace(z, tickers)

    def transform_inplace(self, values: np.ndarray, tickers: Any = None) -> np.ndarray:
        """Scale ``values`` (n_rows, n_features; float64, columns in ``feature_names_in_``
        order) in place and return it: the same float operations as :meth:`transform`.
        ``tickers`` (n_rows,) is needed for ``scope="per_ticker"``."""
        check_is_fitted(self, "center_")
        z = values
        if self.scope == "per_ticker":
            if tickers is None:
                raise ValueError("per_ticker scaling needs the tickers")
            tickers = pd.Series(np.asarray(tickers))
            centre = np.array(self.ticker_center_.reindex(tickers).to_numpy(), copy=True)
            spread = np.array(self.ticker_scale_.reindex(tickers).to_numpy(), copy=True)
            unseen = ~tickers.isin(self.ticker_center_.index).to_numpy()
            centre[unseen] = self.center_
            spread[unseen] = self.scale_
        else:
            centre, spread = self.center_, self.scale_
        z -= centre
        z /= spread
        if self.clip is not None:
            np.clip(z, -self.clip, self.clip, out=z)
        return z

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "center_")
        return self.feature_names_in_.copy()

    def params_frame(self) -> pd.DataFrame:
        """Fitted parameters as rows: ``ticker`` (NULL = global), ``feature``, ``center``,
        ``scale``."""
        check_is_fitted(self, "center_")
        feats = list(self.feature_names_in_)
        frames = [
            pd.DataFrame(
                {"ticker": None, "feature": feats, "center": self.center_, "scale": self.scale_}
            )
        ]
        if self.scope == "per_ticker":
            c = self.ticker_center_.stack().rename("center")
            s = self.ticker_scale_.stack().rename("scale")
            per = pd.concat([c, s], axis=1).reset_index()
            per.columns = ["ticker", "feature", "center", "scale"]
            frames.append(per)
        return pd.concat(frames, ignore_index=True)
