"""Command line of the checkpoint: ``python -m market_warehouse.qa [options]``.

Prints one line per suite (``PASS|FAIL <suite> (<n> expectations)``, ``SKIP <suite> (...)``
for a model that is not built), each failing expectation with its unexpected count under a
failing suite, then a summary line. Exit code 0 when every gate passes, 1 when one fails,
2 when the warehouse or the suites cannot be found.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from market_warehouse.qa.runner import parse_parameter, run_checkpoint

DEFAULT_DB = Path("warehouse/market.duckdb")
DEFAULT_GX_DIR = Path("gx")


def build_parser(prog: str = "python -m market_warehouse.qa") -> argparse.ArgumentParser:
    """The checkpoint's options (also used by ``market-warehouse qa``)."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the checkpoint's options to ``parser`` (for a sub-command of another CLI)."""
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="DuckDB warehouse file")
    parser.add_argument(
        "--gx-dir", type=Path, default=DEFAULT_GX_DIR, help="GX context folder with the suites"
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=None,
        help="where validation results and Data Docs go (default <gx-dir>/uncommitted)",
    )
    parser.add_argument(
        "--suite",
        action="append",
        dest="suites",
        metavar="NAME",
        help="run only this suite (repeatable)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a named suite parameter, e.g. max_rejected_line_share=0.02",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not build the Data Docs site")


def run(args: argparse.Namespace) -> int:
    """Run the checkpoint for parsed ``args``; returns the exit code."""
    try:
        parameters = dict(parse_parameter(text) for text in args.param)
        outcome = run_checkpoint(
            args.db,
            args.gx_dir,
            args.results_dir,
            suites=args.suites,
            parameters=parameters,
            build_docs=not args.no_docs,
            echo=lambda line: print(line, flush=True),
        )
    except (FileNotFoundError, ValueError) as error:
        print(f"checkpoint: {error}", file=sys.stderr)
        return 2
    print(outcome.summary_line())
    print(f"results: {outcome.results_dir / 'checkpoint_result.json'}")
    if outcome.docs_index is not None:
        print(f"data docs: {outcome.docs_index}")
    return 0 if outcome.success else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse ``argv`` (default ``sys.argv[1:]``), run, return the exit code."""
    return run(build_parser().parse_args(argv))
