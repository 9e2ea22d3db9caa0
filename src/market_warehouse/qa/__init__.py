"""Data gates: Great Expectations suites in ``gx/expectations`` run by a checkpoint runner.

``python -m market_warehouse.qa`` (or ``market_warehouse.qa.main(argv)``) validates the DuckDB
warehouse and exits non-zero when a gate fails. See docs/qa.md.
"""

from market_warehouse.qa.cli import main
from market_warehouse.qa.runner import CheckpointOutcome, SuiteOutcome, run_checkpoint
from market_warehouse.qa.suites import SuiteSpec, discover_suites

__all__ = [
    "CheckpointOutcome",
    "SuiteOutcome",
    "SuiteSpec",
    "discover_suites",
    "main",
    "run_checkpoint",
]
