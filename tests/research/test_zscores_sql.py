"""research_zscores in SQL (split, null policy, scaler applied) equals the pandas pipeline."""

# X is the feature matrix (scikit-learn convention).
# ruff: noqa: N806
import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from market_warehouse.research.dbt_models import (
    prepared_rows_sql,
    settings,
    z_column,
    zscores_input_columns,
    zscores_table,
)
from market_warehouse.research.pipeline import scaled_features

FEATURES = ["tmf_21", "flow_bias_20", "rec_tmf_zero_up_20", "state_run_length"]


def _config(**overrides):
    with open("dbt_project.yml") as fh:
        project_vars = yaml.safe_load(fh)["vars"]
    config = {
        k.removeprefix("research_"): v for k, v in project_vars.items() if k.startswith("research_")
    }
    config.update(features=FEATURES, train_end="2020-03-31", horizon_bars=5)
    config.update(overrides)
    return config


@pytest.fixture(scope="module")
def dataset():
    """4 tickers with NULLs, NaN and inf in the features, one ticker only after train_end,
    one ticker ending before it; shuffled."""
    rng = np.random.default_rng(3)
    frames = []
    for ticker, start, n in (("AA", 0, 150), ("BB", 20, 120), ("CC", 100, 60), ("DD", 0, 50)):
        days = [dt.date(2020, 1, 1) + dt.timedelta(days=start + i) for i in range(n)]
        frame = pd.DataFrame(
            {
                "ticker": ticker,
                "trade_date": days,
                "flow_state_code": rng.integers(0, 5, n).astype(np.int8),
                "fwd_ret_10": rng.normal(0, 0.02, n),
                "tmf_21": rng.normal(0.1, 0.3, n),
                "flow_bias_20": rng.normal(0, 1, n),
                "rec_tmf_zero_up_20": rng.random(n),
                "state_run_length": rng.integers(1, 40, n).astype(np.int32),
            }
        )
        frames.append(frame)
    df = pd.concat(frames, ignore_index=True)
    df.loc[rng.choice(len(df), 12, replace=False), "flow_bias_20"] = np.nan
    df.loc[rng.choice(len(df), 9, replace=False), "rec_tmf_zero_up_20"] = np.nan
    df.loc[[3, 4, 40, 200], "tmf_21"] = [np.nan, np.inf, -np.inf, np.nan]
    df.loc[rng.choice(len(df), 5, replace=False), "fwd_ret_10"] = np.nan
    df = df.sample(frac=1.0, random_state=2).reset_index(drop=True)
    con = duckdb.connect()
    # NaN from pandas becomes NULL in DuckDB except where written as a float NaN below
    con.register("src", df)
    con.execute("create table research_dataset as select * from src")
    con.execute(
        "update research_dataset set tmf_21 = 'nan'::double "
        "where trade_date = date '2020-01-04' and ticker = 'BB'"
    )
    yield con, con.table("research_dataset").df()
    con.close()


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"null_policy": "drop", "scaler_method": "robust"},
        {"scaler_scope": "per_ticker", "embargo_bars": 3},
        {"split_mode": "none", "scaler_scope": "per_ticker", "scaler_method": "robust"},
        {"clip": None, "horizon_bars": 0},
        {"clip": 0.5},
    ],
)
def test_sql_zscores_equal_the_pandas_pipeline_bit_for_bit(dataset, overrides):
    con, frame = dataset
    config = _config(**overrides)
    s = settings(config)
    relation = con.table("research_dataset").project(zscores_input_columns(config))
    got = zscores_table(relation, config).order("ticker, trade_date").df()

    prepared, _, X, _ = scaled_features(frame, **s.common())
    expected = prepared.frame
    assert len(got) == len(expected)
    for col in ("ticker", "is_train", "is_test", "has_dropped_row_before", "flow_state_code"):
        np.testing.assert_array_equal(got[col].to_numpy(), expected[col].to_numpy(), err_msg=col)
    np.testing.assert_array_equal(
        pd.to_datetime(got["trade_date"]).to_numpy(),
        pd.to_datetime(expected["trade_date"]).to_numpy(),
    )
    np.testing.assert_array_equal(
        got["fwd_ret_10"].to_numpy(dtype=float), expected["fwd_ret_10"].to_numpy(dtype=float)
    )
    for j, feature in enumerate(FEATURES):
        # the same float64 operations: equal bits, not just close
        np.testing.assert_array_equal(got[z_column(feature)].to_numpy(), X[:, j], err_msg=feature)
    assert set(got["run_id"]) == {f"research_zscores-{got['run_id'].iloc[0].split('-')[1]}"}


def test_scaler_is_fitted_on_train_rows_only(dataset):
    con, _ = dataset
    config = _config()
    relation = con.table("research_dataset").project(zscores_input_columns(config))
    base = zscores_table(relation, config).order("ticker, trade_date").df()
    # poison every test row: the z-scores of the train rows must not move
    con.execute(
        "create table poisoned as "
        "select * replace (tmf_21 * 1000 + 7 as tmf_21) from research_dataset "
        "where trade_date > date '2020-03-31' "
        "union all select * from research_dataset where trade_date <= date '2020-03-31'"
    )
    poisoned = zscores_table(con.table("poisoned").project(zscores_input_columns(config)), config)
    poisoned = poisoned.order("ticker, trade_date").df()
    train = base["is_train"].to_numpy()
    np.testing.assert_array_equal(poisoned.loc[train, "z_tmf_21"], base.loc[train, "z_tmf_21"])
    assert not np.array_equal(poisoned.loc[~train, "z_tmf_21"], base.loc[~train, "z_tmf_21"])


def test_prepared_rows_refuse_lookahead_features():
    with pytest.raises(ValueError, match="look-ahead"):
        prepared_rows_sql(_config(features=["tmf_21", "fwd_ret_5"]))
