"""Write small Stooq daily trees for the silver tests, and reference implementations.

Nothing here touches dbt: the tests drive dbt through ``tests/conftest.py``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np

PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE_ROOT = PROJECT_DIR / "data" / "sample"
HEADER = "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>"


def business_days(start: dt.date, count: int) -> list[dt.date]:
    """``count`` Monday-to-Friday dates from ``start`` (holidays included, as in Stooq data)."""
    days = np.busday_offset(np.datetime64(start), np.arange(count), roll="forward")
    return [d.astype(object) for d in days]


def write_stooq(
    root: Path,
    ticker: str,
    dates: list[dt.date],
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    folder: str = "daily/us/nasdaq stocks/1",
) -> Path:
    """Write one Stooq file ``<root>/<folder>/<ticker lower>.txt`` and return its path.

    Floats are written with ``repr`` so the parser reads back exactly the same doubles.
    """
    path = root / folder / f"{ticker.lower()}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER]
    for i, day in enumerate(dates):
        lines.append(
            f"{ticker},D,{day:%Y%m%d},000000,{float(open_[i])!r},{float(high[i])!r},"
            f"{float(low[i])!r},{float(close[i])!r},{float(volume[i])!r},0"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def random_bars(
    rng: np.random.Generator, count: int, start_price: float, vol: float = 0.02
) -> tuple[np.ndarray, ...]:
    """A geometric random walk with valid OHLC (low <= open, close <= high) and integer volume."""
    close = start_price * np.exp(np.cumsum(rng.normal(0.0, vol, count)))
    open_ = np.r_[start_price, close[:-1]] * np.exp(rng.normal(0.0, vol / 4, count))
    high = np.maximum(open_, close) * (1 + rng.uniform(0.0, vol, count))
    low = np.minimum(open_, close) * (1 - rng.uniform(0.0, vol, count))
    volume = np.floor(rng.lognormal(12.0, 0.8, count))
    return open_, high, low, close, volume


def write_edge_cases(root: Path, seed: int = 11) -> dict[str, str]:
    """Write the synthetic edge-case tickers; return ticker -> what it exercises."""
    rng = np.random.default_rng(seed)
    start = dt.date(2001, 1, 2)
    cases: dict[str, str] = {}

    n = 300
    flat = np.full(n, 10.0)
    write_stooq(
        root, "FLAT.US", business_days(start, n), flat, flat, flat, flat, np.full(n, 1000.0)
    )
    cases["FLAT.US"] = "flat prices (RSI 0 by TA-Lib's rule, zero ranges)"

    o, h, lo, c, v = random_bars(rng, n, 50.0)
    v[:30] = 0.0
    v[rng.uniform(size=n) < 0.2] = 0.0
    write_stooq(root, "ZEROVOL.US", business_days(start, n), o, h, lo, c, v)
    cases["ZEROVOL.US"] = "zero-volume days, including the first 30 bars"

    o, h, lo, c, v = random_bars(rng, n, 0.0001, vol=0.05)
    write_stooq(root, "PENNY.US", business_days(start, n), o, h, lo, c, v)
    cases["PENNY.US"] = "penny prices around 0.0001"

    o, h, lo, c, v = random_bars(rng, n, 500_000.0, vol=0.01)
    write_stooq(root, "HIGHPX.US", business_days(start, n), o, h, lo, c, np.floor(v / 1000))
    cases["HIGHPX.US"] = "very high prices around 500,000"

    n_long = 15_000
    o, h, lo, c, v = random_bars(rng, n_long, 30.0, vol=0.015)
    write_stooq(root, "LONG.US", business_days(dt.date(1965, 1, 4), n_long), o, h, lo, c, v)
    cases["LONG.US"] = "a 15,000-bar series"

    o, h, lo, c, v = random_bars(rng, 10, 20.0)
    write_stooq(root, "SHORT.US", business_days(start, 10), o, h, lo, c, v)
    cases["SHORT.US"] = "a series shorter than every warm-up"

    n_gap = 400
    o, h, lo, c, v = random_bars(rng, n_gap, 80.0)
    days = business_days(start, n_gap + 60)
    gap_days = days[:150] + days[210:]
    write_stooq(root, "GAP.US", gap_days, o, h, lo, c, v)
    cases["GAP.US"] = "a gap of about 60 sessions after bar 150: two segments"

    # The cases below come after every random draw above, so the older tickers keep their bars.
    # 10.1 has no exact binary form, so typical prices, window sums and means carry rounding
    # error: a deviation or variance that should be zero comes out a few ulps off unless the
    # code applies TA-Lib's zero rules. At 10.0 every step is exact and no rule is exercised.
    flat_odd = np.full(n, 10.1)
    write_stooq(
        root,
        "FLATODD.US",
        business_days(start, n),
        flat_odd,
        flat_odd,
        flat_odd,
        flat_odd,
        np.full(n, 1000.0),
    )
    cases["FLATODD.US"] = "flat non-binary price 10.1 (rounding inside zero-range tests)"

    # A flat run after a random walk: the windows still hold the walk's rounding residue when
    # they turn flat, the case where running sums fail to come back to exactly zero.
    n_walk, n_tail = 240, 60
    o, h, lo, c, v = random_bars(rng, n_walk, 45.0)
    tail = np.full(n_tail, 45.67)
    write_stooq(
        root,
        "FLATTAIL.US",
        business_days(start, n_walk + n_tail),
        np.r_[o, tail],
        np.r_[h, tail],
        np.r_[lo, tail],
        np.r_[c, tail],
        np.r_[v, np.full(n_tail, 1000.0)],
    )
    cases["FLATTAIL.US"] = "240 random-walk bars, then 60 flat bars at 45.67"

    # A standard deviation of about 0.005 at a price of 500,000: E[x^2] - mean^2 loses every
    # significant digit (x^2 ~ 2.5e11, its ulp ~ 3e-5, the variance ~ 2.5e-5); TA-Lib's
    # Bollinger std stays accurate here.
    close = np.where(np.arange(n) % 2 == 0, 500_000.0, 500_000.01)
    open_ = np.r_[close[0], close[:-1]]
    write_stooq(
        root,
        "LOWSPREAD.US",
        business_days(start, n),
        open_,
        np.maximum(open_, close) + 0.005,
        np.minimum(open_, close) - 0.005,
        close,
        rng.integers(1_000, 100_000, n).astype(float),
    )
    cases["LOWSPREAD.US"] = "closes alternating 500,000.00 and 500,000.01 (tiny Bollinger std)"

    # High-low ranges of 1e-12 at 100: TA-Lib counts a range <= 1e-14 * (|highest| + |lowest|)
    # as zero (WILLR 0), where an exact zero test sees a range and, the close being the low,
    # gives -100. CCI's deviation of about 1e-13 sits at its scaled zero test the same way.
    price = np.full(n, 100.0)
    spread = np.where(np.arange(n) % 2 == 0, 1e-12, 0.0)
    write_stooq(
        root,
        "NEARFLAT.US",
        business_days(start, n),
        price,
        price + spread,
        price,
        price,
        np.full(n, 1000.0),
    )
    cases["NEARFLAT.US"] = "ranges alternating 1e-12 and 0 at 100 (TA-Lib's scaled zero range)"

    # The same ranges with the close at the high: STOCH's %K is (close - lowest) / range, so an
    # exact zero test gives 100 on these bars where TA-Lib's scaled test gives 0 (NEARFLAT's
    # close at the low gives 0 either way, so it cannot tell the two tests apart for STOCH).
    write_stooq(
        root,
        "NEARFLATHI.US",
        business_days(start, n),
        price,
        price + spread,
        price,
        price + spread,
        np.full(n, 1000.0),
    )
    cases["NEARFLATHI.US"] = "NEARFLAT's ranges with the close at the high (STOCH's zero range)"
    return cases


def copy_sample(root: Path) -> list[str]:
    """Copy the embedded real sample (AAPL, MSFT, GOOG, FB, IBM) under ``root``."""
    shutil.copytree(SAMPLE_ROOT / "daily", root / "daily", dirs_exist_ok=True)
    return sorted(p.stem.upper() for p in (root / "daily").rglob("*.txt"))


def wilder_first_value(x: np.ndarray, n: int) -> np.ndarray:
    """REFERENCE Part A §4.1: y0 = x0, y_t = y_{t-1} + (x_t - y_{t-1}) / n, NULL before row n-1."""
    y = np.empty(len(x))
    state = np.nan
    for t, value in enumerate(x):
        state = value if t == 0 else state + (value - state) / n
        y[t] = state
    y[: n - 1] = np.nan
    return y


def tmf_tti_reference(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    n: int = 21,
    eps: float = 1e-12,
    ema_span: int = 5,
) -> dict[str, np.ndarray]:
    """TMF v1, TTI proxy v1 and tmf_ema of one series, written from REFERENCE Part A §4."""
    prev_close = np.r_[np.nan, close[:-1]]
    first = np.isnan(prev_close)
    trh = np.where(first, high, np.fmax(high, prev_close))
    trl = np.where(first, low, np.fmin(low, prev_close))
    tr_range = np.maximum(trh - trl, eps)
    signed_pos = (2 * close - trh - trl) / tr_range
    true_range = np.where(
        first,
        high - low,
        np.maximum(high - low, np.maximum(np.abs(high - prev_close), np.abs(low - prev_close))),
    )
    ad_wilder = wilder_first_value(signed_pos * volume, n)
    volume_wilder = wilder_first_value(volume, n)
    proxy_wilder = wilder_first_value(signed_pos * np.abs(true_range), n)
    proxy_den_wilder = wilder_first_value(np.abs(true_range), n)
    with np.errstate(divide="ignore", invalid="ignore"):
        tmf = np.where(np.abs(volume_wilder) > eps, ad_wilder / volume_wilder, np.nan)
        tti = np.where(np.abs(proxy_den_wilder) > eps, proxy_wilder / proxy_den_wilder, np.nan)
    alpha = 2.0 / (ema_span + 1)
    ema = np.full(len(tmf), np.nan)
    state, seen = np.nan, 0
    for t, value in enumerate(tmf):
        if np.isnan(value):
            continue
        state = value if seen == 0 else (1 - alpha) * state + alpha * value
        seen += 1
        if seen >= ema_span:
            ema[t] = state
    return {
        "ad_wilder_21": ad_wilder,
        "volume_wilder_21": volume_wilder,
        "proxy_wilder_21": proxy_wilder,
        "proxy_den_wilder_21": proxy_den_wilder,
        "tmf_21": tmf,
        "tti_proxy_v1_21": tti,
        "tmf_ema_5": ema,
    }


def compare(ours: np.ndarray, reference: np.ndarray, floor: float) -> tuple[int, float]:
    """Return (NULL-position mismatches, max relative error where both exist).

    The error is |a - b| / max(|b|, floor): relative to the reference value, and relative to
    ``floor`` (> 0, the column's natural scale, such as the series' typical price) where the
    reference is near zero, so a value that crosses zero is not judged against itself.
    """
    ours = np.asarray(ours, dtype=float)
    reference = np.asarray(reference, dtype=float)
    null_mismatch = int((np.isnan(ours) != np.isnan(reference)).sum())
    both = ~np.isnan(ours) & ~np.isnan(reference)
    if not both.any():
        return null_mismatch, 0.0
    err = np.abs(ours[both] - reference[both]) / np.maximum(np.abs(reference[both]), floor)
    return null_mismatch, float(err.max())
