"""Time splits with purging and embargo (REFERENCE Part B item 7).

Rules
-----
* ``train`` = rows with ``trade_date <= train_end``, minus purged and embargoed rows.
* ``test`` = rows with ``trade_date >= test_start`` (default: the first date after
  ``train_end``) and ``<= test_end`` when given.
* **Purge**: the label of a row looks ``horizon_bars`` rows ahead in the same ticker (rows, not
  days: REFERENCE §7.2). A train candidate is purged when any of the next ``horizon_bars`` rows
  of its ticker has ``trade_date > train_end``. Only rows present in ``df`` are seen, so pass the
  full series (train and later rows); a ticker that ends before ``train_end`` purges nothing.
* **Embargo**: the ``embargo_bars`` train candidates of each ticker that come right before the
  purged ones are also removed (a buffer against serial correlation). Purging and embargo apply
  only to tickers that have rows after ``train_end``.
* ``split_mode="none"``: train and test are every row (fit and predict on all rows).
* An empty train or test side is an error.

Masks are aligned with ``df`` as given (its row order), not with a sorted copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

DateLike = str | dt.date | pd.Timestamp


@dataclass
class SplitMasks:
    """Boolean masks of shape (n_rows,), aligned with the input frame's row order.

    ``n_purged`` and ``n_embargoed`` count train candidates removed by each rule.
    """

    train: np.ndarray
    test: np.ndarray
    n_purged: int = 0
    n_embargoed: int = 0

    def report(self) -> dict[str, int]:
        """Row counts for a run record."""
        return {
            "n_rows_train": int(self.train.sum()),
            "n_rows_test": int(self.test.sum()),
            "n_rows_purged": self.n_purged,
            "n_rows_embargoed": self.n_embargoed,
        }


def _to_ts(value: DateLike) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def time_split(
    df: pd.DataFrame,
    train_end: DateLike,
    horizon_bars: int,
    embargo_bars: int = 0,
    test_start: DateLike | None = None,
    test_end: DateLike | None = None,
) -> SplitMasks:
    """Purged and embargoed time split; see the module docstring for the rules.

    Parameters
    ----------
    df:
        Rows with ``ticker`` and ``trade_date`` (any order), shape (n_rows, ...).
    train_end:
        Last date of the train side (inclusive).
    horizon_bars:
        Label horizon in rows (e.g. 10 for ``fwd_ret_10``; use the longest label used).
    embargo_bars:
        Extra rows removed per ticker before the purged rows.
    """
    if horizon_bars < 0 or embargo_bars < 0:
        raise ValueError("horizon_bars and embargo_bars must be >= 0")
    end = _to_ts(train_end)
    dates = pd.to_datetime(df["trade_date"]).to_numpy()
    # Integer ticker codes in sorted ticker order: lexsort on them is the same order as on
    # the strings and much faster.
    tickers = pd.factorize(df["ticker"], sort=True)[0]
    n = len(df)
    order = np.lexsort((dates, tickers))
    s_dates = dates[order]
    s_tickers = tickers[order]
    is_le = s_dates <= end.to_datetime64()

    new_ticker = np.r_[True, s_tickers[1:] != s_tickers[:-1]]
    group = np.cumsum(new_ticker) - 1
    starts = np.flatnonzero(new_ticker)
    pos = np.arange(n) - starts[group]
    n_le = np.bincount(group, weights=is_le.astype(np.int64)).astype(np.int64)
    sizes = np.bincount(group)
    has_after = sizes > n_le  # dates are sorted, so rows after train_end are the tail

    cut = n_le[group]
    crosses = has_after[group]
    purged = is_le & crosses & (pos >= cut - horizon_bars)
    embargoed = is_le & crosses & ~purged & (pos >= cut - horizon_bars - embargo_bars)

    train_sorted = is_le & ~purged & ~embargoed
    start = end + pd.Timedelta(days=1) if test_start is None else _to_ts(test_start)
    test_sorted = s_dates >= start.to_datetime64()
    if test_end is not None:
        test_sorted &= s_dates <= _to_ts(test_end).to_datetime64()

    train = np.zeros(n, dtype=bool)
    test = np.zeros(n, dtype=bool)
    train[order] = train_sorted
    test[order] = test_sorted
    if not train.any():
        raise ValueError("time split produced an empty train set")
    if not test.any():
        raise ValueError("time split produced an empty test set")
    return SplitMasks(train, test, int(purged.sum()), int(embargoed.sum()))


def make_split(
    df: pd.DataFrame,
    split_mode: Literal["none", "time"] = "none",
    train_end: DateLike | None = None,
    horizon_bars: int = 20,
    embargo_bars: int = 0,
    test_start: DateLike | None = None,
    test_end: DateLike | None = None,
) -> SplitMasks:
    """Dispatch on ``split_mode``: ``"none"`` (all rows on both sides) or ``"time"``."""
    if split_mode == "none":
        if len(df) == 0:
            raise ValueError("empty frame")
        everything = np.ones(len(df), dtype=bool)
        return SplitMasks(everything, everything.copy())
    if split_mode == "time":
        if train_end is None:
            raise ValueError("split_mode='time' needs train_end")
        return time_split(df, train_end, horizon_bars, embargo_bars, test_start, test_end)
    raise ValueError(f"split_mode must be 'none' or 'time', got {split_mode!r}")
