"""Deterministic synthetic universe of daily bars in Stooq daily ASCII format.

Command line::

    python -m market_warehouse.synthetic --tickers 2000 --years 25 --seed 7 --out data/raw/synthetic
        [--end-date 2025-12-31] [--defects]

What is generated (all from one seed; same arguments give the same bytes):

- Tickers ``SYN0001.US`` ... ``SYN<N>.US`` (at least four digits, zero padded), files
  ``syn0001.us.txt``. Real US symbols never contain digits after three letters like this, so they
  cannot collide with the embedded sample (AAPL, IBM, MSFT, GOOG, FB) or any real Stooq file.
- Exchange and asset type from a fixed 20-slot cycle (the first six tickers cover every
  combination): 9 NASDAQ, 8 NYSE, 3 NYSEMKT per 20; 15 stocks and 5 ETFs per 20. Files go to
  ``daily/us/<exchange> stocks|etfs/<n>/`` with at most 1,000 files per numbered subfolder.
- Business days (Mon-Fri, no holidays) over the ``years`` calendar years ending at ``end_date``
  (default :data:`DEFAULT_END_DATE`, a constant). Per 10 tickers, 5 cover the whole span, 2 list
  late, 2 delist early and 1 does both (assigned by a seeded permutation); every series has at
  least ``max(20, min(250, bars // 4))`` bars.
- Close: a geometric random walk whose daily log return switches between three regimes (calm
  uptrend, sideways, stressed downtrend) by a Markov chain with geometric durations, with Student-t
  shocks and a weak pull of log price towards a per-ticker level (half-life about 3.4 years) so
  that prices stay mostly in $1-$1000. About 3% of stocks (at least one) are penny stocks trading
  mostly below $1. Open gaps from the previous close; high/low extend beyond open/close; volume
  (shares) is lognormal and rises with the size of the move.
- Number format: prices are fixed point with :data:`PRICE_DECIMALS` = 4 decimals, trailing zeros
  (and a bare ``.``) stripped as Stooq does, e.g. ``12.5`` or ``0.0731``. The value a parser
  reads is exactly ``k / 10_000`` for an integer ``k``, and OHLC are valid after that rounding
  (``0 < low <= min(open, close) <= max(open, close) <= high``). Volume is an integer.

With ``defects=True`` a deterministic subset of files (``max(1, N // 200)`` files per kind, one
defect per file, never the same file twice) gets one of:

``duplicate_identical``  an identical copy of a data line inserted right after it;
``duplicate_conflict``   a copy of a data line with a different (still in-range) close, inserted
                         right after it;
``bad_field_count``      a data line replaced by a truncated (6 fields) or over-long (11 fields)
                         version of itself;
``non_numeric_price``    a data line whose close is replaced by a non-numeric token;
``impossible_date``      a data line whose date becomes ``YYYY0230`` (always the first trading
                         day of a March where possible, so the file stays in date order);
``split``                an unadjusted 4-for-1 split: from one day on, prices are divided by 4
                         (then rounded to 4 decimals again) and volume multiplied by 4.

The summary (and ``<out>/manifest.json``, outside the ``daily/`` tree) records every ticker and
every defect with its file, 1-based line number (the header is line 1) and the exact line text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from market_warehouse.sample_data import STOOQ_HEADER, write_if_changed

#: Default last calendar day of the generated span (a constant so output never depends on today).
DEFAULT_END_DATE = dt.date(2025, 12, 31)
#: Prices are written with this many decimals (trailing zeros stripped).
PRICE_DECIMALS = 4
#: Stooq-like cap on files per numbered subfolder.
FILES_PER_SUBFOLDER = 1000
#: Ticker prefix; tickers are ``SYN`` + zero-padded number.
TICKER_PREFIX = "SYN"
#: Defect kinds, in the order files are assigned to them.
DEFECT_KINDS = (
    "split",
    "duplicate_identical",
    "duplicate_conflict",
    "bad_field_count",
    "non_numeric_price",
    "impossible_date",
)
#: Split ratio of the planted ``split`` defect (prices divided, volume multiplied).
SPLIT_RATIO = 4
#: Manifest file name, written at the output root (not under ``daily/``).
MANIFEST_NAME = "manifest.json"

# (exchange, asset type) per slot of a 20-ticker cycle; the first six slots are all distinct.
_SLOTS: tuple[tuple[str, str], ...] = (
    ("NASDAQ", "stock"),
    ("NYSE", "stock"),
    ("NYSEMKT", "stock"),
    ("NASDAQ", "etf"),
    ("NYSE", "etf"),
    ("NYSEMKT", "etf"),
    ("NASDAQ", "stock"),
    ("NYSE", "stock"),
    ("NASDAQ", "stock"),
    ("NYSE", "stock"),
    ("NASDAQ", "stock"),
    ("NYSE", "stock"),
    ("NASDAQ", "etf"),
    ("NYSEMKT", "stock"),
    ("NASDAQ", "stock"),
    ("NYSE", "stock"),
    ("NASDAQ", "stock"),
    ("NYSE", "etf"),
    ("NASDAQ", "stock"),
    ("NYSE", "stock"),
)
_LIFECYCLES = ("full", "late_listing", "early_delisting", "late_listing_early_delisting")
# Per 10 tickers: 5 full span, 2 late listing, 2 early delisting, 1 both.
_LIFECYCLE_MIX = np.array([0, 0, 0, 0, 0, 1, 1, 2, 2, 3])

# Regimes: daily drift of log price, daily volatility, mean duration in bars.
_REGIME_MU = np.array([0.0006, 0.0, -0.0012])
_REGIME_SIGMA = np.array([0.011, 0.017, 0.032])
_REGIME_DURATION = np.array([150.0, 90.0, 40.0])
_REVERSION = 0.0008  # daily pull of log price towards the ticker's level
_MIN_PRICE = 0.01  # closes and opens are floored here before rounding
_NON_NUMERIC_TOKENS = ("n/a", "#N/A", "1.2.3")
_ROWS_PER_BATCH = 400_000


@dataclass
class UniverseSummary:
    """What :func:`generate_universe` produced.

    Attributes:
        out_dir: output root.
        params: the generation arguments (JSON-friendly).
        tickers: one dict per ticker: ``ticker`` (``SYN0001.US``), ``path`` (POSIX, relative to
            ``out_dir``), ``exchange`` (NASDAQ/NYSE/NYSEMKT), ``asset_type`` (stock/etf),
            ``lifecycle``, ``is_penny``, ``first_date``/``last_date`` (ISO), ``bars`` (simulated
            trading days) and ``lines`` (data lines in the file, header excluded).
        defects: one dict per defect: ``kind``, ``ticker``, ``path``, ``line_no`` (1-based, header
            is line 1), ``trade_date`` (ISO date the line belongs to), ``line`` (exact text, no
            newline) and kind-specific keys (see :func:`generate_universe`).
        files: number of data files.
        rows: data lines written over all files (header excluded, defect lines included).
        files_written: files whose bytes changed on this run (0 on an identical re-run).
        seconds: wall-clock time of the run.
    """

    out_dir: Path
    params: dict
    tickers: list[dict]
    defects: list[dict]
    files: int
    rows: int
    files_written: int = 0
    seconds: float = 0.0
    paths: list[Path] = field(default_factory=list)

    def manifest(self) -> dict:
        """The deterministic part of the summary, as written to ``manifest.json``."""
        return {
            "generator": "market_warehouse.synthetic",
            "params": self.params,
            "files": self.files,
            "rows": self.rows,
            "tickers": self.tickers,
            "defects": self.defects,
        }


@dataclass
class _Ticker:
    index: int
    ticker: str
    exchange: str
    asset_type: str
    lifecycle: str
    is_penny: bool
    start: int = 0
    stop: int = 0
    rel_path: str = ""
    defect: str | None = None
    defect_row: int = -1
    defect_variant: int = 0


# ---------------------------------------------------------------------------------------------
# Calendar and universe layout
# ---------------------------------------------------------------------------------------------


def business_days(end_date: dt.date, years: int) -> np.ndarray:
    """Mon-Fri dates after ``end_date`` minus ``years`` years, up to and including ``end_date``.

    Returns:
        ``datetime64[D]`` array, ascending.
    """
    try:
        start = end_date.replace(year=end_date.year - years)
    except ValueError:  # 29 February
        start = end_date.replace(year=end_date.year - years, day=28)
    days = np.arange(np.datetime64(start) + 1, np.datetime64(end_date) + 1, dtype="datetime64[D]")
    return days[np.is_busday(days)]


def _ymd(days: np.ndarray) -> np.ndarray:
    """``datetime64[D]`` -> int64 ``YYYYMMDD``."""
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months_start = days.astype("datetime64[M]")
    months = months_start.astype(np.int64) % 12 + 1
    dom = (days - months_start.astype("datetime64[D]")).astype(np.int64) + 1
    return years * 10000 + months * 100 + dom


def _folder(exchange: str, asset_type: str) -> str:
    return f"{exchange.lower()} {'etfs' if asset_type == 'etf' else 'stocks'}"


def _layout(n_tickers: int, n_days: int, rng: np.random.Generator) -> list[_Ticker]:
    width = max(4, len(str(n_tickers)))
    lifecycles = _LIFECYCLE_MIX[rng.permutation(np.arange(n_tickers) % _LIFECYCLE_MIX.size)]
    specs = []
    for i in range(n_tickers):
        exchange, asset_type = _SLOTS[i % len(_SLOTS)]
        specs.append(
            _Ticker(
                index=i,
                ticker=f"{TICKER_PREFIX}{i + 1:0{width}d}.US",
                exchange=exchange,
                asset_type=asset_type,
                lifecycle=_LIFECYCLES[int(lifecycles[i])],
                is_penny=False,
            )
        )
    stocks = [s.index for s in specs if s.asset_type == "stock"]
    n_penny = min(len(stocks), max(1, round(0.03 * len(stocks))))
    for i in rng.choice(stocks, size=n_penny, replace=False):
        specs[int(i)].is_penny = True

    min_life = max(20, min(250, n_days // 4))
    for s in specs:
        late = s.lifecycle in ("late_listing", "late_listing_early_delisting")
        early = s.lifecycle in ("early_delisting", "late_listing_early_delisting")
        s.start = int(rng.integers(1, n_days - min_life)) if late else 0
        s.stop = int(rng.integers(s.start + min_life, n_days)) if early else n_days

    counts: dict[str, int] = {}
    for s in specs:  # tickers are in name order, so subfolders fill alphabetically
        folder = _folder(s.exchange, s.asset_type)
        k = counts.get(folder, 0)
        counts[folder] = k + 1
        name = f"{s.ticker.lower()}.txt"
        s.rel_path = f"daily/us/{folder}/{k // FILES_PER_SUBFOLDER + 1}/{name}"
    return specs


def _assign_defects(specs: list[_Ticker], rng: np.random.Generator) -> None:
    n = len(specs)
    per_kind = max(1, n // 200)
    if n < per_kind * len(DEFECT_KINDS):
        raise ValueError(f"defects need at least {len(DEFECT_KINDS)} tickers, got {n}")
    order = [int(i) for i in rng.permutation(n)]
    # splits go to non-penny tickers so that divided prices stay well above the 4th decimal
    split_pool = [i for i in order if not specs[i].is_penny][:per_kind]
    taken = set(split_pool)
    rest = [i for i in order if i not in taken]
    chosen = {"split": split_pool}
    for k, kind in enumerate(DEFECT_KINDS[1:]):
        chosen[kind] = rest[k * per_kind : (k + 1) * per_kind]
    for kind, idxs in chosen.items():
        for variant, i in enumerate(sorted(idxs)):
            specs[i].defect = kind
            specs[i].defect_variant = variant


# ---------------------------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------------------------


def _regimes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Regime index (0, 1, 2) per bar from a jump chain with geometric durations."""
    segments = n // 20 + 8
    first = rng.integers(3)
    steps = 1 + rng.integers(0, 2, size=segments - 1)
    states = (first + np.concatenate(([0], np.cumsum(steps)))) % 3
    durations = rng.geometric(1.0 / _REGIME_DURATION[states])
    while durations.sum() < n:  # practically never; keeps the result exact for any draw
        states = np.concatenate((states, (states[-1:] + 1) % 3))
        durations = np.concatenate((durations, [n]))
    return np.repeat(states, durations)[:n]


