"""Test-side reference implementations written from REFERENCE Part A's formulas with pandas
and numpy (no SQL): the event grammar and S0..S4 state coding (§5), the features (§6), the
forward outcomes (§7.2) and the triple barrier (Part C §3.1 with the rules of docs/gold.md).

Each function takes one series (one ticker segment), ordered by date, as arrays with NaN for
NULL, and returns a DataFrame with the predecessor's column names (except `fwd_vol_10`, listed
in INTENDED_DIFFERENCES, and the barrier columns, which are gold's). It computes exactly what
the predecessor specifies: where market_warehouse differs on purpose (REFERENCE Part B), the
test maps the difference and says why (tests/gold/test_gold_predecessor.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EVENT_PARAMS = {
    "respect_fail_lookahead_bars": 10,  # the predecessor's name; it looks back
    "hold_consecutive_bars": 5,
    "tmf_burst_abs_threshold": 0.15,
    "tmf_burst_slope_threshold": 0.05,
    "activity_windows": (5, 20),
    "eps": 1e-12,
}
WEIGHTS = {"zero": 1.0, "respect": 2.0, "burst": 2.0, "hold": 1.5}
RECENCY_CLIP = 20
STATE_LABELS = {
    0: "S0_QUIET",
    1: "S1_EARLY_DEMAND",
    2: "S2_PERSISTENT_DEMAND",
    3: "S3_EARLY_SUPPLY",
    4: "S4_PERSISTENT_SUPPLY",
}


def _bars_since(flag: pd.Series) -> pd.Series:
    """Part A §5.2: row index minus the index of the latest TRUE row; NaN before the first."""
    index = pd.Series(np.arange(len(flag)), index=flag.index, dtype=float)
    latest = index.where(flag).ffill()
    return index - latest


def _rolling_sum(flag: pd.Series, window: int) -> pd.Series:
    return flag.astype(float).rolling(window, min_periods=1).sum()


def _indicator_flags(x: pd.Series, eps: float, abs_thr: float, slope_thr: float) -> dict:
    """Part A §4.4 derived flags and §5.1 bursts for one indicator (NULL → FALSE)."""
    lag1 = x.shift(1)
    slope = x - lag1
    ready = x.notna()
    threshold = max(abs_thr, eps)
    return {
        "ready": ready,
        "zero_up": (x > 0) & (lag1 <= 0),
        "zero_down": (x < 0) & (lag1 >= 0),
        "sign": np.sign(x).fillna(0.0),
        "slope_1": slope,
        "burst_up": ready & (x > 0) & (slope > slope_thr) & (x.abs() > threshold),
        "burst_down": ready & (x < 0) & (slope < -slope_thr) & (x.abs() > threshold),
    }


def _hold(condition: pd.Series, bars: int) -> pd.Series:
    """All of the last `bars` rows (current included) satisfy `condition`; needs a full window."""
    counts = condition.astype(float).rolling(bars, min_periods=bars).sum()
    return counts == bars


def event_grammar_v1(tmf: np.ndarray, tti: np.ndarray, params: dict = EVENT_PARAMS) -> pd.DataFrame:
    """Part A §5 for one series: ev_*, bs_*, activity columns and flow_state_code/label."""
    p = params
    s = pd.Series(tmf, dtype=float)
    t = pd.Series(tti, dtype=float)
    tmf_f = _indicator_flags(
        s, p["eps"], p["tmf_burst_abs_threshold"], p["tmf_burst_slope_threshold"]
    )
    # §5.1: the TTI bursts reuse the TMF thresholds
    tti_f = _indicator_flags(
        t, p["eps"], p["tmf_burst_abs_threshold"], p["tmf_burst_slope_threshold"]
    )
    lag1, lag2 = s.shift(1), s.shift(2)
    out = pd.DataFrame(index=s.index)
    out["ev_tmf_zero_up"] = tmf_f["zero_up"]
    out["ev_tmf_zero_down"] = tmf_f["zero_down"]
    out["ev_tti_zero_up"] = tti_f["zero_up"]
    out["ev_tti_zero_down"] = tti_f["zero_down"]
    out["ev_tmf_pivot_low"] = (lag2 > lag1) & (lag1 < s)
    out["ev_tmf_pivot_high"] = (lag2 < lag1) & (lag1 > s)
    out["ev_tmf_respect_zero_up"] = (
        out.ev_tmf_pivot_low & (lag1 > 0) & (s > 0) & (tmf_f["slope_1"] > 0)
    )
    out["ev_tmf_respect_zero_down"] = (
        out.ev_tmf_pivot_high & (lag1 < 0) & (s < 0) & (tmf_f["slope_1"] < 0)
    )
    lookback = p["respect_fail_lookahead_bars"]
    # rows t-L .. t-1: shift by one, then a window of L rows
    respect_up_before = (
        out.ev_tmf_respect_zero_up.astype(float).shift(1).rolling(lookback, min_periods=1).max()
    )
    respect_down_before = (
        out.ev_tmf_respect_zero_down.astype(float).shift(1).rolling(lookback, min_periods=1).max()
    )
    out["ev_tmf_respect_fail_up"] = out.ev_tmf_zero_down & (respect_up_before > 0)
    out["ev_tmf_respect_fail_down"] = out.ev_tmf_zero_up & (respect_down_before > 0)
    out["ev_tmf_burst_up"] = tmf_f["burst_up"]
    out["ev_tmf_burst_down"] = tmf_f["burst_down"]
    hold = p["hold_consecutive_bars"]
    out["ev_tmf_hold_pos"] = _hold(tmf_f["ready"] & (s > 0), hold)
    out["ev_tmf_hold_neg"] = _hold(tmf_f["ready"] & (s < 0), hold)
    out["ev_tti_burst_up"] = tti_f["burst_up"]
    out["ev_tti_burst_down"] = tti_f["burst_down"]
    out["ev_tti_hold_pos"] = _hold(tti_f["ready"] & (t > 0), hold)
    out["ev_tti_hold_neg"] = _hold(tti_f["ready"] & (t < 0), hold)

    for name in [
        "tmf_zero_up",
        "tmf_zero_down",
        "tmf_respect_zero_up",
        "tmf_respect_zero_down",
        "tmf_burst_up",
        "tmf_burst_down",
        "tti_zero_up",
        "tti_zero_down",
    ]:
        out[f"bs_{name}"] = _bars_since(out[f"ev_{name}"])

    long_base = out.ev_tmf_zero_up.astype(int) + out.ev_tmf_respect_zero_up + out.ev_tmf_burst_up
    short_base = (
        out.ev_tmf_zero_down.astype(int) + out.ev_tmf_respect_zero_down + out.ev_tmf_burst_down
    )
    tti_base = (
        out.ev_tti_zero_up.astype(int)
        + out.ev_tti_zero_down
        + out.ev_tti_burst_up
        + out.ev_tti_burst_down
    )
    for w in p["activity_windows"]:
        out[f"tmf_long_events_{w}"] = _rolling_sum(long_base, w)
        out[f"tmf_short_events_{w}"] = _rolling_sum(short_base, w)
        out[f"tmf_event_asym_{w}"] = out[f"tmf_long_events_{w}"] - out[f"tmf_short_events_{w}"]
    out["tti_events_20"] = _rolling_sum(tti_base, 20)
    out["tmf_event_activity_20"] = out.tmf_long_events_20 + out.tmf_short_events_20

    # §5.4
    ready, sign = tmf_f["ready"], tmf_f["sign"]
    recent_up = out.bs_tmf_zero_up.notna() & (out.bs_tmf_zero_up <= 3)
    recent_down = out.bs_tmf_zero_down.notna() & (out.bs_tmf_zero_down <= 3)
    long_adv = out.tmf_long_events_20 > out.tmf_short_events_20 + 1
    short_adv = out.tmf_short_events_20 > out.tmf_long_events_20 + 1
    persistent_demand = ready & (sign > 0) & (out.ev_tmf_hold_pos | long_adv)
    persistent_supply = ready & (sign < 0) & (out.ev_tmf_hold_neg | short_adv)
    early_demand = (
        ready
        & (sign > 0)
        & ~persistent_demand
        & (out.ev_tmf_zero_up | out.ev_tmf_burst_up | out.ev_tmf_respect_zero_up | recent_up)
    )
    early_supply = (
        ready
        & (sign < 0)
        & ~persistent_supply
        & (
            out.ev_tmf_zero_down
            | out.ev_tmf_burst_down
            | out.ev_tmf_respect_zero_down
            | recent_down
        )
    )
    out["flow_state_code"] = np.select(
        [persistent_demand, persistent_supply, early_demand, early_supply], [2, 4, 1, 3], 0
    )
    out["flow_state_label"] = out.flow_state_code.map(STATE_LABELS)
    return out


def features_v1(tmf: np.ndarray, tti: np.ndarray, events: pd.DataFrame) -> pd.DataFrame:
    """Part A §6 for one series, from its event grammar output; Part A's names and NULLs."""
    s = pd.Series(tmf, dtype=float, index=events.index)
    t = pd.Series(tti, dtype=float, index=events.index)
    tmf_sign = np.sign(s).fillna(0.0)
    tti_sign = np.sign(t).fillna(0.0)
    slope_1 = s - s.shift(1)
    out = pd.DataFrame(index=events.index)
    out["tmf_slope_10"] = s - s.shift(10)
    out["tmf_curvature_1"] = slope_1 - slope_1.shift(1)
    out["tmf_above_zero"] = tmf_sign > 0
    out["tmf_below_zero"] = tmf_sign < 0
    out["tti_proxy_slope_1"] = t - t.shift(1)
    out["tti_proxy_slope_5"] = t - t.shift(5)
    out["tmf_tti_sign_agree"] = (tmf_sign == tti_sign) & (tmf_sign != 0) & (tti_sign != 0)
    out["tmf_tti_divergence"] = tmf_sign * tti_sign < 0
    e = events.astype({c: float for c in events.columns if c.startswith("ev_")})
    long_base = (
        WEIGHTS["zero"] * e.ev_tmf_zero_up
        + WEIGHTS["respect"] * e.ev_tmf_respect_zero_up
        + WEIGHTS["burst"] * e.ev_tmf_burst_up
        + WEIGHTS["hold"] * e.ev_tmf_hold_pos
    )
    short_base = (
        WEIGHTS["zero"] * e.ev_tmf_zero_down
        + WEIGHTS["respect"] * e.ev_tmf_respect_zero_down
        + WEIGHTS["burst"] * e.ev_tmf_burst_down
        + WEIGHTS["hold"] * e.ev_tmf_hold_neg
    )
    for w in (5, 20):
        out[f"long_flow_score_{w}"] = long_base.rolling(w, min_periods=1).sum()
        out[f"short_flow_score_{w}"] = short_base.rolling(w, min_periods=1).sum()
        out[f"delta_flow_{w}"] = out[f"long_flow_score_{w}"] - out[f"short_flow_score_{w}"]
    out["flow_activity_20"] = out.long_flow_score_20 + out.short_flow_score_20
    activity = out.flow_activity_20
    out["flow_bias_20"] = (out.delta_flow_20 / activity).where(activity.abs() > 1e-12)
    recency = {
        "zero_up": "tmf_zero_up",
        "zero_down": "tmf_zero_down",
        "burst_up": "tmf_burst_up",
        "burst_down": "tmf_burst_down",
        "respect_up": "tmf_respect_zero_up",
        "respect_down": "tmf_respect_zero_down",
    }
    for name, event in recency.items():
        out[f"rec_tmf_{name}_20"] = np.minimum(events[f"bs_{event}"], RECENCY_CLIP) / RECENCY_CLIP
    for w in (5, 20):
        out[f"long_burst_{w}"] = e.ev_tmf_burst_up.rolling(w, min_periods=1).sum()
        out[f"short_burst_{w}"] = e.ev_tmf_burst_down.rolling(w, min_periods=1).sum()
    out["persistence_pos_20"] = e.ev_tmf_hold_pos.rolling(20, min_periods=1).mean()
    out["persistence_neg_20"] = e.ev_tmf_hold_neg.rolling(20, min_periods=1).mean()
    out["oscillation_index_20"] = (
        (e.ev_tmf_zero_up + e.ev_tmf_zero_down).rolling(20, min_periods=1).sum()
    )
    out["respect_fail_balance_20"] = (
        e.ev_tmf_respect_fail_down.rolling(20, min_periods=1).sum()
        - e.ev_tmf_respect_fail_up.rolling(20, min_periods=1).sum()
    )
    code = events.flow_state_code.astype(float)
    prev = code.shift(1)
    out["state_prev"] = prev
    changed = (code != prev) & prev.notna()
    out["state_changed"] = changed
    run_start = changed | prev.isna()
    run_id = run_start.cumsum()
    out["state_run_length"] = run_start.groupby(run_id).cumcount() + 1
    out["state_transition_code"] = prev * 10 + code
    out["bs_state_change"] = _bars_since(changed)
    return out


