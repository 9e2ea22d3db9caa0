"""One-call research runs for thin dbt Python models.

Each run: sort -> time split on the full series (purge + embargo) -> null policy -> scaler
fitted on train rows -> model fitted on train rows -> predictions for every kept row, with
``is_train``/``is_test`` flags -> metrics on the predict rows -> a ``research_runs`` row.

The split is computed before the null policy so that purging counts rows of the full series,
the same rows the gold layer used for the ``fwd_*`` labels.
"""

# scikit-learn convention: X is the feature matrix.
# ruff: noqa: N803, N806

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from market_warehouse.research.clustering import (
    DEFAULT_FIT_SAMPLE_MAX,
    DEFAULT_SILHOUETTE_SAMPLE_MAX,
    ClusterModel,
    cluster_assignments,
    model_metrics,
)
from market_warehouse.research.hmm import (
    DEFAULT_HMM_FIT_SAMPLE_MAX,
    RegimeHMM,
    build_sequences,
    decode_frame,
)
from market_warehouse.research.preprocessing import (
    DEFAULT_FEATURES,
    FORWARD_COLUMNS,
    FeatureScaler,
    PreparedFeatures,
    prepare_features,
    sort_frame,
)
from market_warehouse.research.runs import research_run_row
from market_warehouse.research.splits import make_split

PredictOn = Literal["train", "test", "all"]


CARRY_COLUMNS: tuple[str, ...] = ("flow_state_code", *FORWARD_COLUMNS)
#: Columns :func:`hmm.build_sequences` reads.
SEQUENCE_COLUMNS: tuple[str, ...] = ("ticker", "trade_date", "has_dropped_row_before")


@contextlib.contextmanager
def limit_threads(max_threads: int | None) -> Iterator[None]:
    """Cap BLAS and OpenMP threads (scikit-learn, hmmlearn, numpy) inside the block.

    ``None`` leaves the libraries' defaults. On a shared, busy machine ``1`` can be several
    times faster for k-means: OpenMP threads wait on each other when cores are taken.
    """
    if max_threads is None:
        yield
    else:
        with threadpool_limits(limits=max_threads):
            yield


@dataclass
class ResearchResult:
    """Output of a run.

    ``rows``: one row per kept input row (see the run function). ``metrics``: one-row frame.
    ``run``: one-row ``research_runs`` frame. ``report``: every count. ``prepared``: the
    prepared frame and feature list. ``model``, ``scaler``: fitted estimators. ``X``: scaled
    features of ``prepared.frame``, shape (n_rows, n_features).
    """

    rows: pd.DataFrame
    metrics: pd.DataFrame
    run: pd.DataFrame
    report: dict[str, Any]
    prepared: PreparedFeatures
    model: Any
    scaler: FeatureScaler
    X: np.ndarray = field(repr=False)


def _prepare_split(
    df: pd.DataFrame,
    features: Sequence[str] | None,
    null_policy: Literal["fill", "drop"],
    split: dict[str, Any],
) -> tuple[PreparedFeatures, dict[str, Any]]:
    base = sort_frame(df)
    masks = make_split(base, **split)
    base = base.assign(is_train=masks.train, is_test=masks.test)
    prepared = prepare_features(base, features, null_policy)
    report = {**prepared.report, **{f"split_{k}": v for k, v in masks.report().items()}}
    report["n_rows_train_kept"] = int(prepared.frame["is_train"].sum())
    report["n_rows_test_kept"] = int(prepared.frame["is_test"].sum())
    if report["n_rows_train_kept"] == 0:
        raise ValueError("no train row survives the null policy")
    return prepared, report


def scaled_features(
    df: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    null_policy: Literal["fill", "drop"] = "fill",
    split_mode: Literal["none", "time"] = "none",
    train_end: Any = None,
    test_start: Any = None,
    test_end: Any = None,
    horizon_bars: int = 20,
    embargo_bars: int = 0,
    scaler_method: Literal["standard", "robust"] = "standard",
    scaler_scope: Literal["global", "per_ticker"] = "global",
    clip: float | None = 8.0,
) -> tuple[PreparedFeatures, FeatureScaler, np.ndarray, dict[str, Any]]:
    """The shared first half of every run: sort -> split -> null policy -> scaler fitted on the
    train rows -> scaled matrix.

    Returns (prepared, fitted scaler, X (n_kept_rows, n_features) aligned with
    ``prepared.frame``, report). ``prepared.frame`` has ``is_train``/``is_test``.
    """
    split = dict(
        split_mode=split_mode,
        train_end=train_end,
        horizon_bars=horizon_bars,
        embargo_bars=embargo_bars,
        test_start=test_start,
        test_end=test_end,
    )
    prepared, report = _prepare_split(df, features, null_policy, split)
    del df  # the caller's frame can be freed here when it was passed as a temporary
    frame = prepared.frame
    feats = list(prepared.features)
    train = frame["is_train"].to_numpy(dtype=bool)
    scaler = FeatureScaler(feats, scaler_method, scaler_scope, clip)
    # One feature matrix: the train rows' copy fits the scaler, then it is scaled in place
    # (the same values and float operations as fit(frame.loc[train]) / transform(frame)).
    X = prepared.matrix()
    fit_rows = pd.DataFrame(X[train], columns=feats, copy=False)
    per_ticker = scaler_scope == "per_ticker"
    if per_ticker:
        fit_rows = fit_rows.assign(ticker=frame["ticker"].to_numpy()[train])
    scaler.fit(fit_rows)
    del fit_rows
    scaler.transform_inplace(X, frame["ticker"].to_numpy() if per_ticker else None)
    report["n_rows_unseen_ticker"] = int(scaler.unseen_ticker_mask(frame).sum())
    return prepared, scaler, X, report


