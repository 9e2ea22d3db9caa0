"""Run records for the ``research_runs`` table."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

RUN_COLUMNS = [
    "run_id",
    "model_name",
    "params_json",
    "params_hash",
    "n_rows_input",
    "n_rows_fit",
    "n_rows_predict",
    "row_counts_json",
]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.ndarray, tuple, set, frozenset, range)):
        seq = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        return [_jsonable(v) for v in seq]
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(params: Mapping[str, Any]) -> str:
    """Canonical JSON: sorted keys, no whitespace, ASCII, dates as ISO strings, numpy scalars
    as Python numbers, tuples/ranges as lists. NaN and infinity are rejected."""
    return json.dumps(
        params,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
        default=_jsonable,
    )


def params_hash(params: Mapping[str, Any]) -> str:
    """sha256 (hex, 64 chars) of :func:`canonical_json` encoded as UTF-8."""
    return hashlib.sha256(canonical_json(params).encode("utf-8")).hexdigest()


def research_run_row(
    model_name: str,
    params: Mapping[str, Any],
    row_counts: Mapping[str, int],
) -> pd.DataFrame:
    """One-row frame for ``research_runs``.

    ``run_id`` = ``<model_name>-<first 12 hex of params_hash>`` (deterministic: the same
    parameters give the same id). ``n_rows_input``, ``n_rows_fit`` and ``n_rows_predict`` are
    taken from ``row_counts`` (NULL if absent); every count is also in ``row_counts_json``.
    Columns: :data:`RUN_COLUMNS`.
    """
    digest = params_hash(params)
    counts = {k: int(v) for k, v in row_counts.items()}
    row = {
        "run_id": f"{model_name}-{digest[:12]}",
        "model_name": model_name,
        "params_json": canonical_json(params),
        "params_hash": digest,
        "n_rows_input": counts.get("n_rows_input"),
        "n_rows_fit": counts.get("n_rows_fit"),
        "n_rows_predict": counts.get("n_rows_predict"),
        "row_counts_json": canonical_json(counts),
    }
    frame = pd.DataFrame([row], columns=RUN_COLUMNS)
    for col in ("n_rows_input", "n_rows_fit", "n_rows_predict"):
        frame[col] = frame[col].astype("Int64")
    return frame
