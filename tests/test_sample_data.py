"""Tests for the committed real sample under data/sample and its helpers (no network)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from market_warehouse import sample_data
from market_warehouse.sample_data import SAMPLE_DIR, convert_bokeh_sample, copy_sample

HEADER = "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>"
# Layout required by the project brief.
EXPECTED_FILES = {
    "AAPL": "daily/us/nasdaq stocks/1/aapl.us.txt",
    "FB": "daily/us/nasdaq stocks/1/fb.us.txt",
    "GOOG": "daily/us/nasdaq stocks/1/goog.us.txt",
    "IBM": "daily/us/nyse stocks/1/ibm.us.txt",
    "MSFT": "daily/us/nasdaq stocks/1/msft.us.txt",
}


def read_rows(ticker: str) -> list[list[str]]:
    lines = (SAMPLE_DIR / EXPECTED_FILES[ticker]).read_text(encoding="ascii").splitlines()
    assert lines[0] == HEADER
    return [line.split(",") for line in lines[1:]]


def test_committed_sample_holds_the_five_tickers_in_their_exchange_folders() -> None:
    files = {p.relative_to(SAMPLE_DIR).as_posix() for p in SAMPLE_DIR.glob("daily/**/*.txt")}
    assert files == set(EXPECTED_FILES.values())
    assert (SAMPLE_DIR / "README.md").is_file()


@pytest.mark.parametrize("ticker", sorted(EXPECTED_FILES))
def test_sample_files_are_well_formed_stooq(ticker: str) -> None:
    raw = (SAMPLE_DIR / EXPECTED_FILES[ticker]).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
    rows = read_rows(ticker)
    assert all(len(r) == 10 for r in rows)
    assert {(r[0], r[1], r[3], r[9]) for r in rows} == {(f"{ticker}.US", "D", "000000", "0")}
    dates = [r[2] for r in rows]
    assert dates == sorted(set(dates))
    for r in rows:
        assert all("e" not in x.lower() for x in r[4:9])
        o, h, lo, c = map(float, r[4:8])
        assert 0 < lo <= min(o, c) and max(o, c) <= h
        assert float(r[8]) > 0


def test_first_and_last_dates_match_the_documented_history() -> None:
    # bokeh_sampledata: series end on 2013-03-01; GOOG and FB start at their IPOs.
    expected_first_year = {"AAPL": "2000", "IBM": "2000", "MSFT": "2000"}
    for ticker in EXPECTED_FILES:
        rows = read_rows(ticker)
        assert rows[-1][2] == "20130301"
        if ticker in expected_first_year:
            assert rows[0][2][:4] == expected_first_year[ticker]
    assert read_rows("GOOG")[0][2] == "20040819"
    assert read_rows("FB")[0][2] == "20120518"


def test_prices_are_unadjusted_with_the_real_aapl_split() -> None:
    # AAPL split 2-for-1 effective 2000-06-21: the unadjusted close roughly halves.
    closes = {r[2]: float(r[7]) for r in read_rows("AAPL")}
    assert closes["20000621"] / closes["20000620"] < 0.6


def test_sample_equals_the_bokeh_source_exactly() -> None:
    stocks = pytest.importorskip("bokeh_sampledata.stocks")
    for ticker in EXPECTED_FILES:
        source = getattr(stocks, ticker)
        rows = read_rows(ticker)
        assert len(rows) == len(source["date"])
        assert [r[2] for r in rows] == [d.replace("-", "") for d in source["date"]]
        for col, key in ((4, "open"), (5, "high"), (6, "low"), (7, "close")):
            assert [float(r[col]) for r in rows] == source[key]
        assert [int(r[8]) for r in rows] == source["volume"]


def test_converter_reproduces_the_committed_files(tmp_path: Path) -> None:
    pytest.importorskip("bokeh_sampledata.stocks")
    paths = convert_bokeh_sample(tmp_path)
    assert len(paths) == len(EXPECTED_FILES)
    for rel in EXPECTED_FILES.values():
        assert (tmp_path / rel).read_bytes() == (SAMPLE_DIR / rel).read_bytes()


def test_missing_source_package_gives_an_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "bokeh_sampledata", None)
    monkeypatch.setitem(sys.modules, "bokeh_sampledata.stocks", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install -e '\.\[sample-source\]'"):
        convert_bokeh_sample(tmp_path)
    assert sample_data.main(["--out", str(tmp_path)]) == 1


def test_importing_the_package_does_not_import_bokeh() -> None:
    code = (
        "import sys, market_warehouse.sample_data, market_warehouse.synthetic; "
        "print('bokeh_sampledata' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_copy_sample_is_idempotent(tmp_path: Path) -> None:
    copied = copy_sample(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in copied} == set(EXPECTED_FILES.values())
    for p in copied:
        assert p.read_bytes() == (SAMPLE_DIR / p.relative_to(tmp_path)).read_bytes()

    old = 1_000_000_000
    for p in copied:
        os.utime(p, (old, old))
    damaged = tmp_path / EXPECTED_FILES["IBM"]
    damaged.write_text("damaged\n")
    other = tmp_path / "daily" / "us" / "nyse stocks" / "1" / "other.us.txt"
    other.write_text("keep\n")

    copy_sample(tmp_path)

    for p in copied:
        if p != damaged:
            assert p.stat().st_mtime_ns == old * 10**9
    assert damaged.read_bytes() == (SAMPLE_DIR / EXPECTED_FILES["IBM"]).read_bytes()
    assert other.read_text() == "keep\n"


def test_copy_sample_from_an_empty_folder_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        copy_sample(tmp_path / "dest", sample_dir=tmp_path / "nothing")
