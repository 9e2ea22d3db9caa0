"""The expectation checkpoint passes on the clean sample and fails, naming each defect, on a
copy of it with defects written in by SQL."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from market_warehouse.qa import discover_suites, main, run_checkpoint
from market_warehouse.qa.runner import _validate_frame, build_context, parse_parameter
from market_warehouse.qa.suites import parse_suite
from tests.conftest import PROJECT_DIR
from tests.qa.conftest import GX_DIR, copy_warehouse, relations, table_with_column

VERDICT = re.compile(r"^(PASS|FAIL|ERROR|SKIP) (\S+) ")


def parse_output(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """{suite: verdict} and {suite: [failing check names]} from the checkpoint's stdout."""
    verdicts: dict[str, str] = {}
    failing: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        match = VERDICT.match(line)
        if match:
            current = match.group(2)
            verdicts[current] = match.group(1)
            failing[current] = []
        elif line.startswith("  - ") and current is not None:
            failing[current].append(line[4:].split(" ", 1)[0])
    return verdicts, failing


# --- defects -------------------------------------------------------------------------------


def inject_high_below_low(con: duckdb.DuckDBPyConnection) -> None:
    """A row of the primary series gets high < low and still passes as valid: its bar is
    written with high below low and ``bronze_ohlcv`` (whose view computes some of the
    ``q_*`` flags) is wrapped so that the row's ``is_valid`` stays true, as a broken flag
    would leave it."""
    source_file, line_no = con.execute(
        """
        select source_file, source_line_no from bronze_valid_bars
        where ticker = 'AAPL.US' order by trade_date limit 1 offset 100
        """
    ).fetchall()[0]
    con.execute(
        "update bronze_parsed_lines set high = low - 1 "
        "where source_file = ? and source_line_no = ?",
        [source_file, line_no],
    )
    con.execute("alter view bronze_ohlcv rename to bronze_ohlcv_as_built")
    quoted_file = source_file.replace("'", "''")
    con.execute(
        f"""
        create view bronze_ohlcv as
        select * replace (
            is_valid or (source_file = '{quoted_file}' and source_line_no = {line_no})
                as is_valid
        )
        from bronze_ohlcv_as_built
        """
    )


def inject_duplicate_key(con: duckdb.DuckDBPyConnection) -> None:
    """A valid line is copied under a new line number: (ticker, trade_date) twice, both valid."""
    con.execute(
        """
        insert into bronze_parsed_lines
        select * replace (source_line_no + 1000000 as source_line_no)
        from bronze_parsed_lines
        where (source_file, source_line_no) in (
            select source_file, source_line_no from bronze_valid_bars
            where ticker = 'MSFT.US' order by trade_date limit 1 offset 50
        )
        """
    )


