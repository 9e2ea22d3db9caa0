"""Timing harness for the research models on a synthetic gold-shaped frame.

``python -m market_warehouse.research.benchmark [n_rows [max_threads]]`` prints one line per step
and the total. ``python -m market_warehouse.research.benchmark --db <warehouse.duckdb>`` times the
fits and decodes on the ``gold_ml_dataset`` of a built warehouse (:func:`warehouse_timings`).
The frame has the 25 default features (sticky 4-regime Gaussian mixture with Student-t noise,
count-like features rounded to integers), ``flow_state_code`` and the ``fwd_*`` columns.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from market_warehouse.research.clustering import (
    DEFAULT_FIT_SAMPLE_MAX,
    DEFAULT_SILHOUETTE_SAMPLE_MAX,
    cluster_stability,
    cluster_sweep,
)
from market_warehouse.research.hmm import (
    DEFAULT_HMM_FIT_SAMPLE_MAX,
    build_sequences,
    hmm_stability,
)
from market_warehouse.research.pipeline import (
    limit_threads,
    run_clustering,
    run_hmm,
)
from market_warehouse.research.preprocessing import DEFAULT_FEATURES, FORWARD_COLUMNS

COUNT_FEATURES = {
    "long_burst_20",
    "short_burst_20",
    "oscillation_index_20",
    "respect_fail_balance_20",
    "state_run_length",
}


def synthetic_frame(
    n_rows: int = 200_000, n_tickers: int = 40, n_regimes: int = 4, seed: int = 0
) -> pd.DataFrame:
    """Gold-shaped synthetic rows, shape (n_rows, 33): ticker, trade_date, flow_state_code,
    the 25 default features and the 5 forward columns. Business-day dates from 2000-01-03."""
    rng = np.random.default_rng(seed)
    per = n_rows // n_tickers
    feats = list(DEFAULT_FEATURES)
    means = rng.normal(0.0, 1.0, (n_regimes, len(feats)))
    scales = rng.uniform(0.5, 1.5, n_regimes)
    stay = 0.98
    cum = np.cumsum(
        np.where(np.eye(n_regimes, dtype=bool), stay, (1 - stay) / (n_regimes - 1)), axis=1
    )
    z = np.empty(per * n_tickers, dtype=np.int64)
    for i in range(n_tickers):
        u = rng.random(per)
        s = 0
        for t in range(per):
            s = min(int(np.searchsorted(cum[s], u[t])), n_regimes - 1) if t else s
            z[i * per + t] = s
    noise = rng.standard_t(5, (len(z), len(feats)))
    X = means[z] + scales[z][:, None] * noise  # noqa: N806
    df = pd.DataFrame(X, columns=feats)
    for c in COUNT_FEATURES:
        df[c] = np.round(np.abs(df[c]) * 3)
    dates = pd.bdate_range("2000-01-03", periods=per).date
    df.insert(0, "ticker", np.repeat([f"T{i:04d}" for i in range(n_tickers)], per))
    df.insert(1, "trade_date", np.tile(dates, n_tickers))
    df.insert(2, "flow_state_code", rng.integers(0, 5, len(df)))
    for c in FORWARD_COLUMNS:
        df[c] = rng.normal(0.0, 0.02, len(df)) + 0.002 * z
    return df


def run_benchmark(
    n_rows: int = 200_000, max_threads: int | None = None, **caps: Any
) -> pd.DataFrame:
    """Time every research step with the default caps (override with keyword ``caps``:
    ``fit_sample_max``, ``silhouette_sample_max``, ``hmm_fit_sample_max``). ``max_threads``
    caps BLAS/OpenMP threads for the whole run (``None``: library defaults).

    Returns columns ``step, seconds`` (wall) and ``cpu_seconds`` (this process, all threads;
    with ``max_threads=1`` it is what the wall time would be on an idle core). The last row is
    ``total``.
    """
    with limit_threads(max_threads):
        return _run_benchmark(n_rows, caps)


def _run_benchmark(n_rows: int, caps: dict[str, Any]) -> pd.DataFrame:
    fit_cap = caps.get("fit_sample_max", DEFAULT_FIT_SAMPLE_MAX)
    sil_cap = caps.get("silhouette_sample_max", DEFAULT_SILHOUETTE_SAMPLE_MAX)
    hmm_cap = caps.get("hmm_fit_sample_max", DEFAULT_HMM_FIT_SAMPLE_MAX)
    df = synthetic_frame(n_rows)
    times: list[tuple[str, float, float]] = []

    def timed(step: str, fn: Callable[[], Any]) -> Any:
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append((step, time.perf_counter() - t0, time.process_time() - c0))
        print(f"{step:<40s} {times[-1][1]:8.2f} s wall {times[-1][2]:8.2f} s cpu", flush=True)
        return out

    km = timed(
        "clusters kmeans k=5",
        lambda: run_clustering(
            df, method="kmeans", fit_sample_max=fit_cap, silhouette_sample_max=sil_cap
        ),
    )
    timed(
        "clusters gmm k=5",
        lambda: run_clustering(
            df, method="gmm", fit_sample_max=fit_cap, silhouette_sample_max=sil_cap
        ),
    )
    X = km.X  # noqa: N806
    y = km.prepared.frame["fwd_ret_10"].to_numpy()
    timed(
        "cluster sweep kmeans,gmm x 4,5,6,8",
        lambda: cluster_sweep(X, X, y_fit=y, fit_sample_max=fit_cap, silhouette_sample_max=sil_cap),
    )
    timed(
        "cluster stability kmeans k=5 x 10 seeds",
        lambda: cluster_stability(X, X, y_fit=y, fit_sample_max=fit_cap),
    )
    hm = timed("hmm K=5 x 3 restarts", lambda: run_hmm(df, fit_sample_max=hmm_cap))
    seq = build_sequences(hm.prepared.frame)
    timed(
        "hmm stability K=5 x 5 seeds (1 restart)",
        lambda: hmm_stability(
            hm.X,
            seq.lengths,
            hm.X,
            seq.lengths,
            n_states=5,
            n_restarts=1,
            fit_sample_max=hmm_cap,
        ),
    )
    wall = sum(t[1] for t in times)
    cpu = sum(t[2] for t in times)
    print(f"{'total':<40s} {wall:8.2f} s wall {cpu:8.2f} s cpu", flush=True)
    return pd.DataFrame(times + [("total", wall, cpu)], columns=["step", "seconds", "cpu_seconds"])


def warehouse_timings(db_path: str, config: dict[str, Any]) -> pd.DataFrame:
    """Fit and decode times of KMeans, GMM and the HMM on ``gold_ml_dataset`` of a built
    warehouse, with the research settings of ``config`` (the ``research_*`` vars without the
    prefix; see :mod:`market_warehouse.research.dbt_models`).

    Returns columns ``step, seconds, cpu_seconds, rows`` and prints them with the peak RSS.
    Fits use the train rows (capped as configured); assign/decode cover every kept row.
    """
    import resource

    import duckdb

    from market_warehouse.research.clustering import (
        ClusterModel,
        cluster_assignments,
        model_metrics,
    )
    from market_warehouse.research.dbt_models import settings, to_frame, zscores_input_columns
    from market_warehouse.research.hmm import RegimeHMM, decode_frame
    from market_warehouse.research.pipeline import scaled_features

    s = settings(config)
    times: list[tuple[str, float, float, int]] = []

    def timed(step: str, rows: int, fn: Callable[[], Any]) -> Any:
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append((step, time.perf_counter() - t0, time.process_time() - c0, rows))
        print(f"{step:<28s} {rows:>10,d} rows {times[-1][1]:8.2f} s wall", flush=True)
        return out

    def load() -> pd.DataFrame:
        with duckdb.connect(db_path, read_only=True) as con:
            con.execute("set memory_limit = '4GB'")  # as the dbt profile
            cols = zscores_input_columns(s)
            return to_frame(con.sql(f"select {cols} from gold_ml_dataset"))

    with limit_threads(s.max_threads):
        df = timed("load gold_ml_dataset", 0, load)
        times[-1] = (*times[-1][:3], len(df))
        prepared, _, X, _ = timed(  # noqa: N806
            "null policy, split, scaler", len(df), lambda: scaled_features(df, **s.common())
        )
        frame = prepared.frame
        train = frame["is_train"].to_numpy(dtype=bool)
        test = frame["is_test"].to_numpy(dtype=bool)
        y = frame.loc[train, "fwd_ret_10"].to_numpy(dtype=np.float64)
        n_fit = min(int(train.sum()), s.cluster_fit_sample_max or len(frame))
        for method in ("kmeans", "gmm"):
            model = ClusterModel(
                method=method,
                n_clusters=s.cluster_k,
                random_state=s.seed,
                fit_sample_max=s.cluster_fit_sample_max,
            )
            timed(f"{method} fit", n_fit, lambda m=model: m.fit(X[train], y))
            timed(
                f"{method} assign",
                len(X),
                lambda m=model: cluster_assignments(m, X, frame[["ticker", "trade_date"]]),
            )
            timed(
                f"{method} metrics (test rows)",
                int(test.sum()),
                lambda m=model: model_metrics(m, X[test], s.sweep_silhouette_sample_max, s.seed),
            )
        fit_seq = build_sequences(
            frame.loc[train, ["ticker", "trade_date", "has_dropped_row_before"]],
            s.hmm_max_gap_days,
            s.hmm_min_sequence_length,
        )
        hmm = RegimeHMM(
            n_states=s.hmm_states,
            n_iter=s.hmm_n_iter,
            tol=s.hmm_tol,
            min_covar=s.hmm_min_covar,
            n_restarts=s.hmm_restarts,
            random_state=s.seed,
            min_sequence_length=s.hmm_min_sequence_length,
            fit_sample_max=s.hmm_fit_sample_max,
        )
        n_hmm = min(int(train.sum()), s.hmm_fit_sample_max or len(frame))
        timed(
            f"hmm fit ({s.hmm_restarts} restarts)",
            n_hmm,
            lambda: hmm.fit(X[train], fit_seq.lengths),
        )

        def decode() -> pd.DataFrame:
            seq = build_sequences(frame, s.hmm_max_gap_days, s.hmm_min_sequence_length)
            return decode_frame(hmm, frame, X, seq)

        timed("hmm decode (forward filter)", len(X), decode)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB; hmm restart iterations {hmm.restart_n_iter_.tolist()}")
    return pd.DataFrame(times, columns=["step", "seconds", "cpu_seconds", "rows"])


def _project_research_vars(path: str = "dbt_project.yml") -> dict[str, Any]:
    import yaml

    with open(path) as fh:
        project_vars = yaml.safe_load(fh)["vars"]
    prefix = "research_"
    return {k[len(prefix) :]: v for k, v in project_vars.items() if k.startswith(prefix)}


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--db":
        # python -m market_warehouse.research.benchmark --db <warehouse.duckdb>
        # (run from the project root: the research_* var defaults of dbt_project.yml apply)
        warehouse_timings(sys.argv[2], _project_research_vars())
    else:
        rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
        threads = int(sys.argv[2]) if len(sys.argv) > 2 else None
        run_benchmark(rows, threads)
