"""Silver benchmark: the dbt silver build against pandas and polars implementations.

Command line (the warehouse must already hold bronze, e.g. after ``dbt build --select
+bronze_valid_bars``)::

    python -m market_warehouse.benchmarks.silver_frames --db warehouse/market.duckdb \\
        [--raw-root data/raw] [--skip dbt|pandas|polars ...]

Each contender runs in its own subprocess, so its wall time and peak resident set size (RSS,
sampled every 50 ms over the process tree with psutil) are its own:

- ``dbt``: ``dbt run --full-refresh`` of the silver models (the XNYS calendar, the two stored
  tables and the two views) on a copy of the warehouse, reading bronze and writing the tables;
- ``pandas``: the same columns with ``groupby`` per ticker, on frames read from
  ``bronze_valid_bars``;
- ``polars``: the same columns with window expressions ``.over("ticker")``.

The frame implementations compute the same columns with the same formulas and warm-ups
(TA-Lib seeds reproduced with the "seed row + exponential mean" construction of REFERENCE
2.y option D). They ignore the long-gap segment restart (the synthetic universe has no gaps)
and TA-Lib's zero guards, and they write nothing: they are a speed reference, not a second
source of truth. Reading the bars into memory is included in their wall time, as reading bronze
is in dbt's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from market_warehouse.bench import measure_process

EPS = 1e-12
BAR_COLUMNS = ["ticker", "trade_date", "open", "high", "low", "close", "volume"]
SILVER_MODELS = (
    "silver_xnys_calendar silver_base_bars silver_base_series silver_indicator_values"
    " silver_indicators"
)
PROJECT_DIR = Path(__file__).resolve().parents[3]
MODULE = "market_warehouse.benchmarks.silver_frames"


# --------------------------------------------------------------------------------------------
# polars


def silver_polars(bars):  # noqa: PLR0915 - one formula per line reads best here
    """Return a polars DataFrame with the silver columns for ``bars`` (polars, BAR_COLUMNS)."""
    import polars as pl

    t = "ticker"
    c, h, lo, o, v = (pl.col(name) for name in ["close", "high", "low", "open", "volume"])

    def lag(expr, k=1):
        return expr.shift(k).over(t)

    def safe_div(num, den):
        return pl.when(den.abs() > EPS).then(num / den)

    def seeded_ewm(name, seed_row, seed, alpha):
        """NULL before ``seed_row``, ``seed`` there, then an exponential mean (adjust=False)."""
        idx = pl.col("_idx")
        fed = pl.when(idx < seed_row).then(None).when(idx == seed_row).then(seed)
        fed = fed.otherwise(pl.col(name))
        return fed.ewm_mean(alpha=alpha, adjust=False, ignore_nulls=True).over(t)

    def rmean(expr, n):
        return expr.rolling_mean(n).over(t)

    frame = bars.sort(t, "trade_date").with_columns(pl.int_range(pl.len()).over(t).alias("_idx"))
    frame = frame.with_columns(
        prev_close=lag(c),
        prev_high=lag(h),
        prev_low=lag(lo),
        typical_price=(h + lo + c) / 3,
    )
    pc = pl.col("prev_close")
    frame = frame.with_columns(
        hl_range=h - lo,
        body=c - o,
        body_abs=(c - o).abs(),
        body_to_range=(c - o) / pl.max_horizontal(h - lo, pl.lit(EPS)),
        close_pos_in_range=(c - lo) / pl.max_horizontal(h - lo, pl.lit(EPS)),
        open_pos_in_range=(o - lo) / pl.max_horizontal(h - lo, pl.lit(EPS)),
        hlc3=(h + lo + c) / 3,
        ohlc4=(o + h + lo + c) / 4,
        ret_1d=safe_div(c, pc) - 1,
        ret_5d=safe_div(c, lag(c, 5)) - 1,
        ret_20d=safe_div(c, lag(c, 20)) - 1,
        gap_from_prev_close=safe_div(o, pc) - 1,
        tr=pl.max_horizontal(h - lo, (h - pc).abs(), (lo - pc).abs()),
        true_range=pl.when(pc.is_not_null()).then(
            pl.max_horizontal(h - lo, (h - pc).abs(), (lo - pc).abs())
        ),
        range_pct_close=safe_div(h - lo, c),
        dollar_volume=c * v,
        trh=pl.max_horizontal(h, pc),
        trl=pl.min_horizontal(lo, pc),
        price_gain=pl.when(c - pc >= 0).then(c - pc).otherwise(0.0),
        price_loss=pl.when(c - pc < 0).then(pc - c).otherwise(0.0),
        plus_dm=pl.when(
            (h - pl.col("prev_high") > 0) & (h - pl.col("prev_high") > pl.col("prev_low") - lo)
        )
        .then(h - pl.col("prev_high"))
        .otherwise(0.0),
        minus_dm=pl.when(
            (pl.col("prev_low") - lo > 0) & (h - pl.col("prev_high") < pl.col("prev_low") - lo)
        )
        .then(pl.col("prev_low") - lo)
        .otherwise(0.0),
        obv_step=pl.when(pc.is_null())
        .then(v)
        .when(c > pc)
        .then(v)
        .when(c < pc)
        .then(-v)
        .otherwise(0.0),
    )
    signed_pos = (2 * c - pl.col("trh") - pl.col("trl")) / pl.max_horizontal(
        pl.col("trh") - pl.col("trl"), pl.lit(EPS)
    )
    tp = pl.col("typical_price")
    frame = frame.with_columns(
        signed_pos=signed_pos,
        ad_raw=signed_pos * v,
        proxy_raw=signed_pos * pl.col("tr").abs(),
        proxy_den=pl.col("tr").abs(),
        tr_sma_14=rmean(pl.col("tr"), 14),
        vol_sma_20=rmean(v, 20),
        dollar_vol_sma_20=rmean(pl.col("dollar_volume"), 20),
        volume_std_20=v.rolling_std(20, ddof=0).over(t),
        high_20=h.rolling_max(20).over(t),
        low_20=lo.rolling_min(20).over(t),
        highest_14=h.rolling_max(14).over(t),
        lowest_14=lo.rolling_min(14).over(t),
        **{f"close_sma_{n}": rmean(c, n) for n in (20, 50, 200)},
        bb_std=c.rolling_std(20, ddof=0).over(t),
        positive_money_flow=pl.when(tp > lag(tp)).then(tp * v).otherwise(0.0),
        negative_money_flow=pl.when(tp < lag(tp)).then(tp * v).otherwise(0.0),
        tp_mean_20=rmean(tp, 20),
        obv=pl.col("obv_step").cum_sum().over(t),
        roc_10=(c / lag(c, 10) - 1) * 100,
    )
    wilder = 1 / 21
    frame = frame.with_columns(
        tr_sma_pct_14=safe_div(pl.col("tr_sma_14"), c),
        vol_ratio_20=safe_div(v, pl.col("vol_sma_20")),
        volume_z_20=safe_div(v - pl.col("vol_sma_20"), pl.col("volume_std_20")),
        **{f"close_vs_sma_{n}": safe_div(c, pl.col(f"close_sma_{n}")) - 1 for n in (20, 50, 200)},
        **{f"is_warmup_{n}_complete": pl.col("_idx") + 1 >= n for n in (14, 20, 50, 200)},
        ad_wilder_21=pl.col("ad_raw").ewm_mean(alpha=wilder, adjust=False, min_samples=21).over(t),
        volume_wilder_21=v.ewm_mean(alpha=wilder, adjust=False, min_samples=21).over(t),
        proxy_wilder_21=pl.col("proxy_raw")
        .ewm_mean(alpha=wilder, adjust=False, min_samples=21)
        .over(t),
        proxy_den_wilder_21=pl.col("proxy_den")
        .ewm_mean(alpha=wilder, adjust=False, min_samples=21)
        .over(t),
        ema_12=seeded_ewm("close", 11, rmean(c, 12), 2 / 13),
        ema_26=seeded_ewm("close", 25, rmean(c, 26), 2 / 27),
        ema_50=seeded_ewm("close", 49, rmean(c, 50), 2 / 51),
        macd_fast=seeded_ewm("close", 25, rmean(c, 12), 2 / 13),
        rsi_gain=seeded_ewm("price_gain", 14, rmean(pl.col("price_gain"), 14), 1 / 14),
        rsi_loss=seeded_ewm("price_loss", 14, rmean(pl.col("price_loss"), 14), 1 / 14),
        atr_14=seeded_ewm("true_range", 14, rmean(pl.col("true_range"), 14), 1 / 14),
        plus_dm_avg=seeded_ewm(
            "plus_dm", 13, pl.col("plus_dm").rolling_sum(13).over(t) / 14, 1 / 14
        ),
        minus_dm_avg=seeded_ewm(
            "minus_dm", 13, pl.col("minus_dm").rolling_sum(13).over(t) / 14, 1 / 14
        ),
        tr_avg=seeded_ewm(
            "true_range", 13, pl.col("true_range").rolling_sum(13).over(t) / 14, 1 / 14
        ),
        mfi_pos=pl.col("positive_money_flow").rolling_sum(14).over(t),
        mfi_neg=pl.col("negative_money_flow").rolling_sum(14).over(t),
        cci_mean_dev=pl.sum_horizontal(
            [(lag(tp, k) - pl.col("tp_mean_20")).abs() for k in range(20)]
        )
        / 20,
        fast_k=pl.when(pl.col("highest_14") - pl.col("lowest_14") != 0)
        .then((c - pl.col("lowest_14")) / (pl.col("highest_14") - pl.col("lowest_14")) * 100)
        .otherwise(0.0),
    )
    frame = frame.with_columns(
        tmf_21=safe_div(pl.col("ad_wilder_21"), pl.col("volume_wilder_21")),
        tti_proxy_v1_21=safe_div(pl.col("proxy_wilder_21"), pl.col("proxy_den_wilder_21")),
        macd_12_26_9=pl.when(pl.col("_idx") >= 25).then(pl.col("macd_fast") - pl.col("ema_26")),
        rsi_14=100 * pl.col("rsi_gain") / (pl.col("rsi_gain") + pl.col("rsi_loss")),
        natr_14=pl.col("atr_14") / c * 100,
        plus_di_14=100 * pl.col("plus_dm_avg") / pl.col("tr_avg"),
        minus_di_14=100 * pl.col("minus_dm_avg") / pl.col("tr_avg"),
        mfi_14=100 * pl.col("mfi_pos") / (pl.col("mfi_pos") + pl.col("mfi_neg")),
        willr_14=(pl.col("highest_14") - c) / (pl.col("highest_14") - pl.col("lowest_14")) * -100,
        cci_20=(tp - pl.col("tp_mean_20")) / (0.015 * pl.col("cci_mean_dev")),
        stoch_k_14_3=rmean(pl.col("fast_k"), 3),
        bbands_upper_20_2=pl.col("close_sma_20") + 2 * pl.col("bb_std"),
        bbands_lower_20_2=pl.col("close_sma_20") - 2 * pl.col("bb_std"),
    )
    tmf = pl.col("tmf_21")
    frame = frame.with_columns(
        macd_signal_12_26_9=seeded_ewm(
            "macd_12_26_9", 33, rmean(pl.col("macd_12_26_9"), 9), 2 / 10
        ),
        dx=100
        * (pl.col("plus_di_14") - pl.col("minus_di_14")).abs()
        / (pl.col("plus_di_14") + pl.col("minus_di_14")),
        stoch_d_14_3=rmean(pl.col("stoch_k_14_3"), 3),
        tmf_ema_5=tmf.ewm_mean(alpha=1 / 3, adjust=False, min_samples=5, ignore_nulls=True).over(t),
        tmf_slope_1=tmf - lag(tmf),
        tmf_slope_5=tmf - lag(tmf, 5),
        is_tmf_zero_cross_up=((tmf > 0) & (lag(tmf) <= 0)).fill_null(False),
        is_tmf_zero_cross_down=((tmf < 0) & (lag(tmf) >= 0)).fill_null(False),
        is_tmf_respect_zero_up_candidate=(
            (tmf > 0) & (tmf - lag(tmf) > 0) & (lag(tmf) < lag(tmf, 2))
        ).fill_null(False),
        is_tmf_respect_zero_down_candidate=(
            (tmf < 0) & (tmf - lag(tmf) < 0) & (lag(tmf) > lag(tmf, 2))
        ).fill_null(False),
        tmf_sign=tmf.sign().fill_null(0).cast(pl.Int8),
    )
    frame = frame.with_columns(
        macd_hist_12_26_9=pl.col("macd_12_26_9") - pl.col("macd_signal_12_26_9"),
        adx_14=seeded_ewm("dx", 27, rmean(pl.col("dx"), 14), 1 / 14),
    )
    return frame


# --------------------------------------------------------------------------------------------
# pandas


def silver_pandas(bars):  # noqa: PLR0915
    """Return a pandas DataFrame with the silver columns for ``bars`` (pandas, BAR_COLUMNS)."""
    import warnings

    import numpy as np
    import pandas as pd

    # one column at a time is the plain groupby style this benchmark stands for
    warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
    frame = bars.sort_values(["ticker", "trade_date"]).reset_index(drop=True)
    groups = frame.groupby("ticker", sort=False)
    idx = groups.cumcount()

    def lag(column, k=1):
        return frame.groupby("ticker", sort=False)[column].shift(k)

    def roll(column, n, how="mean", **kwargs):
        grouped = frame.groupby("ticker", sort=False)[column]
        return grouped.transform(lambda s: getattr(s.rolling(n), how)(**kwargs))

    def ewm(column, alpha, **kwargs):
        grouped = frame.groupby("ticker", sort=False)[column]
        return grouped.transform(lambda s: s.ewm(alpha=alpha, adjust=False, **kwargs).mean())

    def seeded_ewm(column, seed_row, seed, alpha):
        fed = frame[column].where(idx > seed_row).mask(idx == seed_row, seed)
        frame["_fed"] = fed
        return ewm("_fed", alpha, ignore_na=True)

    def safe_div(num, den):
        return (num / den).where(den.abs() > EPS)

    c, h, lo, o, v = (frame[name] for name in ["close", "high", "low", "open", "volume"])
    frame["prev_close"] = pc = lag("close")
    frame["prev_high"] = lag("high")
    frame["prev_low"] = lag("low")
    frame["typical_price"] = tp = (h + lo + c) / 3
    safe_range = np.maximum(h - lo, EPS)
    frame["hl_range"] = h - lo
    frame["body"] = c - o
    frame["body_abs"] = (c - o).abs()
    frame["body_to_range"] = (c - o) / safe_range
    frame["close_pos_in_range"] = (c - lo) / safe_range
    frame["open_pos_in_range"] = (o - lo) / safe_range
    frame["hlc3"] = (h + lo + c) / 3
    frame["ohlc4"] = (o + h + lo + c) / 4
    frame["ret_1d"] = safe_div(c, pc) - 1
    frame["ret_5d"] = safe_div(c, lag("close", 5)) - 1
    frame["ret_20d"] = safe_div(c, lag("close", 20)) - 1
    frame["gap_from_prev_close"] = safe_div(o, pc) - 1
    true_range = np.fmax(h - lo, np.fmax((h - pc).abs(), (lo - pc).abs()))
    frame["tr"] = true_range
    frame["true_range"] = true_range.where(pc.notna())
    frame["range_pct_close"] = safe_div(h - lo, c)
    frame["dollar_volume"] = c * v
    frame["trh"] = np.fmax(h, pc)
    frame["trl"] = np.fmin(lo, pc)
    frame["price_gain"] = np.where(c - pc >= 0, c - pc, 0.0)
    frame["price_loss"] = np.where(c - pc < 0, pc - c, 0.0)
    up, down = h - frame["prev_high"], frame["prev_low"] - lo
    frame["plus_dm"] = np.where((up > 0) & (up > down), up, 0.0)
    frame["minus_dm"] = np.where((down > 0) & (up < down), down, 0.0)
    frame["obv_step"] = np.where(pc.isna() | (c > pc), v, np.where(c < pc, -v, 0.0))
    signed_pos = (2 * c - frame["trh"] - frame["trl"]) / np.maximum(
        frame["trh"] - frame["trl"], EPS
    )
    frame["ad_raw"] = signed_pos * v
    frame["proxy_raw"] = signed_pos * frame["tr"].abs()
    frame["proxy_den"] = frame["tr"].abs()
    frame["tr_sma_14"] = roll("tr", 14)
    frame["vol_sma_20"] = roll("volume", 20)
    frame["dollar_vol_sma_20"] = roll("dollar_volume", 20)
    frame["volume_std_20"] = roll("volume", 20, "std", ddof=0)
    frame["high_20"] = roll("high", 20, "max")
    frame["low_20"] = roll("low", 20, "min")
    frame["highest_14"] = roll("high", 14, "max")
    frame["lowest_14"] = roll("low", 14, "min")
    for n in (20, 50, 200):
        frame[f"close_sma_{n}"] = roll("close", n)
        frame[f"close_vs_sma_{n}"] = safe_div(c, frame[f"close_sma_{n}"]) - 1
    for n in (14, 20, 50, 200):
        frame[f"is_warmup_{n}_complete"] = idx + 1 >= n
    frame["bb_std"] = roll("close", 20, "std", ddof=0)
    prev_tp = lag("typical_price")
    frame["positive_money_flow"] = np.where(tp > prev_tp, tp * v, 0.0)
    frame["negative_money_flow"] = np.where(tp < prev_tp, tp * v, 0.0)
    frame["tp_mean_20"] = roll("typical_price", 20)
    frame["obv"] = frame.groupby("ticker", sort=False)["obv_step"].cumsum()
    frame["roc_10"] = (c / lag("close", 10) - 1) * 100
    frame["tr_sma_pct_14"] = safe_div(frame["tr_sma_14"], c)
    frame["vol_ratio_20"] = safe_div(v, frame["vol_sma_20"])
    frame["volume_z_20"] = safe_div(v - frame["vol_sma_20"], frame["volume_std_20"])
    for name, column in [
        ("ad", "ad_raw"),
        ("volume", "volume"),
        ("proxy", "proxy_raw"),
        ("proxy_den", "proxy_den"),
    ]:
        frame[f"{name}_wilder_21"] = ewm(column, 1 / 21, min_periods=21)
    frame["ema_12"] = seeded_ewm("close", 11, roll("close", 12), 2 / 13)
    frame["ema_26"] = seeded_ewm("close", 25, roll("close", 26), 2 / 27)
    frame["ema_50"] = seeded_ewm("close", 49, roll("close", 50), 2 / 51)
    frame["macd_fast"] = seeded_ewm("close", 25, roll("close", 12), 2 / 13)
    frame["rsi_gain"] = seeded_ewm("price_gain", 14, roll("price_gain", 14), 1 / 14)
    frame["rsi_loss"] = seeded_ewm("price_loss", 14, roll("price_loss", 14), 1 / 14)
    frame["atr_14"] = seeded_ewm("true_range", 14, roll("true_range", 14), 1 / 14)
    for column in ["plus_dm", "minus_dm", "true_range"]:
        frame[f"{column}_avg"] = seeded_ewm(column, 13, roll(column, 13, "sum") / 14, 1 / 14)
    frame["mfi_pos"] = roll("positive_money_flow", 14, "sum")
    frame["mfi_neg"] = roll("negative_money_flow", 14, "sum")
    deviations = sum((lag("typical_price", k) - frame["tp_mean_20"]).abs() for k in range(20))
    frame["cci_mean_dev"] = deviations / 20
    spread = frame["highest_14"] - frame["lowest_14"]
    frame["fast_k"] = np.where(spread != 0, (c - frame["lowest_14"]) / spread * 100, 0.0)
    frame["tmf_21"] = safe_div(frame["ad_wilder_21"], frame["volume_wilder_21"])
    frame["tti_proxy_v1_21"] = safe_div(frame["proxy_wilder_21"], frame["proxy_den_wilder_21"])
    frame["macd_12_26_9"] = (frame["macd_fast"] - frame["ema_26"]).where(idx >= 25)
    frame["rsi_14"] = 100 * frame["rsi_gain"] / (frame["rsi_gain"] + frame["rsi_loss"])
    frame["natr_14"] = frame["atr_14"] / c * 100
    frame["plus_di_14"] = 100 * frame["plus_dm_avg"] / frame["true_range_avg"]
    frame["minus_di_14"] = 100 * frame["minus_dm_avg"] / frame["true_range_avg"]
    frame["mfi_14"] = 100 * frame["mfi_pos"] / (frame["mfi_pos"] + frame["mfi_neg"])
    frame["willr_14"] = (frame["highest_14"] - c) / spread * -100
    frame["cci_20"] = (tp - frame["tp_mean_20"]) / (0.015 * frame["cci_mean_dev"])
    frame["stoch_k_14_3"] = roll("fast_k", 3)
    frame["stoch_d_14_3"] = roll("stoch_k_14_3", 3)
    frame["bbands_upper_20_2"] = frame["close_sma_20"] + 2 * frame["bb_std"]
    frame["bbands_lower_20_2"] = frame["close_sma_20"] - 2 * frame["bb_std"]
    frame["macd_signal_12_26_9"] = seeded_ewm("macd_12_26_9", 33, roll("macd_12_26_9", 9), 0.2)
    frame["macd_hist_12_26_9"] = frame["macd_12_26_9"] - frame["macd_signal_12_26_9"]
    di_sum = frame["plus_di_14"] + frame["minus_di_14"]
    frame["dx"] = 100 * (frame["plus_di_14"] - frame["minus_di_14"]).abs() / di_sum
    frame["adx_14"] = seeded_ewm("dx", 27, roll("dx", 14), 1 / 14)
    tmf = frame["tmf_21"]
    tmf_1, tmf_2 = lag("tmf_21"), lag("tmf_21", 2)
    frame["tmf_ema_5"] = ewm("tmf_21", 1 / 3, min_periods=5, ignore_na=True)
    frame["tmf_slope_1"] = tmf - tmf_1
    frame["tmf_slope_5"] = tmf - lag("tmf_21", 5)
    frame["is_tmf_zero_cross_up"] = (tmf > 0) & (tmf_1 <= 0)
    frame["is_tmf_zero_cross_down"] = (tmf < 0) & (tmf_1 >= 0)
    frame["is_tmf_respect_zero_up_candidate"] = (tmf > 0) & (tmf - tmf_1 > 0) & (tmf_1 < tmf_2)
    frame["is_tmf_respect_zero_down_candidate"] = (tmf < 0) & (tmf - tmf_1 < 0) & (tmf_1 > tmf_2)
    frame["tmf_sign"] = np.sign(tmf.fillna(0)).astype("int8")
    return pd.DataFrame(frame)


# --------------------------------------------------------------------------------------------
# harness


def _read_bars(db_path: Path, engine: str):
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        relation = con.sql(f"select {', '.join(BAR_COLUMNS)} from bronze_valid_bars")
        return relation.pl() if engine == "polars" else relation.df()


def _run_frame(engine: str, db_path: Path) -> dict:
    started = time.perf_counter()
    bars = _read_bars(db_path, engine)
    read_s = time.perf_counter() - started
    result = silver_polars(bars) if engine == "polars" else silver_pandas(bars)
    return {"rows": len(result), "read_s": read_s, "columns": len(result.columns)}


def _count_bars(db_path: Path) -> int:
    """Number of bars in ``bronze_valid_bars`` (read-only)."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql("select count(*) from bronze_valid_bars").fetchall()[0][0]


