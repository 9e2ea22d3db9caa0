"""Planted-truth data for the research tests (numpy only, independent of the package)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _single_thread():
    """One BLAS/OpenMP thread: on tiny test data, threads only add overhead (8x slower
    k-means here when the two cores are busy). Results do not depend on the thread count."""
    with threadpool_limits(limits=1):
        yield


# A sticky 3-state Gaussian HMM with distinct means AND distinct volatilities.
TRUE_TRANSMAT = np.array(
    [
        [0.98, 0.01, 0.01],
        [0.015, 0.97, 0.015],
        [0.01, 0.015, 0.975],
    ]
)
TRUE_MEANS = np.array(
    [
        [-1.5, 0.0, 0.5, 0.0],
        [0.0, 1.0, -0.5, 0.0],
        [1.5, -1.0, 0.0, 0.5],
    ]
)
TRUE_SDS = np.array([0.5, 1.0, 1.5])


@dataclass
class Planted:
    X: np.ndarray  # (n, 4)
    states: np.ndarray  # (n,)
    lengths: list[int]
    means: np.ndarray = field(default_factory=lambda: TRUE_MEANS.copy())
    transmat: np.ndarray = field(default_factory=lambda: TRUE_TRANSMAT.copy())


def simulate_hmm(n_tickers: int, n_rows: int, seed: int) -> Planted:
    rng = np.random.default_rng(seed)
    xs, zs = [], []
    cum = np.cumsum(TRUE_TRANSMAT, axis=1)
    for _ in range(n_tickers):
        z = np.empty(n_rows, dtype=np.int64)
        z[0] = rng.integers(3)
        u = rng.random(n_rows)
        for t in range(1, n_rows):
            z[t] = min(int(np.searchsorted(cum[z[t - 1]], u[t])), 2)
        x = TRUE_MEANS[z] + TRUE_SDS[z][:, None] * rng.standard_normal((n_rows, 4))
        xs.append(x)
        zs.append(z)
    return Planted(np.vstack(xs), np.concatenate(zs), [n_rows] * n_tickers)


@pytest.fixture(scope="session")
def planted_hmm() -> Planted:
    """4 tickers x 1,500 rows from the planted HMM."""
    return simulate_hmm(n_tickers=4, n_rows=1500, seed=7)


def _gold_frame(
    n_tickers: int = 3, n_rows: int = 60, features: tuple[str, ...] = ("f1", "f2"), seed: int = 0
) -> pd.DataFrame:
    """Small gold-shaped frame: business days from 2020-01-01, random features and labels."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-01", periods=n_rows).date
    df = pd.DataFrame(
        {
            "ticker": np.repeat([f"T{i}" for i in range(n_tickers)], n_rows),
            "trade_date": np.tile(dates, n_tickers),
            "flow_state_code": rng.integers(0, 5, n_tickers * n_rows),
        }
    )
    for f in features:
        df[f] = rng.standard_normal(len(df))
    df["fwd_ret_10"] = rng.normal(0, 0.02, len(df))
    return df


@pytest.fixture
def gold_frame():
    """Factory: ``gold_frame(n_tickers, n_rows, features, seed)`` -> small gold-shaped frame."""
    return _gold_frame
