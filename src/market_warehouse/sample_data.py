"""The embedded real sample: Stooq-format daily files converted from ``bokeh_sampledata``.

The committed sample lives in ``data/sample/`` at the repository root. It holds unadjusted daily
OHLCV for AAPL, MSFT, GOOG, FB (``daily/us/nasdaq stocks/1/``) and IBM
(``daily/us/nyse stocks/1/``), taken from the public-domain Quandl WIKI extract that ships in the
``bokeh_sampledata`` package. Prices are in US dollars per share exactly as the source gives them
(no split or dividend adjustment, so real split jumps are present); volume is in shares.

Number format: every price is written with ``repr(float)`` (the shortest decimal that parses back
to the same IEEE double, never in exponent notation for these magnitudes), so parsing a file gives
bit-for-bit the float the source holds. Volume is written as an integer.

Command line::

    python -m market_warehouse.sample_data --out data/sample      # regenerate from the source
    python -m market_warehouse.sample_data --copy-to data/raw     # copy it into a raw root

The runtime never needs ``bokeh_sampledata``: only :func:`convert_bokeh_sample` imports it, and
only when called (``pip install -e '.[sample-source]'`` provides it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

#: First line of every Stooq daily ASCII file (without the trailing newline).
STOOQ_HEADER = "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>"

#: The committed sample, resolved relative to this file (valid for the editable install).
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"

#: Ticker -> Stooq exchange folder for the five sample series.
SAMPLE_TICKERS: dict[str, str] = {
    "AAPL": "nasdaq stocks",
    "FB": "nasdaq stocks",
    "GOOG": "nasdaq stocks",
    "IBM": "nyse stocks",
    "MSFT": "nasdaq stocks",
}

#: Version of ``bokeh_sampledata`` the committed sample was produced from.
SOURCE_VERSION = "2026.1"

_README = """\
# Embedded real sample (Stooq daily format)

Five US stocks, daily bars, in the exact Stooq daily ASCII layout the warehouse reads:

| ticker | file | first date | last date | rows |
|---|---|---|---|---|
{table}

## Source and licence