def forward_outcomes(close: np.ndarray, windows=(5, 10, 20), vol_window: int = 10) -> pd.DataFrame:
    """Part A §7.2 on one series: fwd_ret_N, fwd_abs_ret_10 and the population std of the
    next `vol_window` daily returns (NaN unless all exist)."""
    c = pd.Series(close, dtype=float)
    out = pd.DataFrame(index=c.index)
    for n in windows:
        out[f"fwd_ret_{n}"] = c.shift(-n) / c - 1
    out[f"fwd_abs_ret_{vol_window}"] = (c.shift(-vol_window) / c - 1).abs()
    daily = c / c.shift(1) - 1
    ahead = np.column_stack([daily.shift(-k).to_numpy() for k in range(1, vol_window + 1)])
    complete = np.isfinite(ahead).all(axis=1)
    vol = np.full(len(c), np.nan)
    vol[complete] = ahead[complete].std(axis=1, ddof=0)
    out[f"fwd_vol_{vol_window}"] = vol
    return out


def triple_barrier(
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    atr: np.ndarray,
    *,
    horizon: int = 10,
    pt_mult: float = 2.0,
    sl_mult: float = 2.0,
    cost: float = 0.0012,
    mode: str = "high_low",
) -> pd.DataFrame:
    """Long-side triple barrier on one series, a plain loop over bars (docs/gold.md rules):
    barriers close ± mult × atr at t0, first touch within `horizon` bars on high/low (stop
    first on a bar touching both, unless it opened at or above the upper barrier; fills at the
    barrier or a worse/better open) or on closes,
    vertical exit at the close of bar t0 + horizon, cost subtracted before labelling. NaN
    where the horizon is incomplete or atr is missing or not positive."""
    n = len(close)
    value = np.full(n, np.nan)
    barrier = np.full(n, None, dtype=object)
    offset = np.full(n, np.nan)
    ret = np.full(n, np.nan)
    for i in range(n):
        if i + horizon >= n or not (atr[i] > 0):
            continue
        upper = close[i] + pt_mult * atr[i]
        lower = close[i] - sl_mult * atr[i]
        for k in range(1, horizon + 1):
            j = i + k
            hi, lo = (high[j], low[j]) if mode == "high_low" else (close[j], close[j])
            # a bar opening at or above the upper barrier touched it first, whatever its low
            gapped_up = mode == "high_low" and open_[j] >= upper
            if lo <= lower and not gapped_up:
                exit_price = min(open_[j], lower) if mode == "high_low" else close[j]
                barrier[i], offset[i] = "lower", k
                break
            if hi >= upper:
                exit_price = max(open_[j], upper) if mode == "high_low" else close[j]
                barrier[i], offset[i] = "upper", k
                break
        else:
            exit_price = close[i + horizon]
            barrier[i], offset[i] = "vertical", horizon
        ret[i] = exit_price / close[i] - 1 - cost
        if barrier[i] == "upper":
            value[i] = 1.0 if ret[i] > 0 else 0.0
        elif barrier[i] == "lower":
            value[i] = -1.0 if ret[i] < 0 else 0.0
        else:
            value[i] = 0.0
    return pd.DataFrame(
        {
            "label_tb_value": value,
            "label_tb_barrier": barrier,
            "label_tb_bars_to_touch": offset,
            "label_tb_return": ret,
        }
    )
