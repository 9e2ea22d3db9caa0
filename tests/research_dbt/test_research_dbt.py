"""The research layer through dbt (python_models/research) on a small synthetic warehouse.

One upstream build (raw -> gold_ml_dataset) of 8 synthetic tickers x 8 years is copied into
each scenario, and the research models are built there:

* ``a``: the research models with the test vars (and their data tests);
* ``b``: a second, independent build of the research models with the same vars;
* ``seed``: the same as ``a`` with another ``research_seed``;
* ``cut``: the same as ``a`` with ``gold_ml_dataset`` ending at CUT_DATE (later rows removed).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from market_warehouse import synthetic
from market_warehouse.research.dbt_models import RESEARCH_MODELS
from tests.conftest import PROJECT_DIR, query, run_dbt

TABLES = ("research_dataset", *RESEARCH_MODELS, "research_runs")
TRAIN_END = "2021-12-31"
CUT_DATE = "2023-06-30"
# The split date suits the 2018-2025 universe; smaller grids, seed lists and restarts keep the
# module fast (the caps are the defaults; they are not reached on 16,000 rows).
TEST_VARS = {
    "research_train_end": TRAIN_END,
    "research_sweep_k": [3, 4],
    "research_stability_seeds": [42, 43],
    "research_hmm_states": 3,
    "research_hmm_restarts": 2,
    "research_hmm_stability_seeds": [42, 43],
}
# Seeds, then the models gold_ml_dataset needs (their tests belong to other suites).
UPSTREAM = [["seed"], ["run", "--select", "+gold_ml_dataset"]]
RESEARCH = ["--select", "python_models/research"]


def _write_raw(root: Path) -> Path:
    synthetic.main(["--tickers", "8", "--years", "8", "--seed", "11", "--out", str(root)])
    return root


def _upstream_build(db_path: Path, raw_root: Path) -> Path:
    for args in UPSTREAM:
        run_dbt(args, db_path=db_path, raw_root=raw_root, dbt_vars=TEST_VARS)
    return db_path


def _research_build(
    db_path: Path,
    raw_root: Path,
    extra_vars: dict | None = None,
    select: list | None = None,
    command: str = "build",
) -> Path:
    run_dbt(
        [command, *(select or RESEARCH)],
        db_path=db_path,
        raw_root=raw_root,
        dbt_vars={**TEST_VARS, **(extra_vars or {})},
    )
    return db_path


@pytest.fixture(scope="module")
def gold(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw root, DuckDB file built up to gold_ml_dataset); copied, never modified."""
    root = tmp_path_factory.mktemp("research_gold")
    raw_root = _write_raw(root / "raw")
    db_path = root / "gold" / "warehouse.duckdb"
    db_path.parent.mkdir()
    return raw_root, _upstream_build(db_path, raw_root)


def _copy(gold: tuple[Path, Path], root: Path) -> Path:
    root.mkdir()
    target = root / "warehouse.duckdb"
    shutil.copy(gold[1], target)
    return target


@pytest.fixture(scope="module")
def a(gold, tmp_path_factory) -> Path:
    return _research_build(_copy(gold, tmp_path_factory.mktemp("a") / "w"), gold[0])


@pytest.fixture(scope="module")
def b(gold, tmp_path_factory) -> Path:
    return _research_build(_copy(gold, tmp_path_factory.mktemp("b") / "w"), gold[0], command="run")


def _content_hash(db_path: Path, table: str) -> tuple[int, str]:
    """(rows, md5 of the sorted rows as text): DuckDB prints doubles exactly (shortest
    round-trip form), so equal hashes mean equal values bit for bit, NULLs and NaNs included."""
    row = query(
        db_path,
        f"""
        select count(*) as n, md5(coalesce(string_agg(r, chr(10) order by r), '')) as h
        from (select cast(t as varchar) as r from {table} as t)
        """,
    ).iloc[0]
    return int(row["n"]), str(row["h"])


def _documented_columns() -> dict[str, list[str]]:
    doc = yaml.safe_load((PROJECT_DIR / "python_models/research/_research__models.yml").read_text())
    return {m["name"]: [c["name"] for c in m.get("columns", [])] for m in doc["models"]}


def test_research_tables_have_the_documented_columns_and_pass_their_key_tests(a):
    # The fixture's `dbt build` ran every data test (keys, ranges) and failed on any failure.
    documented = _documented_columns()
    assert set(documented) == set(TABLES)
    for table in TABLES:
        columns = query(a, f"describe {table}")["column_name"].tolist()
        assert columns == documented[table], table
        assert _content_hash(a, table)[0] > 0, table
    types = query(a, "describe research_hmm_states").set_index("column_name")["column_type"]
    assert types["trade_date"] == "DATE"
    runs = query(a, "select model_name, run_id from research_runs")
    assert sorted(runs["model_name"]) == sorted(RESEARCH_MODELS)
    for model_name, run_id in runs.itertuples(index=False):
        assert query(a, f"select distinct run_id from {model_name}")["run_id"].tolist() == [run_id]


def test_two_builds_with_the_same_vars_give_byte_identical_research_tables(a, b):
    for table in TABLES:
        assert _content_hash(a, table) == _content_hash(b, table), table


def test_another_seed_changes_the_params_hash_of_the_seeded_models(gold, a, tmp_path_factory):
    db_path = _research_build(
        _copy(gold, tmp_path_factory.mktemp("seed") / "w"),
        gold[0],
        {"research_seed": 7},
        command="run",
    )
    sql = "select model_name, params_hash, params_json from research_runs order by model_name"
    before = query(a, sql).set_index("model_name")
    after = query(db_path, sql).set_index("model_name")
    # The stability tables take their seeds from their own seed lists; the scaler has none.
    unseeded = {"research_zscores", "research_cluster_stability", "research_hmm_stability"}
    for model_name in RESEARCH_MODELS:
        same = before.loc[model_name, "params_hash"] == after.loc[model_name, "params_hash"]
        assert same == (model_name in unseeded), model_name
    assert '"random_state":7' in after.loc["research_hmm_model", "params_json"]


def test_states_and_clusters_up_to_t_do_not_change_when_later_rows_are_removed(
    gold, a, tmp_path_factory
):
    # This rebuilds the dataset view without the rows after CUT_DATE and every
    # research model on it; the fits only see rows up to TRAIN_END < CUT_DATE.
    db_path = _research_build(
        _copy(gold, tmp_path_factory.mktemp("cut") / "w"),
        gold[0],
        {"ml_dataset_end_date": CUT_DATE},
        select=["--select", "gold_ml_dataset", "python_models/research"],
        command="run",
    )
    cut_max = query(db_path, "select max(trade_date) as d from research_hmm_states")["d"].iloc[0]
    full_max = query(a, "select max(trade_date) as d from research_hmm_states")["d"].iloc[0]
    assert pd.Timestamp(cut_max) <= pd.Timestamp(CUT_DATE) < pd.Timestamp(full_max)

    keys = "ticker, trade_date"
    where = f"where trade_date <= date '{CUT_DATE}' order by {keys}"
    states = (
        f"select {keys}, hmm_sequence_pos, hmm_state, hmm_state_prob, hmm_state_entropy, "
        f"hmm_state_prev, hmm_state_run_length, is_train from research_hmm_states {where}"
    )
    clusters = f"select {keys}, cluster_id, is_train from research_cluster_assignments {where}"
    for sql in (states, clusters):
        full, cut = query(a, sql), query(db_path, sql)
        assert len(full) > 0
        pd.testing.assert_frame_equal(full, cut, check_exact=True)