def _dbt_command(db_path: Path, raw_root: str | None) -> tuple[list[str], dict]:
    dbt = str(Path(sys.executable).with_name("dbt"))
    command = [dbt, "run", "--full-refresh", "--select", *SILVER_MODELS.split()]
    # keep dbt's artefacts next to the copy, away from the project's target/ folder
    command += ["--target-path", str(db_path.parent / "target")]
    command += ["--log-path", str(db_path.parent / "logs")]
    if raw_root:
        command += ["--vars", json.dumps({"raw_root": raw_root})]
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "MW_DUCKDB_PATH": str(db_path),
        "DO_NOT_TRACK": "1",
    }
    return command, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="warehouse holding bronze")
    parser.add_argument("--raw-root", help="raw_root var for dbt (the tree bronze was built from)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["dbt", "pandas", "polars"])
    parser.add_argument("--frame-worker", choices=["pandas", "polars"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.frame_worker:
        print(json.dumps(_run_frame(args.frame_worker, args.db)))
        return 0

    rows = _count_bars(args.db)
    results = []
    if "dbt" not in args.skip:
        with tempfile.TemporaryDirectory(prefix="silver_bench_") as tmp:
            copy = Path(tmp) / "warehouse.duckdb"
            shutil.copyfile(args.db, copy)
            command, env = _dbt_command(copy, args.raw_root)
            elapsed, peak, _ = measure_process(command, env)
        results.append(("dbt silver (DuckDB)", elapsed, peak, ""))
    for engine in ("pandas", "polars"):
        if engine in args.skip:
            continue
        command = [sys.executable, "-m", MODULE, "--db", str(args.db), "--frame-worker", engine]
        elapsed, peak, output = measure_process(command)
        info = json.loads(output.strip().splitlines()[-1])
        results.append((f"{engine} frames", elapsed, peak, f"read {info['read_s']:.1f} s"))

    print(f"silver benchmark on {args.db}: {rows:,} bars, {os.cpu_count()} cores")
    print(f"{'implementation':<22}{'wall s':>9}{'rows/s':>13}{'peak RSS GB':>13}  note")
    for name, elapsed, peak, note in results:
        print(f"{name:<22}{elapsed:>9.1f}{rows / elapsed:>13,.0f}{peak / 1e9:>13.2f}  {note}")
    timings = {name: elapsed for name, elapsed, _, _ in results}
    if "dbt silver (DuckDB)" in timings and "polars frames" in timings:
        ratio = timings["dbt silver (DuckDB)"] / timings["polars frames"]
        print(f"dbt / polars wall-time ratio: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
