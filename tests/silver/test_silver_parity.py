"""Silver against independent references, on one fixture warehouse built once per module.

The fixture tree holds the five real sample tickers and synthetic edge cases (flat prices at
binary and non-binary levels, a flat run after a random walk, zero volume, penny and very high
prices, a tiny spread at a very high price, ranges at TA-Lib's scaled zero test, a 15,000-bar
series, a series shorter than every warm-up, a long gap). TA-Lib 0.8.2 is the reference for
the TA-Lib-compatible set; a numpy implementation written here from REFERENCE Part A §4 is the
reference for TMF and the TTI proxy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import talib

from tests.conftest import query, run_dbt
from tests.silver.silver_fixture_data import (
    compare,
    copy_sample,
    tmf_tti_reference,
    write_edge_cases,
)

TALIB_TOLERANCE = 1e-9
TMF_TOLERANCE = 1e-12
SILVER_MODELS = (
    "silver_xnys_calendar silver_base_bars silver_base_series silver_indicator_values"
    " silver_indicators"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("silver_parity")
    raw_root = root / "raw"
    copy_sample(raw_root)
    write_edge_cases(raw_root)
    db_path = root / "warehouse.duckdb"
    run_dbt(
        [
            "build",
            "--select",
            f"+silver_indicators {SILVER_MODELS}",
            "--exclude-resource-type",
            "test",
        ],
        db_path=db_path,
        raw_root=raw_root,
    )
    return db_path, raw_root


@pytest.fixture(scope="module")
def series(warehouse) -> pd.DataFrame:
    db_path, _ = warehouse
    frame = query(
        db_path,
        """
        select
            base.ticker,
            base.trade_date,
            base.series_segment_no,
            base.high,
            base.low,
            base.close,
            base.volume,
            base.is_after_long_gap,
            base.gap_trading_days,
            indicators.* exclude (ticker, trade_date, series_segment_no)
        -- a left join: a bar missing from silver_indicators shows as NULL indicators where
        -- TA-Lib, run on every base bar, has values
        from silver_base_series as base
        left join silver_indicators as indicators
            on base.ticker = indicators.ticker
            and base.trade_date = indicators.trade_date
        order by base.ticker, base.trade_date
        """,
    )
    for column in frame.columns:
        if frame[column].dtype == object:
            continue
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].astype(float)
    return frame


def talib_reference(segment: pd.DataFrame) -> dict[str, np.ndarray]:
    high, low, close, volume = (
        segment[name].to_numpy(dtype=float) for name in ["high", "low", "close", "volume"]
    )
    macd, macd_signal, macd_hist = talib.MACD(close, 12, 26, 9)
    upper, middle, lower = talib.BBANDS(close, 20, 2, 2, 0)
    stoch_k, stoch_d = talib.STOCH(high, low, close, 14, 3, 0, 3, 0)
    return {
        "sma_20": talib.SMA(close, 20),
        "sma_50": talib.SMA(close, 50),
        "sma_200": talib.SMA(close, 200),
        "ema_12": talib.EMA(close, 12),
        "ema_26": talib.EMA(close, 26),
        "ema_50": talib.EMA(close, 50),
        "rsi_14": talib.RSI(close, 14),
        "atr_14": talib.ATR(high, low, close, 14),
        "natr_14": talib.NATR(high, low, close, 14),
        "macd_12_26_9": macd,
        "macd_signal_12_26_9": macd_signal,
        "macd_hist_12_26_9": macd_hist,
        "bbands_upper_20_2": upper,
        "bbands_middle_20_2": middle,
        "bbands_lower_20_2": lower,
        "adx_14": talib.ADX(high, low, close, 14),
        "plus_di_14": talib.PLUS_DI(high, low, close, 14),
        "minus_di_14": talib.MINUS_DI(high, low, close, 14),
        "obv": talib.OBV(close, volume),
        "mfi_14": talib.MFI(high, low, close, volume, 14),
        "willr_14": talib.WILLR(high, low, close, 14),
        "cci_20": talib.CCI(high, low, close, 20),
        "roc_10": talib.ROC(close, 10),
        "stoch_k_14_3": stoch_k,
        "stoch_d_14_3": stoch_d,
    }


# Each compared column's error floor (see ``compare``), by the unit the column is in.
PRICE_UNIT_COLUMNS = frozenset(
    {
        "sma_20",
        "sma_50",
        "sma_200",
        "ema_12",
        "ema_26",
        "ema_50",
        "atr_14",
        "macd_12_26_9",
        "macd_signal_12_26_9",
        "macd_hist_12_26_9",
        "bbands_upper_20_2",
        "bbands_middle_20_2",
        "bbands_lower_20_2",
        "proxy_wilder_21",
        "proxy_den_wilder_21",
    }
)
VOLUME_UNIT_COLUMNS = frozenset({"obv", "ad_wilder_21", "volume_wilder_21"})
UNITLESS_COLUMNS = frozenset(
    {
        "rsi_14",
        "natr_14",
        "adx_14",
        "plus_di_14",
        "minus_di_14",
        "mfi_14",
        "willr_14",
        "cci_20",
        "roc_10",
        "stoch_k_14_3",
        "stoch_d_14_3",
        "tmf_21",
        "tti_proxy_v1_21",
        "tmf_ema_5",
        "tmf_slope_1",
        "tmf_slope_5",
    }
)


def error_floor(column: str, segment: pd.DataFrame) -> float:
    """The scale below which ``column``'s error is taken as absolute rather than relative.

    Price-unit outputs (true-range sums too) use the segment's median |close| and volume-unit
    ones (OBV, volume sums) its median volume, so penny and 500,000 prices are held to the
    same relative precision (a floor of 1 would make a 0.0001 price an absolute test). The
    0-100 and unitless oscillators use 1.
    """
    if column in PRICE_UNIT_COLUMNS:
        return float(np.median(np.abs(segment["close"].to_numpy(float))))
    if column in VOLUME_UNIT_COLUMNS:
        return max(float(np.median(segment["volume"].to_numpy(float))), 1.0)
    if column in UNITLESS_COLUMNS:
        return 1.0
    raise KeyError(f"no error floor chosen for {column}")


def segments(series: pd.DataFrame):
    return series.groupby(["ticker", "series_segment_no"], sort=True)


def test_fixture_holds_every_ticker(series: pd.DataFrame) -> None:
    expected = {
        "AAPL.US",
        "MSFT.US",
        "GOOG.US",
        "FB.US",
        "IBM.US",
        "FLAT.US",
        "ZEROVOL.US",
        "PENNY.US",
        "HIGHPX.US",
        "LONG.US",
        "SHORT.US",
        "GAP.US",
        "FLATODD.US",
        "FLATTAIL.US",
        "LOWSPREAD.US",
        "NEARFLAT.US",
        "NEARFLATHI.US",
    }
    assert expected <= set(series["ticker"])
    assert (series["ticker"] == "LONG.US").sum() == 15_000


def test_talib_set_matches_talib_0_8_2_after_warm_up_and_nulls_match_nans(
    series: pd.DataFrame,
) -> None:
    assert talib.__version__ == "0.8.2"
    failures = []
    for key, segment in segments(series):
        for column, reference in talib_reference(segment).items():
            null_mismatch, max_err = compare(
                segment[column].to_numpy(float), reference, error_floor(column, segment)
            )
            if null_mismatch or max_err > TALIB_TOLERANCE:
                failures.append((key, column, null_mismatch, max_err))
    assert failures == []


def test_flat_prices_follow_talib_zero_rules(series: pd.DataFrame) -> None:
    flat = series[series["ticker"] == "FLAT.US"].iloc[30:]
    assert (flat["rsi_14"] == 0.0).all()
    assert (flat["willr_14"] == 0.0).all()
    assert (flat["stoch_k_14_3"] == 0.0).all()
    assert (flat["cci_20"] == 0.0).all()
    assert (flat["bbands_upper_20_2"] == flat["bbands_middle_20_2"]).all()


FLAT_RUN_COLUMNS = [
    "rsi_14",
    "cci_20",
    "willr_14",
    "stoch_k_14_3",
    "stoch_d_14_3",
    "bbands_upper_20_2",
    "bbands_middle_20_2",
    "bbands_lower_20_2",
    "mfi_14",
]


@pytest.mark.parametrize(("ticker", "first_flat_bar"), [("FLATODD.US", 0), ("FLATTAIL.US", 240)])
def test_flat_runs_at_a_non_binary_price_match_talib(
    series: pd.DataFrame, ticker: str, first_flat_bar: int
) -> None:
    """Over a flat run at a price with no exact binary form, TA-Lib's zero rules (a zero
    range, deviation or money flow) decide these outputs: silver must reach the same values
    rather than rounding residue, which a wrong rule turns into a CCI of 66.7 instead of 0."""
    bars = series[series["ticker"] == ticker]
    reference = talib_reference(bars)
    failures = []
    for column in FLAT_RUN_COLUMNS:
        null_mismatch, max_err = compare(
            bars[column].to_numpy(float)[first_flat_bar:],
            reference[column][first_flat_bar:],
            floor=error_floor(column, bars),
        )
        if null_mismatch or max_err > TALIB_TOLERANCE:
            failures.append((column, null_mismatch, max_err))
    assert failures == []


def test_tmf_and_tti_proxy_match_numpy_reference(series: pd.DataFrame) -> None:
    failures = []
    for key, segment in segments(series):
        reference = tmf_tti_reference(
            *(segment[name].to_numpy(float) for name in ["high", "low", "close", "volume"])
        )
        tmf = pd.Series(reference["tmf_21"])
        reference["tmf_slope_1"] = (tmf - tmf.shift(1)).to_numpy()
        reference["tmf_slope_5"] = (tmf - tmf.shift(5)).to_numpy()
        for column, expected in reference.items():
            null_mismatch, max_err = compare(
                segment[column].to_numpy(float), expected, error_floor(column, segment)
            )
            if null_mismatch or max_err > TMF_TOLERANCE:
                failures.append((key, column, null_mismatch, max_err))
    assert failures == []


def test_tmf_first_value_is_at_row_index_20(series: pd.DataFrame) -> None:
    for (ticker, _), segment in segments(series):
        if len(segment) < 21 or ticker == "ZEROVOL.US":
            continue
        tmf = segment["tmf_21"].to_numpy(float)
        tti = segment["tti_proxy_v1_21"].to_numpy(float)
        assert np.isnan(tmf[:20]).all() and not np.isnan(tmf[20]), ticker
        if ticker in {"FLAT.US", "FLATODD.US", "NEARFLAT.US", "NEARFLATHI.US"}:
            # a true range of 0 (or 1e-12, below eps) everywhere: the proxy's denominator is
            # under eps, so it stays NULL
            assert np.isnan(tti).all()
        else:
            assert np.isnan(tti[:20]).all() and not np.isnan(tti[20]), ticker
        assert segment["is_tmf_ready_21"].to_numpy()[20]
        if len(segment) > 24:
            ema = segment["tmf_ema_5"].to_numpy(float)
            assert np.isnan(ema[:24]).all() and not np.isnan(ema[24]), ticker


def test_short_series_is_null_through_every_warm_up(series: pd.DataFrame) -> None:
    short = series[series["ticker"] == "SHORT.US"]
    assert len(short) == 10
    for column in [
        "sma_20",
        "ema_12",
        "rsi_14",
        "atr_14",
        "macd_12_26_9",
        "adx_14",
        "mfi_14",
        "cci_20",
        "stoch_k_14_3",
        "tmf_21",
        "tti_proxy_v1_21",
    ]:
        assert short[column].isna().all(), column
    assert short["roc_10"].isna().all()
    assert short["obv"].notna().all()


def test_long_gap_restarts_warm_up(series: pd.DataFrame) -> None:
    gap = series[series["ticker"] == "GAP.US"].reset_index(drop=True)
    assert gap["series_segment_no"].max() == 2
    restart = gap.index[gap["is_after_long_gap"]].tolist()
    assert restart == [150]
    assert gap.loc[150, "gap_trading_days"] > 20
    second = gap.iloc[150:].reset_index(drop=True)
    assert second["sma_20"].iloc[:19].isna().all() and second["sma_20"].notna().iloc[19]
    assert second["tmf_21"].iloc[:20].isna().all() and second["tmf_21"].notna().iloc[20]
    assert second["atr_14"].iloc[:14].isna().all()
    # the first bar of a segment has no previous close (the TMF reference checks TMF's use)
    assert second.loc[0, "obv"] == second.loc[0, "volume"]


def rolling_fsum_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of each full trailing window, from the exactly rounded sum (math.fsum); NaN while
    the window fills."""
    out = np.full(len(values), np.nan)
    for end in range(window - 1, len(values)):
        out[end] = math.fsum(values[end - window + 1 : end + 1]) / window
    return out