def _predict_mask(frame: pd.DataFrame, predict_on: PredictOn) -> np.ndarray:
    if predict_on == "all":
        return np.ones(len(frame), dtype=bool)
    if predict_on in ("train", "test"):
        return frame[f"is_{predict_on}"].to_numpy(dtype=bool)
    raise ValueError(f"predict_on must be 'train', 'test' or 'all', got {predict_on!r}")


def _params(**kwargs: Any) -> dict[str, Any]:
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, (dt.date, pd.Timestamp)):
            v = v.isoformat()
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


def run_clustering(
    df: pd.DataFrame,
    *,
    method: Literal["kmeans", "gmm"] = "kmeans",
    n_clusters: int = 5,
    random_state: int = 42,
    features: Sequence[str] | None = None,
    null_policy: Literal["fill", "drop"] = "fill",
    split_mode: Literal["none", "time"] = "none",
    train_end: Any = None,
    test_start: Any = None,
    test_end: Any = None,
    horizon_bars: int = 20,
    embargo_bars: int = 0,
    scaler_method: Literal["standard", "robust"] = "standard",
    scaler_scope: Literal["global", "per_ticker"] = "global",
    clip: float | None = 8.0,
    predict_on: PredictOn = "test",
    fit_sample_max: int | None = DEFAULT_FIT_SAMPLE_MAX,
    silhouette_sample_max: int = DEFAULT_SILHOUETTE_SAMPLE_MAX,
    max_threads: int | None = None,
) -> ResearchResult:
    """Fit a :class:`ClusterModel` on train rows and assign every kept row.

    ``rows`` columns: ``ticker, trade_date``, the carried ``flow_state_code``/``fwd_*`` that
    exist, ``is_train, is_test, cluster_id, cluster_prob_max, cluster_entropy``. ``metrics``
    (computed on the ``predict_on`` rows): see :func:`clustering.model_metrics`. Cluster ids
    are ordered by mean ``fwd_ret_10`` on the train rows (first feature if absent).
    """
    split = dict(
        split_mode=split_mode,
        train_end=train_end,
        horizon_bars=horizon_bars,
        embargo_bars=embargo_bars,
        test_start=test_start,
        test_end=test_end,
    )
    prepared, scaler, X, report = scaled_features(
        df,
        features=features,
        null_policy=null_policy,
        scaler_method=scaler_method,
        scaler_scope=scaler_scope,
        clip=clip,
        **split,
    )
    frame = prepared.frame
    train = frame["is_train"].to_numpy(dtype=bool)
    y = frame.loc[train, "fwd_ret_10"].to_numpy(dtype=np.float64) if "fwd_ret_10" in frame else None
    ids = frame[
        ["ticker", "trade_date", *[c for c in CARRY_COLUMNS if c in frame], "is_train", "is_test"]
    ]
    pred = _predict_mask(frame, predict_on)
    with limit_threads(max_threads):
        model = ClusterModel(
            method=method,
            n_clusters=n_clusters,
            random_state=random_state,
            fit_sample_max=fit_sample_max,
        ).fit(X[train], y)
        rows = cluster_assignments(model, X, ids)
        metrics = model_metrics(model, X[pred], silhouette_sample_max, random_state)
    metrics = pd.DataFrame([metrics])
    report.update(
        n_rows_fit=int(train.sum()),
        n_rows_fit_sampled=model.n_fit_rows_,
        n_rows_predict=int(pred.sum()),
    )
    params = _params(
        method=method,
        n_clusters=n_clusters,
        random_state=random_state,
        features=prepared.features,
        null_policy=null_policy,
        predict_on=predict_on,
        scaler_method=scaler_method,
        scaler_scope=scaler_scope,
        clip=clip,
        fit_sample_max=fit_sample_max,
        silhouette_sample_max=silhouette_sample_max,
        **split,
    )
    counts = {k: v for k, v in report.items() if isinstance(v, int) and k.startswith("n_")}
    counts["n_rows_input"] = report["n_rows_input"]
    run = research_run_row(f"research_clusters_{method}", params, counts)
    return ResearchResult(rows, metrics, run, report, prepared, model, scaler, X)


