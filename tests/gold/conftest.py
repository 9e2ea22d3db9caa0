"""One dbt build of raw → gold on the sample + synthetic universe + gap tickers, shared by the
gold test modules (the build is the slow part; every module only reads it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_dbt
from tests.gold.gold_fixture_data import write_universe

GOLD_SELECT = ["--select", "bronze +gold"]


@dataclass(frozen=True)
class Warehouse:
    raw_root: Path
    db_path: Path

    @property
    def target_path(self) -> Path:
        return self.db_path.parent / "dbt_target"

    def manifest(self) -> dict:
        return json.loads((self.target_path / "manifest.json").read_text())


@pytest.fixture(scope="session")
def gold_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """`dbt build` (models, data tests, unit tests) of everything gold_ml_dataset needs."""
    root = tmp_path_factory.mktemp("gold_warehouse")
    raw_root = root / "raw"
    write_universe(raw_root)
    db_path = root / "build" / "warehouse.duckdb"
    db_path.parent.mkdir()
    run_dbt(["build", *GOLD_SELECT], db_path=db_path, raw_root=raw_root)
    return Warehouse(raw_root=raw_root, db_path=db_path)