def test_base_rolling_columns_match_exactly_rounded_window_sums(warehouse) -> None:
    """The base series' rolling columns (integer window sums in SQL) against windows summed
    here with math.fsum, over the whole ticker as Part A §3 defines them, on every fixture
    ticker: penny and 500,000 prices, zero volume, the 15,000-bar series."""
    db_path, _ = warehouse
    base = query(
        db_path,
        """
        select ticker, high, low, close, volume, tr, close_sma_20, close_sma_50, close_sma_200,
            vol_sma_20, dollar_vol_sma_20, tr_sma_14, volume_z_20
        from silver_base_series
        order by ticker, trade_date
        """,
    )
    checked = 0
    for _, bars in base.groupby("ticker", sort=True):
        close = bars["close"].to_numpy(dtype=float)
        volume = bars["volume"].to_numpy(dtype=float)
        previous_close = np.concatenate([[np.nan], close[:-1]])
        high, low = bars["high"].to_numpy(dtype=float), bars["low"].to_numpy(dtype=float)
        true_range = np.nanmax(
            [high - low, np.abs(high - previous_close), np.abs(low - previous_close)], axis=0
        )
        np.testing.assert_array_equal(bars["tr"].to_numpy(dtype=float), true_range)
        expected = {
            "close_sma_20": rolling_fsum_mean(close, 20),
            "close_sma_50": rolling_fsum_mean(close, 50),
            "close_sma_200": rolling_fsum_mean(close, 200),
            "vol_sma_20": rolling_fsum_mean(volume, 20),
            "dollar_vol_sma_20": rolling_fsum_mean(close * volume, 20),
            "tr_sma_14": rolling_fsum_mean(true_range, 14),
        }
        for column, reference in expected.items():
            got = bars[column].to_numpy(dtype=float)
            np.testing.assert_array_equal(np.isnan(got), np.isnan(reference), err_msg=column)
            ok = ~np.isnan(reference)
            np.testing.assert_allclose(got[ok], reference[ok], rtol=1e-14, atol=0, err_msg=column)
        # z-score: population deviation from the same sums; NULL for a window of equal volumes
        mean = expected["vol_sma_20"]
        mean_sq = rolling_fsum_mean(volume * volume, 20)
        full = ~np.isnan(mean)
        spread = np.array(
            [
                np.ptp(volume[end - 19 : end + 1]) if full[end] else np.nan
                for end in range(len(volume))
            ]
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            z_reference = np.where(
                full & (spread > 0),
                (volume - mean) / np.sqrt(np.maximum(mean_sq - mean * mean, 0.0)),
                np.nan,
            )
        z = bars["volume_z_20"].to_numpy(dtype=float)
        np.testing.assert_array_equal(np.isnan(z), np.isnan(z_reference))
        ok = ~np.isnan(z_reference)
        np.testing.assert_allclose(z[ok], z_reference[ok], rtol=1e-9, atol=1e-9)
        checked += int(ok.sum())
    assert checked > 10_000


def test_silver_data_and_unit_tests_pass_on_fixture(warehouse) -> None:
    db_path, raw_root = warehouse
    run_dbt(["test", "--select", SILVER_MODELS], db_path=db_path, raw_root=raw_root)
