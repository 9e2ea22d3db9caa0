"""Shared pytest helpers: drive dbt on fixture data in a throw-away DuckDB file.

Each call runs dbt in a subprocess (DuckDB keeps one database instance per process, so a
separate process is the only way to be sure the warehouse file is closed before a test
reads it). Use ``run_dbt`` and ``query`` from any test module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")
FIXTURES = PROJECT_DIR / "tests" / "fixtures"


def run_dbt(
    args: list[str],
    *,
    db_path: Path,
    raw_root: Path | None = None,
    dbt_vars: dict | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` against ``db_path`` (target ``test``) and return the finished process.

    ``raw_root`` and ``dbt_vars`` become ``--vars``. With ``check`` a non-zero exit fails the
    test and shows dbt's output.
    """
    merged_vars = dict(dbt_vars or {})
    if raw_root is not None:
        merged_vars["raw_root"] = str(raw_root)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "MW_TARGET": "test",
        "MW_DUCKDB_PATH": str(db_path),
    }
    command = [str(DBT), *args, "--target", "test"]
    if merged_vars:
        command += ["--vars", json.dumps(merged_vars)]
    command += [
        "--target-path",
        str(db_path.parent / "dbt_target"),
        "--log-path",
        str(db_path.parent / "dbt_logs"),
    ]
    done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if check and done.returncode != 0:
        pytest.fail(f"dbt {' '.join(args)} failed:\n{done.stdout[-8000:]}\n{done.stderr[-4000:]}")
    return done


def query(db_path: Path, sql: str) -> pd.DataFrame:
    """Run ``sql`` on the warehouse file read-only and return a DataFrame."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(sql).df()