- Data: **Quandl WIKI Prices**, declared **public domain** by Quandl (its publisher notice
  permits copying and redistribution:
  <https://web.archive.org/web/20150411011214/https://www.quandl.com/data/WIKI>;
  database page <https://data.nasdaq.com/databases/WIKIP>).
- Taken from the Python package **`bokeh_sampledata`, version {version}** (module
  `bokeh_sampledata.stocks`, file `stocks.csv.gz`), which ships an archived extract
  (<https://www.kaggle.com/datasets/marketneutral/quandl-wiki-prices-us-equites/versions/1>)
  and records the licence as "Public domain" in its `licenses/datasets.json`.
  The `GOOG` series is Google's pre-2014 history (filed as `GOOGL` in the source).
- Values are provided as supplied by the source, without an accuracy guarantee.

## What the numbers are

- Open, high, low, close in US dollars per share, **unadjusted**: splits and dividends are not
  applied, so real split jumps are in the data (e.g. AAPL 2-for-1 on 2000-06-21 and
  2005-02-28, MSFT 2-for-1 on 2003-02-18). Volume in shares, unadjusted.
- Prices are written with Python `repr(float)` of the source value, so parsing a file returns
  exactly the source's float; volume is an integer. `<TIME>` is `000000`, `<OPENINT>` is `0`.
- The source's adjusted close is not carried (Stooq daily files have no such column).

## Regenerate

```
pip install -e '.[sample-source]'
python -m market_warehouse.sample_data --out data/sample
```

Copy it into a raw root (writes only files whose bytes differ):
`python -m market_warehouse.sample_data --copy-to data/raw`.
"""


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` only if the file is missing or its bytes differ.

    Parent folders are created as needed. An unchanged file is not opened for writing, so its
    mtime stays as it was.

    Returns:
        True if the file was written, False if it already held exactly these bytes.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def stooq_file_name(ticker: str) -> str:
    """File name Stooq uses for a US ticker, e.g. ``"AAPL"`` -> ``"aapl.us.txt"``."""
    return f"{ticker.lower()}.us.txt"


def stooq_text(
    ticker: str,
    dates: Sequence[str],
    opens: Sequence[float],
    highs: Sequence[float],
    lows: Sequence[float],
    closes: Sequence[float],
    volumes: Sequence[int | float],
) -> str:
    """Render one ticker's daily bars as the text of a Stooq daily file.

    Args:
        ticker: plain upper-case symbol without suffix (``"AAPL"``); written as ``AAPL.US``.
        dates: ISO dates ``YYYY-MM-DD`` (or ``YYYYMMDD``), ascending.
        opens, highs, lows, closes: prices in currency units per share, written with ``repr``.
        volumes: shares; integers are written as integers, floats with ``repr``.

    Returns:
        The file text: header, one line per bar, ``\\n`` line endings, trailing newline.
    """
    symbol = f"{ticker.upper()}.US"
    lines = [STOOQ_HEADER]
    for date, o, h, lo, c, v in zip(dates, opens, highs, lows, closes, volumes, strict=True):
        ymd = date.replace("-", "")
        prices = ",".join(_price_text(x) for x in (o, h, lo, c))
        lines.append(f"{symbol},D,{ymd},000000,{prices},{_volume_text(v)},0")
    return "\n".join(lines) + "\n"


def _price_text(value: float) -> str:
    """Shortest round-trippable decimal for a price; refuses exponent notation."""
    text = repr(float(value))
    if "e" in text or "n" in text:
        raise ValueError(f"price {value!r} cannot be written as a plain decimal")
    return text


def _volume_text(value: int | float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return _price_text(value)


def convert_bokeh_sample(out_dir: Path) -> list[Path]:
    """Write the five ``bokeh_sampledata.stocks`` series as Stooq files under ``out_dir``.

    Files go to ``out_dir/daily/us/<exchange folder>/1/<ticker>.us.txt`` and a ``README.md`` is
    written to ``out_dir``. Only files whose bytes differ are rewritten.

    Returns:
        Paths of the data files (written or already up to date), sorted.

    Raises:
        ModuleNotFoundError: if ``bokeh_sampledata`` is not installed.
    """
    try:
        import bokeh_sampledata
        from bokeh_sampledata import stocks
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "bokeh_sampledata is needed only to regenerate the sample; install it with "
            "`pip install -e '.[sample-source]'`"
        ) from exc

    out_dir = Path(out_dir)
    paths: list[Path] = []
    rows: list[str] = []
    for ticker, folder in sorted(SAMPLE_TICKERS.items()):
        series = getattr(stocks, ticker)
        text = stooq_text(
            ticker,
            series["date"],
            series["open"],
            series["high"],
            series["low"],
            series["close"],
            series["volume"],
        )
        rel = Path("daily", "us", folder, "1", stooq_file_name(ticker))
        write_if_changed(out_dir / rel, text.encode("ascii"))
        paths.append(out_dir / rel)
        rows.append(
            f"| {ticker} | `{rel.as_posix()}` | {series['date'][0]} | {series['date'][-1]} "
            f"| {len(series['date'])} |"
        )
    readme = _README.format(table="\n".join(rows), version=bokeh_sampledata.__version__)
    write_if_changed(out_dir / "README.md", readme.encode("utf-8"))
    return sorted(paths)


def sample_files(sample_dir: Path = SAMPLE_DIR) -> list[Path]:
    """The committed sample's data files (``daily/**/*.txt``), sorted; empty if none."""
    return sorted(Path(sample_dir).glob("daily/**/*.txt"))


def copy_sample(dest: Path, sample_dir: Path = SAMPLE_DIR) -> list[Path]:
    """Copy the committed sample's ``daily/`` tree into the raw root ``dest``.

    A file is written only when its bytes differ from what is already at the destination, so a
    second run leaves every mtime untouched. Nothing else under ``dest`` is changed or removed.

    Args:
        dest: raw root; files land at ``dest/daily/us/<exchange folder>/1/<ticker>.us.txt``.
        sample_dir: folder holding the sample (default: ``data/sample`` of this repository).

    Returns:
        Destination paths of all sample files, sorted.

    Raises:
        FileNotFoundError: if ``sample_dir`` holds no sample files.
    """
    sources = sample_files(sample_dir)
    if not sources:
        raise FileNotFoundError(f"no sample files under {Path(sample_dir) / 'daily'}")
    dest = Path(dest)
    out: list[Path] = []
    for src in sources:
        target = dest / src.relative_to(sample_dir)
        write_if_changed(target, src.read_bytes())
        out.append(target)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(
        prog="python -m market_warehouse.sample_data",
        description="Regenerate the embedded Stooq sample from bokeh_sampledata, or copy it.",
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the sample from bokeh_sampledata here")
    group.add_argument("--copy-to", type=Path, help="copy the committed sample into this raw root")
    args = parser.parse_args(argv)
    try:
        if args.out is not None:
            paths = convert_bokeh_sample(args.out)
            print(f"wrote sample: {len(paths)} files under {args.out}")
        else:
            paths = copy_sample(args.copy_to)
            print(f"copied sample: {len(paths)} files into {args.copy_to}")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
