"""Future perturbation: only `fwd_*` / `label_*` columns may see bars after t.

The shared warehouse is built from a raw tree; a copy of that tree gets new random OHLCV for
every bar after a cut date T (per ticker, at 60 % of its lines; same tickers, some files also
shorter), and is built from scratch. Every column of every silver and gold model with a
(ticker, trade_date) grain that is not `fwd_*` / `label_*` must be identical on dates ≤ T.
The models and columns come from the dbt manifest, so a model or column added later is
covered without touching this test; a column in a table but not in the manifest fails.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.conftest import query, run_dbt
from tests.gold.conftest import GOLD_SELECT
from tests.gold.gold_fixture_data import perturb_after_cut

LOOKAHEAD = re.compile(r"^(fwd|label)_")
# Load metadata: the time bronze loaded the file, not a value computed from bars.
LOAD_METADATA = re.compile(r"_loaded_at$")


@pytest.fixture(scope="module")
def perturbed(gold_warehouse, tmp_path_factory):
    root = tmp_path_factory.mktemp("gold_perturbed")
    cuts = perturb_after_cut(gold_warehouse.raw_root, root / "raw")
    db_path = root / "build" / "warehouse.duckdb"
    db_path.parent.mkdir()
    # models and seeds only: the data tests already ran on the shared build
    run_dbt(
        ["build", *GOLD_SELECT, "--exclude-resource-type", "test", "unit_test"],
        db_path=db_path,
        raw_root=root / "raw",
    )
    cut_frame = pd.DataFrame(
        {"ticker": list(cuts), "cut_date": pd.to_datetime(list(cuts.values()))}
    )
    return db_path, cut_frame


def series_models(manifest: dict) -> dict[str, list[str]]:
    """Silver and gold models of the manifest with their documented columns."""
    models = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        if not node["name"].startswith(("silver_", "gold_")):
            continue
        models[node["name"]] = list(node["columns"])
    return models


def test_manifest_lists_the_gold_models(gold_warehouse):
    models = series_models(gold_warehouse.manifest())
    assert {"gold_events", "gold_features", "gold_labels", "gold_ml_dataset"} <= set(models)
    assert {"silver_base_series", "silver_indicators"} <= set(models)


def test_bars_after_the_cut_really_changed(gold_warehouse, perturbed):
    db_path, cuts = perturbed
    sql = "select ticker, trade_date, close from silver_base_series"
    before = query(gold_warehouse.db_path, sql).merge(cuts, on="ticker")
    after = query(db_path, sql).merge(cuts, on="ticker")
    joined = before.merge(after, on=["ticker", "trade_date"], suffixes=("_before", "_after"))
    late = joined[joined.trade_date > joined.cut_date_before]
    assert len(late) > 10_000
    assert (late.close_before != late.close_after).mean() > 0.99
    assert len(after) < len(before)


def test_no_column_but_fwd_and_label_sees_the_future(gold_warehouse, perturbed):
    db_path, cuts = perturbed
    checked: dict[str, int] = {}
    for model, documented in sorted(series_models(gold_warehouse.manifest()).items()):
        actual = list(query(gold_warehouse.db_path, f"select * from {model} limit 0").columns)
        if not {"ticker", "trade_date"} <= set(actual):
            continue  # not a series model (e.g. the calendar)
        undocumented = sorted(set(actual) - set(documented))
        assert not undocumented, f"{model}: columns missing from the manifest: {undocumented}"
        columns = [c for c in actual if not LOOKAHEAD.match(c) and not LOAD_METADATA.search(c)]
        select = f"select {', '.join(columns)} from {model}"
        frames = []
        for path in (gold_warehouse.db_path, db_path):
            frame = query(path, select).merge(cuts, on="ticker")
            frame = frame[frame.trade_date <= frame.cut_date].drop(columns="cut_date")
            frames.append(frame.sort_values(["ticker", "trade_date"]).reset_index(drop=True))
        before, after = frames
        assert len(before) > 0, model
        pd.testing.assert_frame_equal(before, after, check_exact=True, obj=model)
        checked[model] = len(columns)
    assert {"gold_events", "gold_features", "gold_labels", "gold_ml_dataset"} <= set(checked)
    assert {"silver_base_series", "silver_indicators"} <= set(checked)


def test_labels_do_change_before_the_cut(gold_warehouse, perturbed):
    """The perturbation reaches the labels whose horizon crosses T (so the test can fail)."""
    db_path, cuts = perturbed
    sql = "select ticker, trade_date, fwd_ret_5, label_tb_return from gold_labels"
    before = query(gold_warehouse.db_path, sql).merge(cuts, on="ticker")
    after = query(db_path, sql)
    joined = before.merge(after, on=["ticker", "trade_date"], suffixes=("_before", "_after"))
    near_cut = joined[
        (joined.trade_date <= joined.cut_date)
        & (joined.trade_date > joined.cut_date - pd.Timedelta(days=5))
    ]
    assert (near_cut.fwd_ret_5_before != near_cut.fwd_ret_5_after).any()
