"""Fixtures for the data-gate tests: one sample warehouse per session, copies with defects.

The sample warehouse (embedded real sample + 40 synthetic tickers) is built once with dbt
(bronze, silver and gold when they exist) and each test that writes works on a copy of the
DuckDB file, so the gates see exactly what `make build` produces.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from market_warehouse.cli import prepare
from tests.conftest import PROJECT_DIR, run_dbt

GX_DIR = PROJECT_DIR / "gx"
BUILT_LAYERS = ("bronze", "silver", "gold")


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only-by-convention sample warehouse: copy it before writing into it."""
    root = tmp_path_factory.mktemp("qa_sample")
    raw_root = root / "raw"
    prepare(raw_root, tickers=40, years=12, seed=42, defects=True)
    db_path = root / "warehouse" / "market.duckdb"
    db_path.parent.mkdir()
    run_dbt(["seed"], db_path=db_path, raw_root=raw_root)
    selectors = [f"tag:{layer}" for layer in BUILT_LAYERS]
    run_dbt(["run", "--select", *selectors], db_path=db_path, raw_root=raw_root)
    return db_path


def copy_warehouse(source: Path, target_dir: Path, name: str = "market.duckdb") -> Path:
    """A writable copy of a warehouse file."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    shutil.copyfile(source, target)
    return target


def relations(db_path: Path) -> set[str]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.sql(
            "select lower(table_name) from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    return {row[0] for row in rows}


def table_with_column(db_path: Path, column: str, prefix: str = "") -> str | None:
    """The first base table (by name) with ``column`` whose name starts with ``prefix``."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.sql(
            f"""
            select columns.table_name
            from information_schema.columns
            inner join information_schema.tables using (table_schema, table_name)
            where columns.table_schema = 'main'
                and columns.column_name = '{column}'
                and tables.table_type = 'BASE TABLE'
                and columns.table_name like '{prefix}%'
            order by columns.table_name
            """
        ).fetchall()
    return rows[0][0] if rows else None
