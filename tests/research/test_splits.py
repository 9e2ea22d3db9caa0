# X is the feature matrix (scikit-learn convention).
# ruff: noqa: N806
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from market_warehouse.research import make_split, time_split


def _days(n: int, start: dt.date = dt.date(2021, 3, 1)) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def test_rows_whose_horizon_crosses_train_end_are_purged_by_hand():
    # Ticker A: 8 daily rows 03-01..03-08; train_end 03-05 -> candidates are rows 0..4.
    # horizon 2: row 4 looks at rows 5, 6 (after 03-05) -> purged; row 3 looks at 4, 5 -> row 5
    # is after 03-05 -> purged; row 2 looks at 3, 4 -> kept.
    # Ticker B: 3 rows ending 03-03, before train_end: nothing after, nothing purged.
    df = pd.DataFrame({"ticker": ["A"] * 8 + ["B"] * 3, "trade_date": _days(8) + _days(3)})
    masks = time_split(df, train_end="2021-03-05", horizon_bars=2)
    expected_train = [True, True, True, False, False, False, False, False, True, True, True]
    expected_test = [False] * 5 + [True] * 3 + [False] * 3
    assert masks.train.tolist() == expected_train
    assert masks.test.tolist() == expected_test
    assert masks.n_purged == 2 and masks.n_embargoed == 0


def test_embargo_removes_extra_rows_before_the_purged_ones():
    df = pd.DataFrame({"ticker": ["A"] * 8, "trade_date": _days(8)})
    masks = time_split(df, train_end=dt.date(2021, 3, 5), horizon_bars=2, embargo_bars=1)
    # Rows 3, 4 purged; row 2 embargoed; rows 0, 1 train.
    assert masks.train.tolist() == [True, True] + [False] * 6
    assert masks.n_purged == 2 and masks.n_embargoed == 1


def test_masks_follow_the_input_row_order_and_horizon_counts_rows_not_days():
    # Rows with weekend gaps; shuffled. The horizon is 1 row: Friday 03-05's next row is Monday
    # 03-08 > train_end 03-05, so Friday is purged; Thursday's next row is Friday: kept.
    dates = [dt.date(2021, 3, d) for d in (3, 4, 5, 8, 9)]
    df = pd.DataFrame({"ticker": ["A"] * 5, "trade_date": dates}).iloc[[4, 0, 3, 2, 1]]
    masks = time_split(df, train_end="2021-03-05", horizon_bars=1)
    by_date = dict(zip(df["trade_date"], masks.train, strict=True))
    assert by_date == {
        dates[0]: True,
        dates[1]: True,
        dates[2]: False,
        dates[3]: False,
        dates[4]: False,
    }


def test_test_window_bounds_and_empty_sides():
    df = pd.DataFrame({"ticker": ["A"] * 10, "trade_date": _days(10)})
    masks = time_split(df, "2021-03-03", 0, test_start="2021-03-06", test_end="2021-03-08")
    assert np.flatnonzero(masks.test).tolist() == [5, 6, 7]
    assert np.flatnonzero(masks.train).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="empty train"):
        time_split(df, "2021-03-05", horizon_bars=10)
    with pytest.raises(ValueError, match="empty test"):
        time_split(df, "2021-03-10", horizon_bars=0)


def test_split_mode_none_fits_and_predicts_on_all_rows():
    df = pd.DataFrame({"ticker": ["A"] * 4, "trade_date": _days(4)})
    masks = make_split(df, "none")
    assert masks.train.all() and masks.test.all()
    with pytest.raises(ValueError):
        make_split(df, "time")
