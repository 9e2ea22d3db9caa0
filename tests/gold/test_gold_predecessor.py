"""Comparison with the predecessor: a pandas implementation of REFERENCE Part A §5-§7 written
from the formulas (tests/gold/predecessor_reference.py) must agree with gold on every row of
the real sample, the synthetic universe and the gap tickers.

The reference computes what the predecessor specifies. The differences market_warehouse
makes on purpose are listed in INTENDED_DIFFERENCES with their reason; `expected_gold`
applies them to the reference output, and nothing else may differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import query
from tests.gold.predecessor_reference import (
    event_grammar_v1,
    features_v1,
    forward_outcomes,
    triple_barrier,
)

INTENDED_DIFFERENCES = {
    "series segments": (
        "Part A runs every lag, window and counter per ticker; gold runs them per series "
        "segment, since silver restarts the indicators' warm-up after a gap of more than "
        "var max_gap_trading_days sessions and a window reaching across the gap would mix two "
        "series. The reference is therefore applied to each segment as a series of its own "
        "(GAPA.US and GAPB.US have two segments; every other ticker has one)."
    ),
    "double precision": (
        "Part A casts tmf, tti and the features to float32; Part B 18 keeps DOUBLE, so the "
        "reference runs on the same float64 values and a threshold never flips on a rounding."
    ),
    "respect_fail_lookback_bars": (
        "Part B 14: Part A's respect_fail_lookahead_bars looks back (rows t-10 .. t-1); the "
        "same rule under an honest var name."
    ),
    "boolean names": (
        "DESIGN §3: tmf_above_zero, tmf_below_zero, tmf_tti_sign_agree, tmf_tti_divergence "
        "and state_changed are named is_*."
    ),
    "recency fill": (
        "Part B 12: rec_tmf_*_20 is 1.0 ('not within the last 20 bars') before the segment's "
        "first event instead of NULL, so no row is dropped for it."
    ),
    "flow bias fill": (
        "Part B 12: flow_bias_20 is 0.0 (no bias) when flow_activity_20 is 0 instead of NULL."
    ),
    "first-bar state fills": (
        "Part B 12 and 13: on a segment's first bar state_prev is 0 (that bar is S0 while TMF "
        "warms up), so state_transition_code is 0 there instead of NULL."
    ),
    "bs_state_change fill": (
        "Part B 12: before the segment's first state change bs_state_change counts the bars "
        "since the segment's first bar (state_run_length - 1) instead of NULL."
    ),
    "integer counts": (
        "Counts (events, bursts, oscillation, fail balance) are INTEGER; Part A's rolling "
        "sums give floats with the same values."
    ),
    "fwd_vol_10": (
        "Part A §7.2's fwd_vol_proxy_10 is named fwd_vol_10, the name the gold issue gives it; "
        "same values (population std of the next 10 daily returns)."
    ),
    "version columns": (
        "Part A's event_schema_version / feature_schema_version, run_id and built_ts are not "
        "kept: a row carries event_calc_version / feature_calc_version / label_calc_version, "
        "and the dbt run is recorded in dbt's artifacts, so equal inputs give equal rows."
    ),
}

RENAMED = {
    "tmf_above_zero": "is_tmf_above_zero",
    "tmf_below_zero": "is_tmf_below_zero",
    "tmf_tti_sign_agree": "is_tmf_tti_sign_agree",
    "tmf_tti_divergence": "is_tmf_tti_divergence",
    "state_changed": "is_state_changed",
}


def expected_gold(features: pd.DataFrame) -> pd.DataFrame:
    """The reference features with INTENDED_DIFFERENCES applied."""
    out = features.rename(columns=RENAMED)
    for column in [c for c in out.columns if c.startswith("rec_")]:
        out[column] = out[column].fillna(1.0)  # recency fill
    out["flow_bias_20"] = out.flow_bias_20.fillna(0.0)  # flow bias fill
    out["state_prev"] = out.state_prev.fillna(0.0)  # first-bar state fills
    out["state_transition_code"] = out.state_transition_code.fillna(0.0)
    out["bs_state_change"] = out.bs_state_change.fillna(out.state_run_length - 1)
    return out


@pytest.fixture(scope="module")
def series(gold_warehouse):
    """Silver inputs and gold outputs of every bar, ordered by (ticker, trade_date)."""
    db = gold_warehouse.db_path
    frame = query(
        db,
        """
        select
            base.ticker, base.trade_date, base.series_segment_no,
            base.open, base.high, base.low, base.close,
            ind.tmf_21, ind.tti_proxy_v1_21, ind.atr_14
        from silver_base_series as base
        inner join silver_indicators as ind using (ticker, trade_date)
        order by base.ticker, base.trade_date
        """,
    )
    events, features, labels = [], [], []
    for _, segment in frame.groupby(["ticker", "series_segment_no"], sort=True):
        tmf, tti = segment.tmf_21.to_numpy(float), segment.tti_proxy_v1_21.to_numpy(float)
        ev = event_grammar_v1(tmf, tti)
        events.append(ev.set_index(segment.index))
        features.append(features_v1(tmf, tti, ev).set_index(segment.index))
        outcome = forward_outcomes(segment.close.to_numpy(float)).set_index(segment.index)
        barrier = triple_barrier(
            *(segment[c].to_numpy(float) for c in ["open", "high", "low", "close", "atr_14"])
        ).set_index(segment.index)
        # the touch date (the purge end of the label) is the date `bars_to_touch` rows later
        dates = segment.trade_date.to_numpy()
        barrier["label_tb_touch_date"] = pd.to_datetime(
            [
                dates[row + int(bars)] if not np.isnan(bars) else pd.NaT
                for row, bars in enumerate(barrier.label_tb_bars_to_touch.to_numpy())
            ]
        )
        labels.append(pd.concat([outcome, barrier], axis=1))
    keys = frame[["ticker", "trade_date"]]
    return {
        "tmf_21": frame.tmf_21,
        "keys": keys,
        "segments": frame.groupby("ticker").series_segment_no.max(),
        "events": pd.concat([keys, pd.concat(events)], axis=1),
        "features": pd.concat([keys, expected_gold(pd.concat(features))], axis=1),
        "labels": pd.concat([keys, pd.concat(labels)], axis=1),
        "gold_events": query(db, "select * from gold_events order by ticker, trade_date"),
        "gold_features": query(db, "select * from gold_features order by ticker, trade_date"),
        "gold_labels": query(db, "select * from gold_labels order by ticker, trade_date"),
    }


def assert_columns_agree(ours: pd.DataFrame, reference: pd.DataFrame, columns: list[str]):
    assert len(ours) == len(reference)
    assert (ours.ticker.to_numpy() == reference.ticker.to_numpy()).all()
    assert (ours.trade_date.to_numpy() == reference.trade_date.to_numpy()).all()
    for column in columns:
        mine = ours[column]
        theirs = reference[column]
        if pd.api.types.is_bool_dtype(mine) or pd.api.types.is_bool_dtype(theirs):
            mismatch = mine.astype(bool).to_numpy() != theirs.astype(bool).to_numpy()
        elif not (pd.api.types.is_numeric_dtype(mine) and pd.api.types.is_numeric_dtype(theirs)):
            mismatch = (
                mine.astype(object).fillna("").to_numpy()
                != theirs.astype(object).fillna("").to_numpy()
            )
        else:
            a = mine.astype(float).to_numpy()
            b = theirs.astype(float).to_numpy()
            same_null = np.isnan(a) == np.isnan(b)
            close = np.isclose(a, b, rtol=1e-12, atol=1e-12) | (np.isnan(a) & np.isnan(b))
            mismatch = ~(same_null & close)
        rows = np.flatnonzero(mismatch)
        if rows.size:
            sample = ours.iloc[rows[:5]][["ticker", "trade_date"]].assign(
                ours=mine.iloc[rows[:5]].to_numpy(), reference=theirs.iloc[rows[:5]].to_numpy()
            )
            pytest.fail(f"{column}: {rows.size} rows differ, first:\n{sample}")


def test_the_comparison_covers_sample_synthetic_and_two_segment_tickers(series):
    tickers = set(series["keys"].ticker)
    assert {"AAPL.US", "MSFT.US", "GOOG.US", "FB.US", "IBM.US"} <= tickers
    assert sum(t.startswith("SYN") for t in tickers) == 40
    assert series["segments"].loc[["GAPA.US", "GAPB.US"]].tolist() == [2, 2]
    assert len(series["keys"]) > 100_000


def test_flow_state_code_and_event_flags_agree_on_every_row(series):
    reference = series["events"]
    columns = [c for c in reference.columns if c.startswith(("ev_", "bs_", "tmf_", "tti_"))]
    columns += ["flow_state_code", "flow_state_label"]
    assert len([c for c in columns if c.startswith("ev_")]) == 18
    assert_columns_agree(series["gold_events"], reference, columns)


def test_every_state_occurs_and_states_agree_with_the_tmf_sign(series):
    ours = series["gold_events"]
    tmf = series["tmf_21"].to_numpy(float)
    code = ours.flow_state_code.to_numpy()
    assert set(code) == {0, 1, 2, 3, 4}
    sign = np.sign(np.nan_to_num(tmf))
    assert (sign[np.isin(code, [1, 2])] == 1).all()
    assert (sign[np.isin(code, [3, 4])] == -1).all()
    assert (code[np.isnan(tmf) | (tmf == 0)] == 0).all()


def test_features_agree_on_every_row_with_the_listed_fills(series):
    reference = series["features"]
    columns = [c for c in reference.columns if c not in ("ticker", "trade_date")]
    assert_columns_agree(series["gold_features"], reference, columns)


def test_forward_outcomes_and_triple_barrier_agree_on_every_row(series):
    reference = series["labels"]
    columns = [c for c in reference.columns if c not in ("ticker", "trade_date")]
    assert_columns_agree(series["gold_labels"], reference, columns)
    ours = series["gold_labels"]
    assert set(ours.label_tb_barrier.dropna()) == {"upper", "lower", "vertical"}
    assert set(ours.label_tb_value.dropna()) == {-1, 0, 1}
