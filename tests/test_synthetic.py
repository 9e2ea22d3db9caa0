"""Tests for the synthetic Stooq universe generator (fast, no network)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from market_warehouse.synthetic import (
    DEFAULT_END_DATE,
    DEFECT_KINDS,
    MANIFEST_NAME,
    generate_universe,
)

HEADER = "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>"
FOLDERS = {
    "nasdaq stocks",
    "nasdaq etfs",
    "nyse stocks",
    "nyse etfs",
    "nysemkt stocks",
    "nysemkt etfs",
}
ARGS = {"n_tickers": 40, "years": 3, "seed": 11}
DEFECT_ARGS = {"n_tickers": 60, "years": 3, "seed": 5}


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` as relative POSIX path -> bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def data_files(root: Path) -> list[Path]:
    return sorted(root.glob("daily/**/*.txt"))


def parse_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y%m%d").date()


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("clean")
    return out, generate_universe(out, **ARGS)


@pytest.fixture(scope="module")
def with_defects(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("defects")
    base = tmp_path_factory.mktemp("defects_baseline")
    summary = generate_universe(out, **DEFECT_ARGS, defects=True)
    baseline = generate_universe(base, **DEFECT_ARGS, defects=False)
    return out, summary, base, baseline


def test_same_arguments_give_byte_identical_trees(clean, tmp_path: Path) -> None:
    out, _ = clean
    again = generate_universe(tmp_path, **ARGS)
    assert again.files_written == again.files
    assert tree(tmp_path) == tree(out)


def test_defect_runs_are_deterministic_too(with_defects, tmp_path: Path) -> None:
    out, _, _, _ = with_defects
    generate_universe(tmp_path, **DEFECT_ARGS, defects=True)
    assert tree(tmp_path) == tree(out)


def test_different_seed_gives_different_data(clean, tmp_path: Path) -> None:
    out, _ = clean
    generate_universe(tmp_path, **{**ARGS, "seed": ARGS["seed"] + 1})
    first, second = tree(out), tree(tmp_path)
    shared = set(first) & set(second)
    assert shared, "same ticker names expected for the same N"
    assert any(first[k] != second[k] for k in shared if k.endswith(".txt"))


def test_default_end_date_is_a_fixed_constant(clean) -> None:
    _, summary = clean
    assert summary.params["end_date"] == DEFAULT_END_DATE.isoformat()
    last_business_day = DEFAULT_END_DATE
    while last_business_day.weekday() >= 5:
        last_business_day -= dt.timedelta(days=1)
    last_dates = {t["last_date"] for t in summary.tickers}
    assert max(last_dates) == last_business_day.isoformat()


def test_every_file_parses_into_valid_business_day_bars(clean) -> None:
    out, summary = clean
    files = data_files(out)
    assert len(files) == ARGS["n_tickers"] == summary.files
    rows = 0
    for path in files:
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
        lines = raw.decode("ascii").split("\n")[:-1]
        assert lines[0] == HEADER
        symbol = path.name.removesuffix(".txt").upper()
        previous = None
        for line in lines[1:]:
            fields = line.split(",")
            assert len(fields) == 10, line
            ticker, per, date, time_, o, h, lo, c, vol, oi = fields
            assert (ticker, per, time_, oi) == (symbol, "D", "000000", "0")
            day = parse_date(date)
            assert day.weekday() < 5
            assert previous is None or day > previous
            previous = day
            for text in (o, h, lo, c):
                assert "e" not in text.lower() and len(text.partition(".")[2]) <= 4, line
            o, h, lo, c = float(o), float(h), float(lo), float(c)
            assert 0 < lo <= min(o, c) and max(o, c) <= h, line
            assert vol.isdigit() and int(vol) > 0
        rows += len(lines) - 1
    assert rows == summary.rows


def test_manifest_matches_files(clean) -> None:
    out, summary = clean
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest == json.loads(json.dumps(summary.manifest()))
    assert not list(out.glob("daily/**/*.json"))
    for t in manifest["tickers"]:
        path = out / t["path"]
        folder = path.parent.parent.name
        suffix = "etfs" if t["asset_type"] == "etf" else "stocks"
        assert folder == f"{t['exchange'].lower()} {suffix}"
        assert path.name == f"{t['ticker'].lower()}.txt"
        lines = path.read_text().splitlines()[1:]
        assert len(lines) == t["lines"] == t["bars"]
        assert parse_date(lines[0].split(",")[2]).isoformat() == t["first_date"]
        assert parse_date(lines[-1].split(",")[2]).isoformat() == t["last_date"]


def test_listing_dates_vary_and_all_exchanges_and_asset_types_exist(clean) -> None:
    out, summary = clean
    firsts = [t["first_date"] for t in summary.tickers]
    lasts = [t["last_date"] for t in summary.tickers]
    assert len(set(firsts)) > 3 and len(set(lasts)) > 3
    span_start, span_end = min(firsts), max(lasts)
    assert any(f == span_start and la == span_end for f, la in zip(firsts, lasts, strict=True))
    assert any(f > span_start for f in firsts)  # listed late
    assert any(la < span_end for la in lasts)  # delisted early
    assert {p.parent.parent.name for p in data_files(out)} == FOLDERS
    assert all(p.parent.name.isdigit() for p in data_files(out))


def test_tickers_cannot_collide_with_the_real_sample(clean) -> None:
    _, summary = clean
    names = {t["ticker"].removesuffix(".US") for t in summary.tickers}
    assert not names & {"AAPL", "IBM", "MSFT", "GOOG", "FB"}
    assert all(name.startswith("SYN") and name[3:].isdigit() for name in names)


def test_prices_are_mostly_realistic_with_some_penny_stocks(tmp_path: Path) -> None:
    summary = generate_universe(tmp_path, n_tickers=80, years=2, seed=3)
    closes, penny_medians = [], []
    for t in summary.tickers:
        lines = (tmp_path / t["path"]).read_text().splitlines()[1:]
        series = sorted(float(line.split(",")[7]) for line in lines)
        closes.extend(series)
        if t["is_penny"]:
            penny_medians.append(series[len(series) // 2])
    assert penny_medians and min(penny_medians) < 1.0
    share_in_range = sum(1.0 <= c <= 1000.0 for c in closes) / len(closes)
    assert share_in_range > 0.9


def test_second_run_does_not_touch_files_and_removes_nothing(tmp_path: Path) -> None:
    generate_universe(tmp_path, **ARGS)
    old = 1_000_000_000
    for path in tmp_path.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))
    extra = tmp_path / "daily" / "us" / "nyse stocks" / "1" / "keep.us.txt"
    extra.write_text("not ours\n")
    victim = data_files(tmp_path)[0]
    victim.write_text("damaged\n")

    again = generate_universe(tmp_path, **ARGS)

    assert again.files_written == 1
    assert extra.read_text() == "not ours\n"
    changed = {
        p for p in tmp_path.rglob("*") if p.is_file() and p.stat().st_mtime_ns != old * 10**9
    }
    assert changed == {victim, extra}
    assert victim.read_text().startswith(HEADER)


def test_defects_need_enough_tickers(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_universe(tmp_path, n_tickers=3, years=1, seed=0, defects=True)


def test_every_defect_kind_is_planted_once_per_file(with_defects) -> None:
    out, summary, _, _ = with_defects
    kinds = [d["kind"] for d in summary.defects]
    assert sorted(kinds) == sorted(DEFECT_KINDS)
    assert len({d["path"] for d in summary.defects}) == len(summary.defects)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["defects"] == json.loads(json.dumps(summary.defects))
    for d in summary.defects:
        lines = (out / d["path"]).read_text().splitlines()
        assert lines[d["line_no"] - 1] == d["line"]


def test_defect_files_differ_from_the_clean_run_exactly_as_recorded(with_defects) -> None:
    out, summary, base, _ = with_defects
    defect_paths = {d["path"] for d in summary.defects}
    for path in data_files(base):
        rel = path.relative_to(base).as_posix()
        if rel not in defect_paths:
            assert (out / rel).read_bytes() == path.read_bytes()

    for d in summary.defects:
        got = (out / d["path"]).read_text().splitlines()
        clean_lines = (base / d["path"]).read_text().splitlines()
        i = d["line_no"] - 1
        kind = d["kind"]
        if kind in ("duplicate_identical", "duplicate_conflict"):
            assert d["duplicate_of_line_no"] == d["line_no"] - 1
            assert got[:i] + got[i + 1 :] == clean_lines
            original = got[i - 1].split(",")
            copy = got[i].split(",")
            assert copy[2] == original[2]
            assert parse_date(copy[2]).isoformat() == d["trade_date"]
            if kind == "duplicate_identical":
                assert copy == original
            else:
                assert copy[:7] + copy[8:] == original[:7] + original[8:]
                assert float(copy[7]) != float(original[7])
                assert float(original[7]) == d["original_close"]
                assert float(copy[7]) == d["conflicting_close"]
                assert float(copy[6]) <= float(copy[7]) <= float(copy[5])
        elif kind == "split":
            assert len(got) == len(clean_lines)
            assert got[:i] == clean_lines[:i]
            assert parse_date(got[i].split(",")[2]).isoformat() == d["trade_date"]
            ratio = d["ratio"]
            assert ratio > 1
            for new, old in zip(got[i:], clean_lines[i:], strict=True):
                n, o = new.split(","), old.split(",")
                assert n[2] == o[2]
                for k in (4, 5, 6, 7):
                    assert abs(float(n[k]) - float(o[k]) / ratio) <= 0.5e-4 + 1e-12
                assert int(n[8]) == int(o[8]) * ratio
            jump = float(got[i - 1].split(",")[7]) / float(got[i].split(",")[7])
            assert ratio * 0.7 < jump < ratio * 1.4
        else:
            assert len(got) == len(clean_lines)
            assert got[:i] + got[i + 1 :] == clean_lines[:i] + clean_lines[i + 1 :]
            fields = got[i].split(",")
            original = clean_lines[i].split(",")
            assert parse_date(original[2]).isoformat() == d["trade_date"]
            if kind == "bad_field_count":
                assert len(fields) != 10 and len(fields) == d["field_count"]
            elif kind == "non_numeric_price":
                assert len(fields) == 10 and fields[7] == d["value"]
                with pytest.raises(ValueError):
                    float(fields[7])
                assert fields[:7] + fields[8:] == original[:7] + original[8:]
            elif kind == "impossible_date":
                assert fields[2] == d["bad_date"] and fields[2][4:] == "0230"
                with pytest.raises(ValueError):
                    parse_date(fields[2])
                assert fields[:2] + fields[3:] == original[:2] + original[3:]
            else:
                pytest.fail(f"unexpected defect kind {kind}")


def test_defects_do_not_change_the_ticker_list(with_defects) -> None:
    _, summary, _, baseline = with_defects
    strip = ("lines",)
    assert [{k: v for k, v in t.items() if k not in strip} for t in summary.tickers] == [
        {k: v for k, v in t.items() if k not in strip} for t in baseline.tickers
    ]