def inject_rsi_101(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """RSI 101 on one bar, written into the base table behind the silver views."""
    con.execute(
        f"""
        update {table} set rsi_14 = 101
        where rowid = (select min(rowid) from {table} where rsi_14 is not null)
        """
    )


def inject_state_code_7(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(
        f"""
        update {table} set flow_state_code = 7
        where (ticker, trade_date) in (
            select ticker, trade_date from {table} order by ticker, trade_date limit 1 offset 500
        )
        """
    )


def inject_fwd_ret_on_last_row(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(
        f"""
        update {table} set fwd_ret_5 = 0.01
        where (ticker, trade_date) in (
            select ticker, max(trade_date) from {table} where ticker = 'IBM.US' group by ticker
        )
        """
    )


def inject_every_defect(
    db_path: Path, *, missing_after_warmup: bool = False
) -> dict[str, tuple[str, str]]:
    """Inject every defect the built layers allow; return {defect: expected (suite, check)}.
    With ``missing_after_warmup`` an RSI value due after the warm-up is also set to NULL."""
    built = relations(db_path)
    expected = {
        "high_below_low": ("bronze_ohlcv", "high_ge_low"),
        "duplicate_key": ("bronze_valid_bars", "unique_ticker_trade_date"),
    }
    rsi_table = table_with_column(db_path, "rsi_14", prefix="silver_")
    state_table = table_with_column(db_path, "flow_state_code", prefix="gold_")
    label_table = table_with_column(db_path, "fwd_ret_5", prefix="gold_")
    with duckdb.connect(str(db_path)) as con:
        inject_high_below_low(con)
        inject_duplicate_key(con)
        if "silver_indicators" in built and rsi_table:
            inject_rsi_101(con, rsi_table)
            expected["rsi_101"] = ("silver_indicators", "rsi_14_in_0_100")
            if missing_after_warmup:
                inject_missing_after_warmup(con, rsi_table)
        if "gold_events" in built and state_table:
            inject_state_code_7(con, state_table)
            expected["state_code_7"] = ("gold_events", "flow_state_code_in_0_4")
        if label_table:
            inject_fwd_ret_on_last_row(con, label_table)
            expected["fwd_ret_5_on_last_row"] = (label_table, "fwd_ret_5_null_in_last_5_rows")
    return expected


@pytest.fixture(scope="module")
def defective_run(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The CLI (``python -m market_warehouse.qa``) run on a copy with every defect that its
    layers allow; returns (completed process, {defect: expected (suite, check)})."""
    root = tmp_path_factory.mktemp("qa_defects")
    db_path = copy_warehouse(sample_warehouse, root)
    expected = inject_every_defect(db_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "market_warehouse.qa",
            "--db",
            str(db_path),
            "--gx-dir",
            str(GX_DIR),
            "--results-dir",
            str(root / "results"),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    return done, expected, root / "results"


# --- clean warehouse -----------------------------------------------------------------------


def test_clean_sample_warehouse_passes_every_gate(sample_warehouse, tmp_path, capsys):
    code = main(
        [
            "--db",
            str(sample_warehouse),
            "--gx-dir",
            str(GX_DIR),
            "--results-dir",
            str(tmp_path / "results"),
        ]
    )
    out = capsys.readouterr().out
    verdicts, failing = parse_output(out)
    assert code == 0, out
    built = relations(sample_warehouse)
    for spec in discover_suites(GX_DIR):
        expected = "PASS" if set(spec.relations) <= built else "SKIP"
        assert verdicts[spec.name] == expected, out
    assert re.search(r"^PASS bronze_ohlcv \(\d+ expectations\)$", out, re.MULTILINE)
    assert "checkpoint PASSED" in out


def test_clean_run_writes_json_results_and_data_docs(sample_warehouse, tmp_path):
    results = tmp_path / "results"
    outcome = run_checkpoint(sample_warehouse, GX_DIR, results, echo=lambda line: None)
    assert outcome.success
    summary = json.loads((results / "checkpoint_result.json").read_text())
    assert summary["success"] is True
    assert {suite["name"] for suite in summary["suites"]} >= {"bronze_ohlcv", "bronze_valid_bars"}
    stored = list((results / "validations" / "bronze_ohlcv").rglob("*.json"))
    assert len(stored) == 1
    assert json.loads(stored[0].read_text())["success"] is True
    assert outcome.docs_index == results / "data_docs" / "local_site" / "index.html"
    assert outcome.docs_index.is_file()
    assert list((results / "data_docs" / "local_site" / "validations").rglob("*.html"))


# --- defects ---------------------------------------------------------------------------------


def test_defective_copy_fails_the_checkpoint_with_exit_code_1(defective_run):
    done, _, _ = defective_run
    assert done.returncode == 1, done.stdout + done.stderr
    assert "checkpoint FAILED" in done.stdout


@pytest.mark.parametrize(
    "defect",
    ["high_below_low", "duplicate_key", "rsi_101", "state_code_7", "fwd_ret_5_on_last_row"],
)
def test_each_defect_is_named_under_its_suite(defective_run, defect):
    done, expected, _ = defective_run
    if defect not in expected:
        pytest.skip(f"the layer holding {defect} is not built in this repository yet")
    suite, check = expected[defect]
    verdicts, failing = parse_output(done.stdout)
    assert verdicts.get(suite) == "FAIL", done.stdout
    assert check in failing[suite], done.stdout


def test_failing_expectation_line_shows_its_unexpected_count(defective_run):
    done, _, _ = defective_run
    line = next(line for line in done.stdout.splitlines() if line.startswith("  - high_ge_low "))
    assert re.search(r": 1 unexpected of [\d,]+", line), line


def test_defects_are_recorded_in_the_json_summary(defective_run):
    _, expected, results = defective_run
    summary = json.loads((results / "checkpoint_result.json").read_text())
    assert summary["success"] is False
    failures = {
        (suite["name"], failure["check"]): failure
        for suite in summary["suites"]
        for failure in suite["failures"]
    }
    for suite, check in expected.values():
        assert failures[(suite, check)]["unexpected_count"] >= 1


# --- parameters, batching, discovery ---------------------------------------------------------


def test_named_parameter_override_tightens_the_rejected_line_gate(sample_warehouse, tmp_path):
    lines: list[str] = []
    outcome = run_checkpoint(
        sample_warehouse,
        GX_DIR,
        tmp_path / "results",
        suites=["bronze_file_manifest"],
        parameters={"max_rejected_line_share": 0.0},
        build_docs=False,
        echo=lines.append,
    )
    assert not outcome.success
    assert lines[0] == "FAIL bronze_file_manifest (6 expectations)"
    assert lines[1].startswith("  - rejected_line_share_le_max ")


def inject_missing_after_warmup(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """A NULL sma_20 and a NaN atr_14 after the warm-up (pandas counts NaN as missing)."""
    con.execute(
        f"""
        update {table} set sma_20 = null
        where rowid = (select max(rowid) from {table} where sma_20 is not null)
        """
    )
    con.execute(
        f"""
        update {table} set atr_14 = 'nan'::double
        where rowid = (select max(rowid) from {table} where atr_14 is not null)
        """
    )


def stored_results(results: Path) -> dict[tuple[str, str], dict]:
    """{(suite, check): GX result dict} from the validation results of one run."""
    found = {}
    for path in (results / "validations").rglob("*.json"):
        document = json.loads(path.read_text())
        suite = document["suite_name"]
        for item in document["results"]:
            check = item["expectation_config"]["meta"]["check"]
            found[(suite, check)] = {"success": item["success"], **item["result"]}
    return found


def test_sql_counts_equal_gx_on_whole_frames(sample_warehouse, tmp_path):
    """DuckDB decides which rows GX sees; on a copy with every defect (and a NULL and a NaN
    where values are due), GX on each suite's whole frame gives the same verdict, element,
    missing and unexpected counts as the checkpoint for every expectation."""
    db_path = copy_warehouse(sample_warehouse, tmp_path / "db")
    built = relations(db_path)
    inject_every_defect(db_path, missing_after_warmup=True)
    results = tmp_path / "results"
    outcome = run_checkpoint(db_path, GX_DIR, results, build_docs=False, echo=lambda line: None)
    checkpoint = stored_results(results)
    assert checkpoint[("bronze_ohlcv", "high_ge_low")]["unexpected_count"] == 1

    whole = tmp_path / "whole"
    context = build_context(GX_DIR, whole)
    asset = context.data_sources.add_pandas("whole").add_dataframe_asset("frame")
    batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
    compared = 0
    with duckdb.connect(str(db_path), read_only=True) as con:
        for spec in discover_suites(GX_DIR):
            if not set(spec.relations) <= built:
                continue
            suite = context.suites.get(spec.name)
            frame = con.sql(spec.frame_sql()).df()
            found, _ = _validate_frame(
                frame,
                suite,
                list(range(len(suite.expectations))),
                batch_definition,
                spec.parameters,
            )
            assert next(s for s in outcome.suites if s.name == spec.name).rows == len(frame)
            for item in found.values():
                check = item.expectation_config.meta["check"]
                expected = {"success": item.success, **item.result}
                actual = checkpoint[(spec.name, check)]
                for key in ("success", "element_count", "missing_count", "unexpected_count"):
                    assert actual.get(key) == expected.get(key), (spec.name, check, key)
                compared += 1
    assert compared >= 20
    assert not checkpoint[("silver_indicators", "sma_20_set_after_warmup")]["success"]
    assert not checkpoint[("silver_indicators", "atr_14_set_after_warmup")]["success"]


def test_clean_run_reads_no_rows_of_the_big_models_into_pandas(sample_warehouse, tmp_path):
    outcome = run_checkpoint(
        sample_warehouse,
        GX_DIR,
        tmp_path / "results",
        suites=["bronze_ohlcv", "bronze_valid_bars"],
        build_docs=False,
        echo=lambda line: None,
    )
    assert outcome.success
    assert all(suite.rows > 10_000 and suite.rows_read == 0 for suite in outcome.suites)


def test_suite_for_a_model_not_built_is_skipped_with_a_note(sample_warehouse, tmp_path, capsys):
    gx_dir = tmp_path / "gx"
    (gx_dir / "expectations").mkdir(parents=True)
    shutil.copy(GX_DIR / "expectations" / "bronze_valid_bars.json", gx_dir / "expectations")
    (gx_dir / "expectations" / "gold_not_built.json").write_text(
        json.dumps(
            {
                "name": "gold_not_built",
                "meta": {"market_warehouse": {"layer": "gold", "model": "gold_not_built"}},
                "expectations": [
                    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x"}}
                ],
            }
        )
    )
    code = main(["--db", str(sample_warehouse), "--gx-dir", str(gx_dir), "--no-docs"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "SKIP gold_not_built (not built: gold_not_built)" in out.splitlines()
    assert "PASS bronze_valid_bars (3 expectations)" in out.splitlines()


def test_new_suite_file_is_discovered_and_its_default_query_reads_only_named_columns(
    tmp_path,
):
    (tmp_path / "expectations").mkdir()
    path = tmp_path / "expectations" / "silver_example.json"
    path.write_text(
        json.dumps(
            {
                "name": "silver_example",
                "meta": {"market_warehouse": {"layer": "silver", "model": "silver_example"}},
                "expectations": [
                    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a"}},
                    {
                        "type": "expect_column_values_to_be_null",
                        "kwargs": {
                            "column": "b",
                            "row_condition": {
                                "type": "comparison",
                                "column": {"name": "n"},
                                "operator": "<",
                                "parameter": 3,
                            },
                        },
                    },
                ],
            }
        )
    )
    (spec,) = discover_suites(tmp_path)
    assert spec.referenced_columns() == ["a", "b", "n"]
    assert spec.frame_sql() == 'select "a", "b", "n" from "silver_example"'


def test_suite_name_must_match_its_file_name(tmp_path):
    path = tmp_path / "bronze_x.json"
    path.write_text(json.dumps({"name": "other", "meta": {"market_warehouse": {"model": "m"}}}))
    with pytest.raises(ValueError, match="must equal the file name"):
        parse_suite(path)


def test_parameters_from_the_command_line_are_read_as_json():
    assert parse_parameter("max_rejected_line_share=0.02") == ("max_rejected_line_share", 0.02)
    assert parse_parameter("label=abc") == ("label", "abc")
    with pytest.raises(ValueError):
        parse_parameter("no_value")


def test_missing_warehouse_exits_2(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "none.duckdb"), "--gx-dir", str(GX_DIR)]) == 2
    assert "warehouse not found" in capsys.readouterr().err


def test_every_pushed_down_type_matches_gx_on_nulls_nans_and_duplicates(tmp_path):
    """Each expectation type counted in DuckDB, on a frame with NULLs, NaNs, duplicate keys
    and values on the bounds: same verdicts and counts as GX on the whole frame."""
    db_path = tmp_path / "edge.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute(
            """
            create table edge as
            select * from (values
                ('a', date '2020-01-01', 1, 1.0, 0.5, 'x'),
                ('a', date '2020-01-02', 2, 'nan'::double, 1.0, 'y'),
                ('a', date '2020-01-02', 3, null, null, null),
                ('b', date '2020-01-01', 4, 3.0, 3.0, 'x'),
                ('b', null, 5, 0.0, 4.0, 'z'),
                ('b', null, 6, 5.0, 'nan'::double, 'x'),
                (null, date '2020-01-03', 7, 2.0, 1.0, 'y')
            ) as rows (k, d, n, a, b, s)
            """
        )
    condition = {"type": "comparison", "column": {"name": "n"}, "operator": ">=", "parameter": 3}
    pair = {"column_A": "a", "column_B": "b"}
    key = {"column_list": ["k", "d"]}
    expectations = [
        ("expect_column_values_to_not_be_null", {"column": "a", "row_condition": condition}),
        ("expect_column_values_to_be_null", {"column": "b", "row_condition": condition}),
        ("expect_column_values_to_be_between", {"column": "a", "min_value": 1, "max_value": 3}),
        ("expect_column_values_to_be_between", {"column": "a", "min_value": 1, "strict_min": True}),
        ("expect_column_values_to_be_between", {"column": "b", "max_value": 1, "mostly": 0.5}),
        ("expect_column_values_to_be_in_set", {"column": "s", "value_set": ["x", "y"]}),
        ("expect_column_values_to_be_unique", {"column": "s"}),
        ("expect_column_pair_values_a_to_be_greater_than_b", pair),
        (
            "expect_column_pair_values_a_to_be_greater_than_b",
            {**pair, "or_equal": True, "ignore_row_if": "either_value_is_missing"},
        ),
        ("expect_column_pair_values_to_be_equal", {**pair, "ignore_row_if": "neither"}),
        (
            "expect_column_pair_values_to_be_in_set",
            {"column_A": "k", "column_B": "s", "value_pairs_set": [["a", "x"], ["b", "x"]]},
        ),
        ("expect_compound_columns_to_be_unique", key),
        ("expect_compound_columns_to_be_unique", {**key, "ignore_row_if": "any_value_is_missing"}),
    ]
    gx_dir = tmp_path / "gx"
    (gx_dir / "expectations").mkdir(parents=True)
    (gx_dir / "expectations" / "edge.json").write_text(
        json.dumps(
            {
                "name": "edge",
                "meta": {"market_warehouse": {"model": "edge", "query": "select * from edge"}},
                "expectations": [
                    {"type": kind, "kwargs": kwargs, "meta": {"check": f"check_{index}"}}
                    for index, (kind, kwargs) in enumerate(expectations)
                ],
            }
        )
    )
    results = tmp_path / "results"
    (outcome,) = run_checkpoint(
        db_path, gx_dir, results, build_docs=False, echo=lambda line: None
    ).suites
    assert outcome.rows == 7
    checkpoint = stored_results(results)

    context = build_context(gx_dir, tmp_path / "whole")
    asset = context.data_sources.add_pandas("whole").add_dataframe_asset("frame")
    batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
    suite = context.suites.get("edge")
    with duckdb.connect(str(db_path), read_only=True) as con:
        frame = con.sql("select * from edge").df()
    found, _ = _validate_frame(frame, suite, list(range(len(expectations))), batch_definition, {})
    failing = 0
    for index, item in found.items():
        expected = {"success": item.success, **item.result}
        actual = checkpoint[("edge", f"check_{index}")]
        for key in ("success", "element_count", "missing_count", "unexpected_count"):
            assert actual.get(key) == expected.get(key), (expectations[index], key)
        failing += not item.success
    assert failing >= 8