def run_hmm(
    df: pd.DataFrame,
    *,
    n_states: int = 5,
    random_state: int = 42,
    n_iter: int = 200,
    tol: float = 1e-3,
    min_covar: float = 1e-3,
    n_restarts: int = 3,
    order_by: int | str = 0,
    features: Sequence[str] | None = None,
    null_policy: Literal["fill", "drop"] = "fill",
    split_mode: Literal["none", "time"] = "none",
    train_end: Any = None,
    test_start: Any = None,
    test_end: Any = None,
    horizon_bars: int = 20,
    embargo_bars: int = 0,
    scaler_method: Literal["standard", "robust"] = "standard",
    scaler_scope: Literal["global", "per_ticker"] = "global",
    clip: float | None = 8.0,
    max_gap_days: int = 7,
    min_sequence_length: int = 100,
    fit_sample_max: int | None = DEFAULT_HMM_FIT_SAMPLE_MAX,
    max_threads: int | None = None,
) -> ResearchResult:
    """Fit a :class:`RegimeHMM` on the train sequences and decode every kept row causally.

    Decoding runs over each ticker's whole kept series (train and test rows), which is causal:
    row t only uses rows up to t and a model fitted on train rows. ``rows`` columns: those of
    :func:`hmm.decode_frame` plus ``is_train, is_test``. ``metrics``: one row with
    ``train_loglik, train_loglik_per_obs, predict_loglik, predict_loglik_per_obs`` (predict =
    test rows, scored as their own sequences; NaN for ``split_mode="none"``), ``converged,
    n_iter, best_restart, n_fit_rows, n_fit_sequences``.
    """
    split = dict(
        split_mode=split_mode,
        train_end=train_end,
        horizon_bars=horizon_bars,
        embargo_bars=embargo_bars,
        test_start=test_start,
        test_end=test_end,
    )
    prepared, scaler, X, report = scaled_features(
        df,
        features=features,
        null_policy=null_policy,
        scaler_method=scaler_method,
        scaler_scope=scaler_scope,
        clip=clip,
        **split,
    )
    frame = prepared.frame
    train = frame["is_train"].to_numpy(dtype=bool)
    feats = list(prepared.features)

    with limit_threads(max_threads):
        train_seq = build_sequences(
            frame.loc[train, list(SEQUENCE_COLUMNS)], max_gap_days, min_sequence_length
        )
        model = RegimeHMM(
            n_states=n_states,
            n_iter=n_iter,
            tol=tol,
            min_covar=min_covar,
            n_restarts=n_restarts,
            random_state=random_state,
            order_by=order_by,
            min_sequence_length=min_sequence_length,
            fit_sample_max=fit_sample_max,
        ).fit(pd.DataFrame(X[train], columns=feats), train_seq.lengths)
        all_seq = build_sequences(frame, max_gap_days, min_sequence_length)
        rows = decode_frame(model, frame, X, all_seq, CARRY_COLUMNS)
        rows["is_train"] = train
        rows["is_test"] = frame["is_test"].to_numpy(dtype=bool)

        test = frame["is_test"].to_numpy(dtype=bool)
        pred_loglik = np.nan
        n_pred = int(test.sum())
        if split_mode != "none" and n_pred:
            test_seq = build_sequences(
                frame.loc[test, list(SEQUENCE_COLUMNS)], max_gap_days, min_sequence_length
            )
            pred_loglik = model.score(X[test], test_seq.lengths)
    n_fit = model.n_fit_rows_
    metrics = pd.DataFrame(
        [
            {
                "train_loglik": model.loglik_,
                "train_loglik_per_obs": model.loglik_ / n_fit,
                "predict_loglik": pred_loglik,
                "predict_loglik_per_obs": pred_loglik / n_pred if n_pred else np.nan,
                "converged": model.converged_,
                "n_iter": model.n_iter_,
                "best_restart": model.best_restart_,
                "n_fit_rows": n_fit,
                "n_fit_sequences": model.n_fit_sequences_,
            }
        ]
    )
    report.update(
        {f"train_{k}": v for k, v in train_seq.report.items()},
        **{f"all_{k}": v for k, v in all_seq.report.items()},
        n_rows_fit=int(train.sum()),
        n_rows_fit_sampled=n_fit,
        n_rows_predict=len(rows),
        n_sequences_skipped=model.n_sequences_skipped_,
        n_rows_skipped=model.n_rows_skipped_,
        repair=model.repair_report_,
    )
    params = _params(
        n_states=n_states,
        random_state=random_state,
        n_iter=n_iter,
        tol=tol,
        min_covar=min_covar,
        n_restarts=n_restarts,
        order_by=order_by,
        features=feats,
        null_policy=null_policy,
        scaler_method=scaler_method,
        scaler_scope=scaler_scope,
        clip=clip,
        max_gap_days=max_gap_days,
        min_sequence_length=min_sequence_length,
        fit_sample_max=fit_sample_max,
        **split,
    )
    counts = {k: v for k, v in report.items() if isinstance(v, int) and k.startswith("n_")}
    run = research_run_row("research_hmm", params, counts)
    return ResearchResult(rows, metrics, run, report, prepared, model, scaler, X)


__all__ = [
    "DEFAULT_FEATURES",
    "ResearchResult",
    "limit_threads",
    "run_clustering",
    "run_hmm",
    "scaled_features",
]
