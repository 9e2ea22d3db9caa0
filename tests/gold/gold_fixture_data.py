"""Raw trees for the gold tests: the real sample, the synthetic universe and two tickers with a
long gap (two series segments), and a copy whose bars after a cut date are replaced.

Nothing here runs dbt; tests drive it through ``tests/conftest.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import numpy as np

from market_warehouse import cli
from tests.silver.silver_fixture_data import business_days, random_bars, write_stooq

HEADER = "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>"
GAP_TICKERS = ("GAPA.US", "GAPB.US")


def write_gap_ticker(root: Path, ticker: str, seed: int, bars: int = 420, gap_after: int = 230):
    """A random walk with a gap of 40 business days after bar ``gap_after`` (two segments)."""
    rng = np.random.default_rng(seed)
    open_, high, low, close, volume = random_bars(rng, bars, 30.0)
    days = business_days(dt.date(2015, 1, 5), bars + 40)
    days = days[:gap_after] + days[gap_after + 40 : bars + 40]
    write_stooq(root, ticker, days, open_, high, low, close, volume, folder="daily/us/gap/1")


def write_universe(root: Path) -> None:
    """Sample + the default synthetic universe (with its planted defects) + the gap tickers."""
    cli.main(["prepare", "--raw-root", str(root)])
    for seed, ticker in enumerate(GAP_TICKERS, start=5):
        write_gap_ticker(root, ticker, seed)


def _fields(line: str) -> list[str] | None:
    fields = line.split(",")
    if len(fields) != 10 or not fields[2].isdigit() or len(fields[2]) != 8:
        return None
    return fields


def perturb_after_cut(
    source: Path, target: Path, cut_fraction: float = 0.6, seed: int = 2024
) -> dict[str, dt.date]:
    """Copy every Stooq file of ``source`` to ``target`` with the bars after a cut date replaced.

    The cut date of a file is the date of its data line at ``cut_fraction`` of its data lines.
    Every line dated after it that splits into ten fields gets a new random OHLCV bar (a walk
    from the last close, valid high/low); other lines are kept as they are (defective lines
    stay defective). Every fourth file also loses its last 15 lines, so the row count after
    the cut changes too. Returns the cut date per ticker (upper-cased TICKER field).
    """
    rng = np.random.default_rng(seed)
    cuts: dict[str, dt.date] = {}
    for number, path in enumerate(sorted(source.rglob("*.txt"))):
        lines = path.read_text().splitlines()
        data = [f for f in (_fields(line) for line in lines) if f]
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if not data:
            destination.write_text(path.read_text())
            continue
        cut_row = int(len(data) * cut_fraction)
        cut_text = data[cut_row][2]
        ticker = data[0][0].strip().upper()
        cuts[ticker] = dt.datetime.strptime(cut_text, "%Y%m%d").date()
        last_close = 50.0
        out = []
        for line in lines:
            fields = _fields(line)
            if fields is None or fields[2] <= cut_text:
                out.append(line)
                if fields is not None:
                    with contextlib.suppress(ValueError):
                        last_close = float(fields[7])
                continue
            close = round(last_close * float(np.exp(rng.normal(0.0, 0.03))), 4)
            open_ = round(last_close * float(np.exp(rng.normal(0.0, 0.01))), 4)
            high = round(max(open_, close) * (1 + rng.uniform(0.0, 0.02)), 4)
            low = round(min(open_, close) * (1 - rng.uniform(0.0, 0.02)), 4)
            volume = int(rng.integers(1_000, 5_000_000))
            fields[4:9] = [f"{open_:.4f}", f"{high:.4f}", f"{low:.4f}", f"{close:.4f}", str(volume)]
            out.append(",".join(fields))
            last_close = close
        if number % 4 == 0 and len(data) - cut_row > 30:
            out = out[:-15]
        destination.write_text("\n".join(out) + "\n")
    return cuts
