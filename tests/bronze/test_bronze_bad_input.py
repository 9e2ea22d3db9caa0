"""The bad-input corpus (tests/fixtures/bad_input): every line of every file is accounted for,
and each problem becomes a row with a reason instead of stopping the build.

Expected outcomes are written by hand from the fixture files, not read back from the models.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, query, run_dbt

CORPUS = FIXTURES / "bad_input"
NYSE = "daily/us/nyse stocks/1/"

# file -> (lines_read, data_lines, typed_rows, rejected_lines, header_lines, blank_lines)
EXPECTED_COUNTS = {
    NYSE + "empty.us.txt": (0, 0, 0, 0, 0, 0),
    NYSE + "header_only.us.txt": (1, 0, 0, 0, 1, 0),
    NYSE + "no_header.us.txt": (3, 3, 3, 0, 0, 0),
    NYSE + "crlf.us.txt": (4, 3, 3, 0, 1, 0),
    NYSE + "bom.us.txt": (3, 2, 2, 0, 1, 0),
    NYSE + "tab.us.txt": (3, 2, 2, 0, 1, 0),
    NYSE + "semicolon.us.txt": (3, 2, 2, 0, 1, 0),
    NYSE + "trailing_ws.us.txt": (3, 2, 2, 0, 1, 0),
    NYSE + "missing_fields.us.txt": (5, 4, 2, 2, 1, 0),
    NYSE + "extra_fields.us.txt": (4, 3, 2, 1, 1, 0),
    NYSE + "non_numeric.us.txt": (5, 4, 2, 2, 1, 0),
    NYSE + "impossible_date.us.txt": (5, 4, 2, 2, 1, 0),
    NYSE + "nonpositive_price.us.txt": (5, 4, 4, 0, 1, 0),
    NYSE + "high_lt_low.us.txt": (4, 3, 3, 0, 1, 0),
    NYSE + "ohlc_outside.us.txt": (5, 4, 4, 0, 1, 0),
    NYSE + "negative_volume.us.txt": (4, 3, 3, 0, 1, 0),
    NYSE + "out_of_range.us.txt": (7, 6, 4, 2, 1, 0),
    NYSE + "duplicates.us.txt": (7, 6, 6, 0, 1, 0),
    NYSE + "spike.us.txt": (4, 3, 3, 0, 1, 0),
    NYSE + "latin1.us.txt": (4, 3, 2, 1, 1, 0),
    NYSE + "dual.us.txt": (4, 3, 3, 0, 1, 0),
    "daily/us/nasdaq stocks/1/dual.us.txt": (3, 2, 2, 0, 1, 0),
    NYSE + "blank_lines.us.txt": (5, 2, 2, 0, 1, 2),
    "other folder/unknown.us.txt": (2, 1, 1, 0, 1, 0),
}

# (file, line) -> reject reason
EXPECTED_REJECTS = {
    (NYSE + "missing_fields.us.txt", 3): "field_count:9",
    (NYSE + "missing_fields.us.txt", 4): "missing_field:close",
    (NYSE + "extra_fields.us.txt", 3): "field_count:11",
    (NYSE + "non_numeric.us.txt", 3): "unparsable_number:close",
    (NYSE + "non_numeric.us.txt", 4): "unparsable_number:open",
    (NYSE + "impossible_date.us.txt", 3): "unparsable_date",
    (NYSE + "impossible_date.us.txt", 4): "unparsable_date",
    (NYSE + "latin1.us.txt", 3): "invalid_utf8",
    # "inf" and "nan" parse as DOUBLE but are not finite numbers
    (NYSE + "out_of_range.us.txt", 5): "unparsable_number:high",
    (NYSE + "out_of_range.us.txt", 6): "unparsable_number:close",
}

# (file, line) -> (is_valid, invalid_reasons, warning_reasons)
EXPECTED_FLAGGED_ROWS = {
    (NYSE + "nonpositive_price.us.txt", 3): (False, "nonpositive_price", "suspicious_bar"),
    (NYSE + "nonpositive_price.us.txt", 4): (False, "nonpositive_price", "suspicious_bar"),
    (NYSE + "high_lt_low.us.txt", 3): (False, "high_lt_low,ohlc_outside_hl", ""),
    (NYSE + "ohlc_outside.us.txt", 3): (False, "ohlc_outside_hl", ""),
    (NYSE + "ohlc_outside.us.txt", 4): (False, "ohlc_outside_hl", ""),
    (NYSE + "negative_volume.us.txt", 3): (False, "negative_volume", ""),
    # above max_valid_price (a 2e9 high, also a suspicious range) and max_valid_volume (1e14)
    (NYSE + "out_of_range.us.txt", 3): (False, "out_of_range", "suspicious_bar"),
    (NYSE + "out_of_range.us.txt", 4): (False, "out_of_range", ""),
    (NYSE + "duplicates.us.txt", 4): (False, "duplicate_identical", ""),
    (NYSE + "duplicates.us.txt", 5): (False, "duplicate_conflicting", ""),
    (NYSE + "duplicates.us.txt", 6): (False, "duplicate_conflicting", ""),
    # a 157,000% one-day spike is flagged, not rejected
    (NYSE + "spike.us.txt", 3): (True, "", "suspicious_bar"),
}


@pytest.fixture(scope="module")
def corpus_warehouse(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("bad_input")
    raw = work / "raw"
    shutil.copytree(CORPUS, raw, symlinks=True)
    db = work / "warehouse.duckdb"
    run_dbt(["build", "--select", "bronze"], db_path=db, raw_root=raw)
    return db


def test_every_line_of_every_file_is_counted_as_expected(corpus_warehouse):
    manifest = query(
        corpus_warehouse,
        "select relative_path, lines_read, data_lines, typed_rows, rejected_lines, "
        "header_lines, blank_lines from bronze_file_manifest where load_outcome = 'loaded'",
    ).set_index("relative_path")
    for path, expected in EXPECTED_COUNTS.items():
        assert tuple(manifest.loc[path]) == expected, path


def test_binary_file_becomes_rejected_lines(corpus_warehouse):
    raw_bytes = (CORPUS / NYSE / "binary.us.txt").read_bytes()
    physical_lines = raw_bytes.count(b"\n") + (0 if raw_bytes.endswith(b"\n") else 1)
    rejected = query(
        corpus_warehouse,
        "select reject_reason from bronze_rejected_lines "
        f"where source_file = '{NYSE}binary.us.txt'",
    )
    assert len(rejected) == physical_lines
    assert set(rejected.reject_reason) <= {"invalid_utf8", "control_characters"}
    typed = query(
        corpus_warehouse,
        f"select count(*) as n from bronze_ohlcv where source_file = '{NYSE}binary.us.txt'",
    )
    assert typed.n[0] == 0


def test_rejected_lines_carry_their_reason_and_raw_text(corpus_warehouse):
    rejected = query(
        corpus_warehouse,
        "select source_file, source_line_no, reject_reason, raw_line from bronze_rejected_lines "
        "where source_file not like '%binary%'",
    )
    got = {(r.source_file, r.source_line_no): r.reject_reason for r in rejected.itertuples()}
    assert got == EXPECTED_REJECTS
    raw = {(r.source_file, r.source_line_no): r.raw_line for r in rejected.itertuples()}
    assert raw[(NYSE + "non_numeric.us.txt", 3)] == "NONNUM.US,D,20200103,000000,10,11,9,abc,1000,0"
    # the Latin-1 byte is shown escaped, not dropped
    assert raw[(NYSE + "latin1.us.txt", 3)].endswith("caf\\xE9")


def test_invalid_rows_and_warnings_are_flagged_with_reasons(corpus_warehouse):
    flagged = query(
        corpus_warehouse,
        "select source_file, source_line_no, is_valid, invalid_reasons, warning_reasons "
        "from bronze_ohlcv where not is_valid or has_warning",
    )
    got = {
        (r.source_file, r.source_line_no): (r.is_valid, r.invalid_reasons, r.warning_reasons)
        for r in flagged.itertuples()
    }
    assert got == EXPECTED_FLAGGED_ROWS


def test_identical_duplicate_keeps_its_first_copy(corpus_warehouse):
    days = query(
        corpus_warehouse,
        "select trade_date::varchar as d, count(*) as n from bronze_valid_bars "
        "where ticker = 'DUP.US' group by 1 order by 1",
    )
    # 01-03 appears twice identically (one kept); 01-06 conflicts (none kept)
    assert dict(zip(days.d, days.n, strict=True)) == {
        "2020-01-02": 1,
        "2020-01-03": 1,
        "2020-01-07": 1,
    }


def test_broken_symlink_is_a_failed_file_with_a_reason(corpus_warehouse):
    row = query(
        corpus_warehouse,
        "select status, load_outcome, load_error from bronze_file_manifest "
        f"where relative_path = '{NYSE}broken_link.us.txt'",
    )
    assert list(row.status) == ["NEW"]
    assert list(row.load_outcome) == ["failed"]
    assert row.load_error[0].startswith("broken symbolic link")


def test_files_outside_exchange_folders_are_unknown_but_loaded(corpus_warehouse):
    row = query(
        corpus_warehouse,
        "select exchange, typed_rows from bronze_file_manifest "
        "where relative_path = 'other folder/unknown.us.txt'",
    )
    assert list(row.exchange) == ["UNKNOWN"]
    assert list(row.typed_rows) == [1]


def test_ticker_in_two_exchange_folders_is_flagged_and_read_from_one_file(corpus_warehouse):
    master = query(
        corpus_warehouse,
        "select exchange, is_in_multiple_files, is_primary_listing, primary_source_file "
        "from bronze_symbol_master where ticker = 'DUAL.US' order by exchange",
    )
    assert list(master.exchange) == ["NASDAQ", "NYSE"]
    assert master.is_in_multiple_files.all()
    # the NYSE file has more valid rows, so silver reads it
    assert list(master.is_primary_listing) == [False, True]
    assert set(master.primary_source_file) == {NYSE + "dual.us.txt"}
    bars = query(
        corpus_warehouse,
        "select distinct source_file from bronze_valid_bars where ticker = 'DUAL.US'",
    )
    assert list(bars.source_file) == [NYSE + "dual.us.txt"]


def test_blank_lines_keep_exact_line_numbers(corpus_warehouse):
    rows = query(
        corpus_warehouse,
        "select source_line_no from bronze_ohlcv where ticker = 'BLANK.US' order by 1",
    )
    assert list(rows.source_line_no) == [2, 5]


def test_silver_base_series_builds_on_the_valid_rows_of_the_corpus(corpus_warehouse):
    """Out-of-range values never reach silver's scaled integer sums: the build succeeds and
    the out-of-range ticker keeps exactly its two valid bars, with their hand-worked means."""
    run_dbt(
        ["run", "--select", "silver_xnys_calendar", "silver_base_bars"],
        db_path=corpus_warehouse,
        raw_root=corpus_warehouse.parent / "raw",
        dbt_vars={"base_volume_window": 2, "base_tr_sma_period": 2},
    )
    rows = query(
        corpus_warehouse,
        "select trade_date::varchar as trade_date, close, vol_sma_2, tr_sma_2 "
        "from silver_base_bars where ticker = 'OOR.US' order by trade_date",
    )
    assert rows["trade_date"].tolist() == ["2020-01-02", "2020-01-09"]
    assert rows["close"].tolist() == [10.5, 10.5]
    # second valid bar: volumes 1000 and 1000; true ranges 11 - 9 = 2 on both bars
    assert rows["vol_sma_2"].tolist()[1] == 1000.0
    assert rows["tr_sma_2"].tolist()[1] == 2.0
