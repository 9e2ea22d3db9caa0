"""`market-warehouse` command line: data preparation and the project's checks.

Sub-commands are small wrappers; each one's logic lives in its own module.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from market_warehouse import conventions, sample_data, synthetic
from market_warehouse.qa import cli as qa_cli

DEFAULT_RAW_ROOT = Path("data/raw")


def prepare(raw_root: Path, tickers: int, years: int, seed: int, defects: bool) -> None:
    """Fill ``raw_root`` with the embedded real sample and a small synthetic universe.

    Idempotent: a file is written only when its bytes differ, so a second run changes no
    modification time and the next bronze run sees every file UNCHANGED.
    """
    copied = sample_data.copy_sample(raw_root / "sample")
    print(f"sample: {len(copied)} files in {raw_root / 'sample'}")
    if tickers > 0:
        summary = synthetic.generate_universe(
            raw_root / "synthetic", n_tickers=tickers, years=years, seed=seed, defects=defects
        )
        print(
            f"synthetic: {summary.files} files ({summary.files_written} written), "
            f"{summary.rows} rows, {len(summary.defects)} planted defects"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="market-warehouse", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    prep = commands.add_parser("prepare", help="write the sample and synthetic raw files")
    prep.add_argument("--raw-root", type=Path, default=DEFAULT_RAW_ROOT)
    prep.add_argument("--tickers", type=int, default=40, help="synthetic tickers (0 = none)")
    prep.add_argument("--years", type=int, default=12, help="synthetic years of history")
    prep.add_argument("--seed", type=int, default=42)
    prep.add_argument(
        "--no-defects", action="store_true", help="do not plant defects in the synthetic files"
    )

    qa = commands.add_parser("qa", help="run the Great Expectations checkpoint (a gate)")
    qa_cli.add_arguments(qa)

    commands.add_parser(
        "conventions", help="check the dbt manifest against the project conventions", add_help=False
    )

    args, rest = parser.parse_known_args(argv)
    if args.command != "conventions" and rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "prepare":
        prepare(args.raw_root, args.tickers, args.years, args.seed, not args.no_defects)
        return 0
    if args.command == "qa":
        return qa_cli.run(args)
    return conventions.main(rest)


if __name__ == "__main__":
    sys.exit(main())