def _ar1(x: np.ndarray, phi: float) -> np.ndarray:
    """``y[0] = x[0]``, ``y[t] = phi * y[t-1] + x[t]``."""
    from scipy.signal import lfilter

    return lfilter([1.0], [1.0, -phi], x)


def _simulate(spec: _Ticker, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Simulate ``n`` bars for one ticker.

    Returns:
        ``open``, ``high``, ``low``, ``close`` as int64 in units of 10**-PRICE_DECIMALS dollars,
        and ``volume`` as int64 shares; all of length ``n``.
    """
    etf = spec.asset_type == "etf"
    if spec.is_penny:
        level = np.exp(rng.uniform(np.log(0.15), np.log(0.8)))
        base_volume = np.exp(rng.uniform(np.log(1e6), np.log(5e7)))
    elif etf:
        level = np.exp(rng.uniform(np.log(20.0), np.log(300.0)))
        base_volume = np.exp(rng.uniform(np.log(5e4), np.log(5e6)))
    else:
        level = np.exp(rng.uniform(np.log(5.0), np.log(250.0)))
        base_volume = np.exp(rng.uniform(np.log(2e5), np.log(2e7)))
    vol_scale = (
        np.exp(rng.normal(0.0, 0.25)) * (0.6 if etf else 1.0) * (1.6 if spec.is_penny else 1)
    )
    drift = rng.normal(0.0, 0.0002)

    state = _regimes(rng, n)
    sigma = _REGIME_SIGMA[state] * vol_scale
    shock = rng.standard_t(4, size=n) / np.sqrt(2.0)
    ret = _REGIME_MU[state] + drift + sigma * shock
    x = ret.copy()
    x[0] = rng.normal(0.0, 0.4)
    close = np.maximum(level * np.exp(_ar1(x, 1.0 - _REVERSION)), _MIN_PRICE)

    gap = np.exp(rng.normal(0.0, 0.25, size=n) * sigma)
    open_ = np.empty(n)
    open_[0] = close[0] * gap[0]
    open_[1:] = close[:-1] * gap[1:]
    open_ = np.maximum(open_, _MIN_PRICE)
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, 0.6, size=n)) * sigma)
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, 0.6, size=n)) * sigma)

    move = np.minimum(np.abs(shock), 6.0)  # shock size in (roughly) standard deviations
    log_volume = np.log(base_volume) + 0.6 * (move - 0.8) + rng.normal(0.0, 0.35, size=n)
    volume = np.maximum(np.rint(np.exp(log_volume)), 1).astype(np.int64)

    scale = 10**PRICE_DECIMALS
    out = {
        k: np.rint(v * scale).astype(np.int64)
        for k, v in (("open", open_), ("high", high), ("low", low), ("close", close))
    }
    out["low"] = np.maximum(out["low"], 1)  # rounding is monotone, so order is kept
    out["volume"] = volume
    return out


def _apply_split(bars: dict[str, np.ndarray], row: int) -> None:
    for k in ("open", "high", "low", "close"):
        bars[k][row:] = np.maximum(np.rint(bars[k][row:] / SPLIT_RATIO).astype(np.int64), 1)
    bars["volume"][row:] *= SPLIT_RATIO


# ---------------------------------------------------------------------------------------------
# Formatting: build every line as a masked byte matrix, then keep the masked bytes
# ---------------------------------------------------------------------------------------------


# 4-digit lookup tables: row k holds the ASCII of f"{k:04d}" and, for a fractional part k/10**4,
# which of its digits survive trailing-zero stripping. Gathering 4 bytes at a time as one uint32
# avoids per-digit integer division, which dominated the run time.
_DIGITS4 = np.frombuffer(
    "".join(f"{k:04d}" for k in range(10_000)).encode("ascii"), dtype=np.uint8
).reshape(10_000, 4)
_DIGITS4_U32 = _DIGITS4.view(np.uint32).ravel()
_FRAC4_KEEP = ((np.arange(10_000)[:, None] % (10 ** np.arange(4, 0, -1))[None, :]) != 0).astype(
    np.uint8
)
_FRAC4_KEEP_U32 = _FRAC4_KEEP.view(np.uint32).ravel()
assert PRICE_DECIMALS == 4, "the lookup tables assume 4 decimals"


def _gather4(chunk: np.ndarray) -> np.ndarray:
    """(n,) ints in [0, 9999] -> (n, 4) uint8 zero-padded ASCII digits."""
    return _DIGITS4_U32[chunk].view(np.uint8).reshape(-1, 4)


def _const(n: int, text: str) -> tuple[np.ndarray, np.ndarray]:
    row = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.broadcast_to(row, (n, row.size)), np.ones((n, row.size), dtype=bool)


def _int_block(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Digits of non-negative int64 ``v`` without leading zeros (``0`` stays ``0``).

    Returns:
        (n, w) uint8 right-aligned zero-padded digits and the (n, w) bool mask of digits to keep,
        with ``w`` the digit count of ``v.max()``.
    """
    width = len(str(int(v.max()))) if v.size else 1
    n_chunks = -(-width // 4)
    chunks = []
    rest = v
    for _ in range(n_chunks - 1):
        rest, low = np.divmod(rest, 10_000)
        chunks.append(_gather4(low))
    chunks.append(_gather4(rest))
    digits = np.concatenate(chunks[::-1], axis=1)[:, 4 * n_chunks - width :]
    mask = v[:, None] >= 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    mask[:, -1] = True
    return digits, mask


def _price_block(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``v / 10**4`` as a decimal with trailing fractional zeros (and a bare dot) removed."""
    whole, frac = np.divmod(v, 10_000)
    int_digits, int_mask = _int_block(whole)
    frac_keep = _FRAC4_KEEP_U32[frac].view(np.uint8).reshape(-1, 4).view(bool)
    dot = np.full((v.size, 1), ord("."), dtype=np.uint8)
    return (
        np.concatenate((int_digits, dot, _gather4(frac)), axis=1),
        np.concatenate((int_mask, (frac != 0)[:, None], frac_keep), axis=1),
    )


def _date_bytes(days: np.ndarray) -> np.ndarray:
    """``datetime64[D]`` (n,) -> (n, 8) uint8 ASCII ``YYYYMMDD``."""
    ymd = _ymd(days)
    return np.concatenate((_gather4(ymd // 10_000), _gather4(ymd % 10_000)), axis=1)


def _format_rows(
    symbols: np.ndarray, dates: np.ndarray, bars: dict[str, np.ndarray]
) -> tuple[bytes, np.ndarray]:
    """Format data lines.

    Args:
        symbols: (n, w) uint8, the ``TICKER.US`` bytes of each row.
        dates: (n, 8) uint8, the ``YYYYMMDD`` bytes of each row.
        bars: int64 arrays ``open``/``high``/``low``/``close`` (10**-4 dollars) and ``volume``.

    Returns:
        All lines concatenated (each ending in ``\\n``) and the byte length of each line.
    """
    n = dates.shape[0]
    blocks = [
        (symbols, np.ones(symbols.shape, dtype=bool)),
        _const(n, ",D,"),
        (dates, np.ones(dates.shape, dtype=bool)),
        _const(n, ",000000,"),
    ]
    for k in ("open", "high", "low", "close"):
        blocks.append(_price_block(bars[k]))
        blocks.append(_const(n, ","))
    blocks.append(_int_block(bars["volume"]))
    blocks.append(_const(n, ",0\n"))
    mat = np.concatenate([b[0] for b in blocks], axis=1)
    mask = np.concatenate([b[1] for b in blocks], axis=1)
    return mat[mask].tobytes(), mask.sum(axis=1)


# ---------------------------------------------------------------------------------------------
# Line-level defects
# ---------------------------------------------------------------------------------------------


def _iso(ymd: str) -> str:
    return f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:8]}"


def _line_defect(spec: _Ticker, lines: list[str], rng: np.random.Generator) -> dict:
    """Apply ``spec.defect`` to the data ``lines`` (no header) in place; return its record."""
    n = len(lines)
    lo, hi = n // 4, max(n // 4 + 1, (3 * n) // 4)
    kind = spec.defect
    rec: dict = {"kind": kind, "ticker": spec.ticker, "path": spec.rel_path}

    if kind == "impossible_date":
        months = [_month(line) for line in lines]
        march_firsts = [i for i in range(1, n) if months[i] == 3 and months[i - 1] == 2]
        row = int(rng.choice(march_firsts)) if march_firsts else int(rng.integers(lo, hi))
    else:
        row = int(rng.integers(lo, hi))
        if kind == "duplicate_conflict":  # need high > low so a different in-range close exists
            while row + 1 < n and lines[row].split(",")[5] == lines[row].split(",")[6]:
                row += 1
    fields = lines[row].split(",")
    rec["trade_date"] = _iso(fields[2])

    if kind == "duplicate_identical":
        lines.insert(row + 1, lines[row])
        rec.update(line_no=row + 3, duplicate_of_line_no=row + 2, line=lines[row])
    elif kind == "duplicate_conflict":
        high, low, close = fields[5], fields[6], fields[7]
        new_close = low if float(close) != float(low) else high
        conflict = ",".join([*fields[:7], new_close, *fields[8:]])
        lines.insert(row + 1, conflict)
        rec.update(
            line_no=row + 3,
            duplicate_of_line_no=row + 2,
            line=conflict,
            original_close=float(close),
            conflicting_close=float(new_close),
        )
    elif kind == "bad_field_count":
        bad = ",".join(fields[:6]) if spec.defect_variant % 2 == 0 else lines[row] + ",0"
        lines[row] = bad
        rec.update(line_no=row + 2, line=bad, field_count=bad.count(",") + 1)
    elif kind == "non_numeric_price":
        token = _NON_NUMERIC_TOKENS[spec.defect_variant % len(_NON_NUMERIC_TOKENS)]
        bad = ",".join([*fields[:7], token, *fields[8:]])
        lines[row] = bad
        rec.update(line_no=row + 2, line=bad, field="close", value=token)
    elif kind == "impossible_date":
        bad_date = f"{fields[2][:4]}0230"
        bad = ",".join([*fields[:2], bad_date, *fields[3:]])
        lines[row] = bad
        rec.update(line_no=row + 2, line=bad, bad_date=bad_date)
    else:  # pragma: no cover - guarded by DEFECT_KINDS
        raise ValueError(kind)
    return rec


def _month(line: str) -> int:
    return int(line.split(",", 3)[2][4:6])


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def generate_universe(
    out_dir: Path | str,
    n_tickers: int,
    years: int,
    seed: int,
    end_date: dt.date | str = DEFAULT_END_DATE,
    defects: bool = False,
) -> UniverseSummary:
    """Write a synthetic universe of Stooq daily files under ``out_dir`` (see module docstring).

    Deterministic in (``n_tickers``, ``years``, ``seed``, ``end_date``, ``defects``). Only files
    whose bytes differ are written; nothing is deleted. ``manifest.json`` is written to
    ``out_dir``.

    Args:
        out_dir: raw root; data files go to ``out_dir/daily/us/<exchange folder>/<n>/``.
        n_tickers: number of tickers (>= 1; >= 6 with ``defects``).
        years: calendar years of history ending at ``end_date`` (>= 1).
        seed: random seed (non-negative int).
        end_date: last calendar day (``datetime.date`` or ``YYYY-MM-DD``).
        defects: plant defects (see :data:`DEFECT_KINDS`).

    Returns:
        A :class:`UniverseSummary`. Defect records carry ``kind``, ``ticker``, ``path``,
        ``line_no``, ``trade_date``, ``line`` and: ``duplicate_of_line_no`` (duplicates),
        ``original_close``/``conflicting_close`` (conflict), ``field_count`` (bad field count),
        ``field``/``value`` (non-numeric), ``bad_date`` (impossible date), ``ratio`` (split: first
        line at the new price level; prices divided and volume multiplied from there on).
    """
    t0 = time.perf_counter()
    if isinstance(end_date, str):
        end_date = dt.date.fromisoformat(end_date)
    if n_tickers < 1 or years < 1 or seed < 0:
        raise ValueError("n_tickers and years must be >= 1 and seed >= 0")
    out_dir = Path(out_dir)

    days = business_days(end_date, years)
    date_bytes = _date_bytes(days)
    root_seq = np.random.SeedSequence(seed)
    layout_seq, assign_seq, defect_seq, *ticker_seqs = root_seq.spawn(n_tickers + 3)
    specs = _layout(n_tickers, days.size, np.random.default_rng(layout_seq))
    if defects:
        _assign_defects(specs, np.random.default_rng(assign_seq))
    defect_rng = np.random.default_rng(defect_seq)

    header = (STOOQ_HEADER + "\n").encode("ascii")
    tickers: list[dict] = []
    defect_records: list[dict] = []
    paths: list[Path] = []
    total_rows = 0
    written = 0

    def flush(batch: list[tuple[_Ticker, dict[str, np.ndarray]]]) -> None:
        nonlocal total_rows, written
        if not batch:
            return
        symbols_by_ticker = np.array(
            [np.frombuffer(s.ticker.encode("ascii"), dtype=np.uint8) for s, _ in batch]
        )
        sizes = np.array([s.stop - s.start for s, _ in batch])
        which = np.repeat(np.arange(len(batch)), sizes)
        dates = np.concatenate([date_bytes[s.start : s.stop] for s, _ in batch])
        bars = {k: np.concatenate([b[k] for _, b in batch]) for k in batch[0][1]}
        text, lengths = _format_rows(symbols_by_ticker[which], dates, bars)
        ends = np.cumsum(lengths)[np.cumsum(sizes) - 1]
        begin = 0
        for (spec, _), end in zip(batch, ends, strict=True):
            body = text[begin:end]
            begin = int(end)
            lines_count = spec.stop - spec.start
            if spec.defect is not None and spec.defect != "split":
                lines = body.decode("ascii").splitlines()
                defect_records.append(_line_defect(spec, lines, defect_rng))
                body = ("\n".join(lines) + "\n").encode("ascii")
                lines_count = len(lines)
            path = out_dir / spec.rel_path
            written += write_if_changed(path, header + body)
            paths.append(path)
            total_rows += lines_count
            tickers.append(
                {
                    "ticker": spec.ticker,
                    "path": spec.rel_path,
                    "exchange": spec.exchange,
                    "asset_type": spec.asset_type,
                    "lifecycle": spec.lifecycle,
                    "is_penny": spec.is_penny,
                    "first_date": str(days[spec.start]),
                    "last_date": str(days[spec.stop - 1]),
                    "bars": spec.stop - spec.start,
                    "lines": lines_count,
                }
            )

    batch: list[tuple[_Ticker, dict[str, np.ndarray]]] = []
    batch_rows = 0
    for spec, seq in zip(specs, ticker_seqs, strict=True):
        n = spec.stop - spec.start
        bars = _simulate(spec, n, np.random.default_rng(seq))
        if spec.defect == "split":
            row = int(defect_rng.integers(n // 4, max(n // 4 + 1, (3 * n) // 4)))
            _apply_split(bars, row)
            defect_records.append(
                {
                    "kind": "split",
                    "ticker": spec.ticker,
                    "path": spec.rel_path,
                    "line_no": row + 2,
                    "trade_date": str(days[spec.start + row]),
                    "ratio": SPLIT_RATIO,
                }
            )
        batch.append((spec, bars))
        batch_rows += n
        if batch_rows >= _ROWS_PER_BATCH:
            flush(batch)
            batch, batch_rows = [], 0
    flush(batch)

    for rec in defect_records:  # the exact text of the split's first post-split line
        if rec["kind"] == "split":
            lines = (out_dir / rec["path"]).read_text(encoding="ascii").splitlines()
            rec["line"] = lines[rec["line_no"] - 1]
    defect_records.sort(key=lambda r: (r["path"], r["line_no"]))

    summary = UniverseSummary(
        out_dir=out_dir,
        params={
            "n_tickers": n_tickers,
            "years": years,
            "seed": seed,
            "end_date": end_date.isoformat(),
            "defects": defects,
            "price_decimals": PRICE_DECIMALS,
        },
        tickers=tickers,
        defects=defect_records,
        files=len(paths),
        rows=total_rows,
        paths=paths,
    )
    manifest = json.dumps(summary.manifest(), indent=1, sort_keys=True) + "\n"
    write_if_changed(out_dir / MANIFEST_NAME, manifest.encode("utf-8"))
    summary.files_written = written
    summary.seconds = time.perf_counter() - t0
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; prints one summary line."""
    parser = argparse.ArgumentParser(
        prog="python -m market_warehouse.synthetic",
        description="Write a deterministic synthetic universe of Stooq daily files.",
    )
    parser.add_argument("--tickers", type=int, required=True, help="number of tickers")
    parser.add_argument("--years", type=int, required=True, help="calendar years of history")
    parser.add_argument("--seed", type=int, required=True, help="random seed")
    parser.add_argument("--out", type=Path, required=True, help="raw root to write into")
    parser.add_argument(
        "--end-date",
        type=dt.date.fromisoformat,
        default=DEFAULT_END_DATE,
        help=f"last calendar day, YYYY-MM-DD (default {DEFAULT_END_DATE.isoformat()})",
    )
    parser.add_argument("--defects", action="store_true", help="plant defects (see manifest)")
    args = parser.parse_args(argv)
    s = generate_universe(
        args.out, args.tickers, args.years, args.seed, args.end_date, args.defects
    )
    print(
        f"synthetic: {s.files} files ({s.files_written} written), {s.rows} rows, "
        f"{len(s.defects)} defects, {s.seconds:.1f} s -> {s.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
