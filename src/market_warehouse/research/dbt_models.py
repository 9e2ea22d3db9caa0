"""The functions behind the thin dbt Python models in ``python_models/research/``.

Each dbt model reads its inputs (projected in SQL), calls one function here with the
``research`` config dict (the ``research_*`` dbt vars rendered through
``python_models/research/_research__models.yml``) and returns what it gets back: a
``pyarrow.Table`` whose date columns are ``date32`` so that DuckDB stores DATE, not TIMESTAMP.

Read and scale once
-------------------
``research_dataset`` materialises the ``gold_ml_dataset`` columns the research models use
(:func:`dataset_columns`) once, inside DuckDB, so that no research model recomputes the view's
joins. ``research_zscores`` applies the split, the null policy and the scaler (fitted on the
train rows) once and stores the standardised features ``z_<feature>`` of every kept row with
``is_train``, ``is_test`` and ``has_dropped_row_before``; every fit reads that matrix.
:func:`read_rows` reads the rows a model needs (filtered and ordered by (ticker, trade_date) in
SQL) into one numpy matrix plus Arrow id columns; :func:`read_frame` gives the diagnostics a
pandas frame of their few columns, tickers as int codes.

Fit once, read many
-------------------
* ``research_cluster_assignments`` fits the clustering model and stores one row per kept row;
  ``research_cluster_profiles`` only reads it. ``research_cluster_sweep`` and
  ``research_cluster_stability`` refit by design (other k, other seeds); the stability takes
  the labels of seed ``research_seed`` from the assignments (the same fit).
* ``research_hmm_model`` fits the HMM once and stores its parameters (float64, exact);
  ``research_hmm_states`` replays them with the causal forward filter and every other HMM
  table reads the states. ``research_hmm_stability`` refits per seed by design.

The steps and their rules are those of ``pipeline.run_clustering`` and ``pipeline.run_hmm``,
split at the scaled matrix (``pipeline.scaled_features``).

Run identity
------------
Every research table carries ``run_id`` = ``<model name>-<first 12 hex of params_hash>``, where
``params_hash`` is the sha256 of the canonical JSON of the parameters that model depends on
(:func:`model_params`). ``research_runs`` recomputes them from the same config and checks them
against the tables, so a table built with other vars is reported, not silently mixed.
"""

# scikit-learn convention: X is the feature matrix.
# ruff: noqa: N806

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from market_warehouse.research.clustering import (
    ClusterModel,
    cluster_assignments,
    cluster_stability,
    cluster_sweep,
)
from market_warehouse.research.hmm import (
    HMM_PROFILE_FEATURES,
    FitSelection,
    RegimeHMM,
    Sequences,
    build_sequences,
    decode_columns,
    dwell_stats,
    hmm_stability,
    initial_distribution,
    state_crosstab,
    state_frequency,
    transition_counts,
)
from market_warehouse.research.pipeline import limit_threads
from market_warehouse.research.preprocessing import (
    DEFAULT_FEATURES,
    FORWARD_COLUMNS,
    LOOKAHEAD_PREFIXES,
    NULL_FILL_VALUES,
    FeatureScaler,
    check_no_lookahead,
)
from market_warehouse.research.profiles import PROFILE_FEATURES, profile_frame
from market_warehouse.research.runs import params_hash, research_run_row

#: Flags stored next to the z-scores (``research_zscores``).
ZSCORE_FLAGS: tuple[str, ...] = (
    "flow_state_code",
    "is_train",
    "is_test",
    "has_dropped_row_before",
)
#: The outcome that orders cluster ids (never a feature).
ORDER_OUTCOME = "fwd_ret_10"

#: Row subsets every diagnostic table is computed on (``sample_side``).
SIDES: tuple[str, ...] = ("all", "train", "test")

#: Research models in build order; ``research_runs`` has one row per entry.
RESEARCH_MODELS: tuple[str, ...] = (
    "research_zscores",
    "research_cluster_assignments",
    "research_cluster_profiles",
    "research_cluster_sweep",
    "research_cluster_stability",
    "research_hmm_model",
    "research_hmm_states",
    "research_hmm_transitions",
    "research_hmm_dwell",
    "research_hmm_profiles",
    "research_hmm_crosstab",
    "research_hmm_stability",
)


# --------------------------------------------------------------------------------------------
# config


def _parsed(value: Any) -> Any:
    """A config value as dbt renders it: native (int, list, None) or a string to parse."""
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "none", "None", "null"):
            return None
        if text[:1] in "[{":
            return yaml.safe_load(text)
    return value


def _int(value: Any) -> int:
    return int(_parsed(value))


def _opt_int(value: Any) -> int | None:
    value = _parsed(value)
    return None if value is None else int(value)


def _opt_float(value: Any) -> float | None:
    value = _parsed(value)
    return None if value is None else float(value)


def _ints(value: Any) -> list[int]:
    value = _parsed(value)
    items = [value] if isinstance(value, (int, str)) else list(value or [])
    return list(dict.fromkeys(int(v) for v in items))


def _strs(value: Any) -> list[str]:
    value = _parsed(value)
    items = [value] if isinstance(value, str) else list(value or [])
    return list(dict.fromkeys(str(v) for v in items))


def _opt_date(value: Any) -> str | None:
    value = _parsed(value)
    if value is None:
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).date().isoformat()
    return pd.Timestamp(str(value)).date().isoformat()


@dataclass(frozen=True)
class ResearchSettings:
    """Parsed ``research`` config (one field per ``research_*`` var; docs/research.md)."""

    features: tuple[str, ...]
    null_policy: str
    split_mode: str
    train_end: str | None
    horizon_bars: int
    embargo_bars: int
    scaler_method: str
    scaler_scope: str
    clip: float | None
    seed: int
    max_threads: int | None
    cluster_method: str
    cluster_k: int
    cluster_fit_sample_max: int | None
    sweep_methods: tuple[str, ...]
    sweep_k: tuple[int, ...]
    sweep_silhouette_sample_max: int
    stability_seeds: tuple[int, ...]
    hmm_states: int
    hmm_restarts: int
    hmm_n_iter: int
    hmm_tol: float
    hmm_min_covar: float
    hmm_max_gap_days: int
    hmm_min_sequence_length: int
    hmm_fit_sample_max: int | None
    hmm_stability_seeds: tuple[int, ...]
    hmm_stability_fit_sample_max: int | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ResearchSettings:
        """Parse the dict of ``dbt.config.get("research")``; a missing key raises KeyError."""
        c = dict(config)
        features = tuple(_strs(c["features"])) or DEFAULT_FEATURES
        return cls(
            features=features,
            null_policy=str(c["null_policy"]),
            split_mode=str(c["split_mode"]),
            train_end=_opt_date(c["train_end"]),
            horizon_bars=_int(c["horizon_bars"]),
            embargo_bars=_int(c["embargo_bars"]),
            scaler_method=str(c["scaler_method"]),
            scaler_scope=str(c["scaler_scope"]),
            clip=_opt_float(c["clip"]),
            seed=_int(c["seed"]),
            max_threads=_opt_int(c["max_threads"]),
            cluster_method=str(c["cluster_method"]),
            cluster_k=_int(c["cluster_k"]),
            cluster_fit_sample_max=_opt_int(c["cluster_fit_sample_max"]),
            sweep_methods=tuple(_strs(c["sweep_methods"])),
            sweep_k=tuple(_ints(c["sweep_k"])),
            sweep_silhouette_sample_max=_int(c["sweep_silhouette_sample_max"]),
            stability_seeds=tuple(_ints(c["stability_seeds"])),
            hmm_states=_int(c["hmm_states"]),
            hmm_restarts=_int(c["hmm_restarts"]),
            hmm_n_iter=_int(c["hmm_n_iter"]),
            hmm_tol=float(_parsed(c["hmm_tol"])),
            hmm_min_covar=float(_parsed(c["hmm_min_covar"])),
            hmm_max_gap_days=_int(c["hmm_max_gap_days"]),
            hmm_min_sequence_length=_int(c["hmm_min_sequence_length"]),
            hmm_fit_sample_max=_opt_int(c["hmm_fit_sample_max"]),
            hmm_stability_seeds=tuple(_ints(c["hmm_stability_seeds"])),
            hmm_stability_fit_sample_max=_opt_int(c["hmm_stability_fit_sample_max"]),
        )

    def common(self) -> dict[str, Any]:
        """Keyword arguments of :func:`scaled_features` (features, nulls, split, scaler)."""
        return dict(
            features=list(self.features),
            null_policy=self.null_policy,
            split_mode=self.split_mode,
            train_end=self.train_end,
            horizon_bars=self.horizon_bars,
            embargo_bars=self.embargo_bars,
            scaler_method=self.scaler_method,
            scaler_scope=self.scaler_scope,
            clip=self.clip,
        )

    def cluster(self) -> dict[str, Any]:
        """Parameters of the clustering fit (those of :func:`run_clustering`)."""
        return dict(
            self.common(),
            method=self.cluster_method,
            n_clusters=self.cluster_k,
            random_state=self.seed,
            fit_sample_max=self.cluster_fit_sample_max,
        )

    def sweep(self) -> dict[str, Any]:
        return dict(
            self.common(),
            methods=list(self.sweep_methods),
            k_values=sorted({max(2, k) for k in self.sweep_k}),
            random_state=self.seed,
            fit_sample_max=self.cluster_fit_sample_max,
            silhouette_sample_max=self.sweep_silhouette_sample_max,
        )

    def cluster_stability(self) -> dict[str, Any]:
        return dict(
            self.common(),
            method=self.cluster_method,
            n_clusters=self.cluster_k,
            seeds=list(self.stability_seeds),
            fit_sample_max=self.cluster_fit_sample_max,
        )

    def hmm(self) -> dict[str, Any]:
        """Parameters of the HMM fit (those of :func:`run_hmm`)."""
        return dict(
            self.common(),
            n_states=self.hmm_states,
            random_state=self.seed,
            n_iter=self.hmm_n_iter,
            tol=self.hmm_tol,
            min_covar=self.hmm_min_covar,
            n_restarts=self.hmm_restarts,
            max_gap_days=self.hmm_max_gap_days,
            min_sequence_length=self.hmm_min_sequence_length,
            fit_sample_max=self.hmm_fit_sample_max,
        )

    def hmm_stability(self) -> dict[str, Any]:
        params = self.hmm()
        params.pop("random_state")
        return dict(
            params,
            n_restarts=1,
            seeds=list(self.hmm_stability_seeds),
            fit_sample_max=self.hmm_stability_fit_sample_max,
        )


def settings(config: Mapping[str, Any] | ResearchSettings) -> ResearchSettings:
    if isinstance(config, ResearchSettings):
        return config
    if config is None:
        raise ValueError("the model has no `research` config (see _research__models.yml)")
    return ResearchSettings.from_config(config)


def model_params(model_name: str, config: Mapping[str, Any] | ResearchSettings) -> dict[str, Any]:
    """The parameters ``model_name``'s output depends on (hashed into its ``run_id``).

    Tables computed from another research table share its parameters. ``max_threads`` is
    left out: results do not depend on it.
    """
    s = settings(config)
    if model_name == "research_zscores":
        return s.common()
    if model_name in ("research_cluster_assignments", "research_cluster_profiles"):
        return s.cluster()
    if model_name == "research_cluster_sweep":
        return s.sweep()
    if model_name == "research_cluster_stability":
        return s.cluster_stability()
    if model_name == "research_hmm_stability":
        return s.hmm_stability()
    if model_name in RESEARCH_MODELS and model_name.startswith("research_hmm_"):
        return s.hmm()
    raise ValueError(f"unknown research model {model_name!r}")


def run_id(model_name: str, config: Mapping[str, Any] | ResearchSettings) -> str:
    return f"{model_name}-{params_hash(model_params(model_name, config))[:12]}"


def dataset_columns(config: Mapping[str, Any] | ResearchSettings) -> str:
    """Projection of ``gold_ml_dataset`` into ``research_dataset``: ids, ``flow_state_code``,
    the features, the profile features and the ``fwd_*`` outcomes."""
    s = settings(config)
    profiled = [f for f in (*PROFILE_FEATURES, *HMM_PROFILE_FEATURES) if not f.startswith("hmm_")]
    cols = ["ticker", "trade_date", "flow_state_code", *s.features, *profiled, *FORWARD_COLUMNS]
    return ", ".join(dict.fromkeys(cols))


def to_frame(relation: Any) -> pd.DataFrame:
    """A DuckDB relation as pandas, ordered by (ticker, trade_date), through Arrow (dates
    become ``datetime64``; several times faster than ``.df()`` on millions of rows). Arrow
    buffers are released column by column as pandas takes them over (one copy in memory)."""
    table = relation.order("ticker, trade_date").to_arrow_table()
    return table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)


#: Rows per Arrow batch when a table is read into a numpy matrix (:func:`read_rows`).
READ_BATCH_ROWS = 1_048_576
#: Rows per piece when Arrow columns are copied into a C-ordered matrix: a column is written
#: with a stride of one matrix row, so copying a piece that fits in the CPU cache at a time is
#: several times faster than writing whole columns (the copied values are the same).
COPY_BLOCK_ROWS = 16_384


def _copy_columns(X: np.ndarray, start: int, arrays: Sequence[pa.Array]) -> None:
    """Copy the float64 Arrow arrays (same length, no nulls) into columns 0.. of
    ``X[start:]``, a cache-sized block of rows at a time."""
    if not arrays:
        return
    values = [a.to_numpy(zero_copy_only=False) for a in arrays]
    n = len(values[0])
    for lo in range(0, n, COPY_BLOCK_ROWS):
        hi = min(lo + COPY_BLOCK_ROWS, n)
        block = X[start + lo : start + hi]
        for j, v in enumerate(values):
            block[:, j] = v[lo:hi]


def read_rows(
    relation: Any,
    matrix_columns: Sequence[str],
    columns: Sequence[str] = (),
    where: str | None = None,
    batch_rows: int = READ_BATCH_ROWS,
    count_first: bool = True,
) -> tuple[pa.Table, np.ndarray]:
    """Rows of ``relation`` (filtered by the SQL predicate ``where``), ordered by (ticker,
    trade_date): ``columns`` as an Arrow table (no pandas, no Python strings) and
    ``matrix_columns`` as one C-ordered float64 matrix (n_rows, len(matrix_columns)), filled
    batch by batch from Arrow (the matrix is the only copy).

    ``count_first=False`` holds the Arrow batches until the matrix can be allocated instead of
    counting the rows with a query first: for a relation that is expensive to evaluate (a
    window query), at the cost of the Arrow copy of the matrix columns in memory meanwhile."""
    where_sql = f"where {where}" if where else ""
    names = list(dict.fromkeys([*columns, *matrix_columns]))
    quoted = ", ".join(f'"{c}"' for c in names)
    sql = f"select {quoted} from rows {where_sql} order by ticker, trade_date"
    if count_first:
        n = int(relation.query("rows", f"select count(*) from rows {where_sql}").fetchall()[0][0])
        reader = relation.query("rows", sql).to_arrow_reader(batch_rows)
        source: Any = reader
    else:
        reader = relation.query("rows", sql).to_arrow_reader(batch_rows)
        source = list(reader)
        n = sum(b.num_rows for b in source)
    X = np.empty((n, len(matrix_columns)))
    batches, start = [], 0
    for batch in source:
        _copy_columns(X, start, [batch.column(name) for name in matrix_columns])
        batches.append(batch.select(list(columns)))
        start += batch.num_rows
    if start != n:
        raise RuntimeError(f"read {start} rows, expected {n}")
    schema = pa.schema([reader.schema.field(c) for c in columns])
    return pa.Table.from_batches(batches, schema=schema), X


def ticker_batches(
    relation: Any,
    matrix_columns: Sequence[str],
    columns: Sequence[str],
    batch_rows: int = READ_BATCH_ROWS,
) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """:func:`read_rows` of every row in pieces of whole tickers (at least ``batch_rows`` rows
    each but the last, in (ticker, trade_date) order): per-ticker computations such as the HMM
    forward filter see complete series while only one piece is in memory. ``columns`` must
    include ``ticker``."""
    names = list(dict.fromkeys([*columns, *matrix_columns]))
    quoted = ", ".join(f'"{c}"' for c in names)
    sql = f"select {quoted} from rows order by ticker, trade_date"
    reader = relation.query("rows", sql).to_arrow_reader(min(batch_rows, READ_BATCH_ROWS))
    schema = reader.schema
    pending: list[pa.RecordBatch] = []
    n_pending = 0

    def piece(batches: list[pa.RecordBatch]) -> tuple[pa.Table, np.ndarray]:
        table = pa.Table.from_batches(batches, schema=schema)
        X = np.empty((table.num_rows, len(matrix_columns)))
        start = 0
        for batch in batches:
            _copy_columns(X, start, [batch.column(name) for name in matrix_columns])
            start += batch.num_rows
        return table.select(list(columns)), X

    for batch in reader:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        n_pending += batch.num_rows
        if n_pending < batch_rows:
            continue
        # The rows of the batch's last ticker may continue in the next batch: hold them back.
        # Rows are sorted by ticker, so the other rows of the batch come first and every
        # ticker before the last one is complete.
        tickers = batch.column("ticker")
        last = tickers[len(tickers) - 1]
        cut = int(pc.sum(pc.not_equal(tickers, last)).as_py() or 0)
        if cut == 0:  # the whole batch is one ticker: cut before it if it begins here
            before = pending[-2] if len(pending) > 1 else None
            if before is None or before.column("ticker")[before.num_rows - 1] == last:
                continue
        yield piece([*pending[:-1], batch.slice(0, cut)])
        pending = [batch.slice(cut)]
        n_pending = pending[0].num_rows
    if n_pending:
        yield piece(pending)


def read_frame(relation: Any, columns: Sequence[str], where: str | None = None) -> pd.DataFrame:
    """``columns`` of ``relation`` ordered by (ticker, trade_date) as pandas, with ``ticker``
    (if asked for) as int codes in ticker order: the diagnostics only count tickers and
    compare neighbours, and 10M Python strings are the slowest part of a read."""
    table, _ = read_rows(relation, [], columns, where)
    if "ticker" in table.column_names:
        i = table.column_names.index("ticker")
        table = table.set_column(i, "ticker", pa.array(ticker_codes(table.column(i))))
    return table.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)


def ticker_codes(tickers: pa.ChunkedArray) -> np.ndarray:
    """int64 codes (n_rows,) of a ticker column sorted by ticker: equal tickers, equal codes;
    codes ascend with the ticker."""
    if len(tickers) == 0:
        return np.zeros(0, dtype=np.int64)
    return tickers.combine_chunks().dictionary_encode().indices.to_numpy().astype(np.int64)


def z_column(feature: str) -> str:
    """Column of ``research_zscores`` holding the standardised ``feature``."""
    return f"z_{feature}"


def zscores_input_columns(config: Mapping[str, Any] | ResearchSettings) -> str:
    """Projection of ``research_dataset`` for ``research_zscores``: ids, ``flow_state_code``,
    ``fwd_ret_10`` (orders cluster ids; stored so that the fits need no join) and the
    features."""
    s = settings(config)
    cols = ["ticker", "trade_date", "flow_state_code", ORDER_OUTCOME, *s.features]
    return ", ".join(dict.fromkeys(cols))


def _profile_value_columns(kind: str) -> list[str]:
    feats = PROFILE_FEATURES if kind == "cluster" else HMM_PROFILE_FEATURES
    values = [f for f in feats if f != "hmm_state_run_length"]
    return list(dict.fromkeys([*values, *FORWARD_COLUMNS]))


def profile_columns(kind: str) -> str:
    """Projection of ``research_dataset`` joined to assignments/states for profiles."""
    return ", ".join(["ticker", "trade_date", *_profile_value_columns(kind)])


# --------------------------------------------------------------------------------------------
# frames


def to_arrow(
    frame: pd.DataFrame | pa.Table,
    run_id_value: str | None = None,
    columns: Mapping[str, np.ndarray] | None = None,
    ids: pa.Table | None = None,
) -> pa.Table:
    """Frame (or Arrow table) -> Arrow with ``*_date`` columns as date32 (DuckDB DATE) and
    no index.

    ``ids``: Arrow columns (same rows) put first, as they are. ``columns``: extra numpy
    columns appended as they are (zero-copy when contiguous). ``run_id_value``: a constant
    ``run_id`` column, dictionary-encoded (one string in memory; DuckDB stores VARCHAR).
    """
    if isinstance(frame, pa.Table):
        table = frame
    else:
        table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    if ids is not None:
        for i, name in enumerate(ids.column_names):
            table = table.add_column(i, name, ids.column(i))
    for i, name in enumerate(table.column_names):
        if name.endswith("_date") or name in ("date_min", "date_max"):
            column = table.column(i)
            if not pa.types.is_date32(column.type):
                table = table.set_column(i, name, pc.cast(column, pa.date32()))
    for name, values in (columns or {}).items():
        table = table.append_column(name, pa.array(values))
    if run_id_value is not None:
        indices = pa.array(np.zeros(table.num_rows, dtype=np.int8))
        run_ids = pa.DictionaryArray.from_arrays(indices, pa.array([run_id_value]))
        table = table.append_column("run_id", run_ids)
    return table


def _drop_lookahead(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c.startswith(LOOKAHEAD_PREFIXES)])


def _side_mask(frame: pd.DataFrame, side: str) -> np.ndarray:
    if side == "all":
        return np.ones(len(frame), dtype=bool)
    return frame[f"is_{side}"].to_numpy(dtype=bool)


def _by_side(frame: pd.DataFrame, fn: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    """``fn`` on the rows of each side of ``frame`` (sorted by ticker, trade_date), stacked
    with a leading ``sample_side`` column; a side without rows is left out."""
    parts = []
    for side in SIDES:
        sub = frame.loc[_side_mask(frame, side)].reset_index(drop=True)
        if len(sub) == 0:
            continue
        part = fn(sub)
        part.insert(0, "sample_side", side)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _with_run_id(
    frame: pd.DataFrame | pa.Table,
    name: str,
    config: Any,
    columns: Mapping[str, np.ndarray] | None = None,
    ids: pa.Table | None = None,
) -> pa.Table:
    return to_arrow(frame, run_id(name, config), columns, ids)


# z-scores -----------------------------------------------------------------------------------


def _sql_double(value: float) -> str:
    """A float64 as a DuckDB literal with the same bits (shortest round-trip repr, parsed as
    DOUBLE, not DECIMAL)."""
    return f"'{float(value)!r}'::double"


def _sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def prepared_rows_sql(config: Mapping[str, Any] | ResearchSettings) -> str:
    """SQL over a view ``rows`` (the :func:`zscores_input_columns` of ``research_dataset``)
    giving the kept rows: ``ticker, trade_date, flow_state_code, is_train, is_test,
    has_dropped_row_before``, ``fwd_ret_10`` and the features as DOUBLE with the null policy
    applied (unscaled).

    The same rules as :func:`splits.time_split` (computed on every row, before the null
    policy) and :func:`preprocessing.prepare_features` (±inf and NaN count as NULL; ``fill``
    fills :data:`NULL_FILL_VALUES`; a row with a NULL left is dropped; the next row of its
    ticker gets ``has_dropped_row_before``), in one window pass of DuckDB.
    """
    s = settings(config)
    check_no_lookahead(s.features)
    if s.null_policy not in ("fill", "drop"):
        raise ValueError(f"null_policy must be 'fill' or 'drop', got {s.null_policy!r}")
    cleaned = []
    for feature in s.features:
        col = f"{_sql_ident(feature)}::double"
        expr = f"case when isfinite({col}) then {col} end"
        if s.null_policy == "fill" and feature in NULL_FILL_VALUES:
            expr = f"coalesce({expr}, {_sql_double(NULL_FILL_VALUES[feature])})"
        cleaned.append(expr)
    kept = " and ".join(f"({expr}) is not null" for expr in cleaned)
    features = ",\n        ".join(
        f"{expr} as {_sql_ident(f)}" for expr, f in zip(cleaned, s.features, strict=True)
    )
    if s.split_mode == "none":
        split = "true as is_train, true as is_test"
    elif s.split_mode == "time":
        if s.train_end is None:
            raise ValueError("split_mode='time' needs train_end")
        end = f"date '{s.train_end}'"
        # A train candidate is purged (and embargoed) when one of its next horizon (+ embargo)
        # rows lies after train_end: only in tickers with rows after it.
        split = (
            f"trade_date <= {end} and not (n_rows_ticker > n_le_end and pos >= n_le_end - "
            f"{int(s.horizon_bars)} - {int(s.embargo_bars)}) as is_train, "
            f"trade_date > {end} as is_test"
        )
    else:
        raise ValueError(f"split_mode must be 'none' or 'time', got {s.split_mode!r}")
    end_sql = f"date '{s.train_end}'" if s.train_end is not None else "null::date"
    return f"""
with

-- the window runs over a narrow projection (the flags); the features join back by key
flags as (

    select
        ticker,
        trade_date,
        {kept} as is_kept,
        coalesce(not lag({kept}) over by_ticker, false) as has_dropped_row_before,
        row_number() over by_ticker - 1 as pos
    from rows
    window by_ticker as (partition by ticker order by trade_date)

),

-- per-ticker counts by aggregation (a framed window count is many times slower here)
ticker_counts as (

    select
        ticker,
        count(*) as n_rows_ticker,
        count(*) filter (where trade_date <= {end_sql}) as n_le_end
    from rows
    group by ticker

),

final as (

    select
        ticker,
        trade_date,
        rows.flow_state_code,
        {split},
        flags.has_dropped_row_before,
        rows.{ORDER_OUTCOME},
        {features}
    from rows
    inner join flags using (ticker, trade_date)
    inner join ticker_counts using (ticker)
    where flags.is_kept

)

select * from final
"""


def fit_scaler(X: np.ndarray, tickers: np.ndarray | None, s: ResearchSettings) -> FeatureScaler:
    """The :class:`FeatureScaler` of the settings fitted on the train rows ``X`` (n_train,
    n_features; sorted by (ticker, trade_date), as in :func:`pipeline.scaled_features`, so
    the fitted numbers have the same bits); ``tickers`` (n_train,) for the per-ticker scope."""
    if len(X) == 0:
        raise ValueError("no train row survives the null policy")
    feats = list(s.features)
    scaler = FeatureScaler(feats, s.scaler_method, s.scaler_scope, s.clip)
    fit_rows = pd.DataFrame(X, columns=feats, copy=False)
    if s.scaler_scope == "per_ticker":
        fit_rows = fit_rows.assign(ticker=tickers)
    return scaler.fit(fit_rows)


def scaled_rows_sql(scaler: FeatureScaler, s: ResearchSettings, run_id_value: str) -> str:
    """SQL over a view ``rows`` (:func:`prepared_rows_sql`) giving ``research_zscores``:
    ``z = clip((x - centre) / spread)``, the operations of
    :meth:`FeatureScaler.transform_inplace` on the same float64 values (so the same bits);
    per-ticker parameters come from a VALUES list, unseen tickers use the global ones."""
    feats = list(scaler.feature_names_in_)
    per_ticker = scaler.scope == "per_ticker"
    params = ""
    z_cols = []
    for j, feature in enumerate(feats):
        centre, spread = _sql_double(scaler.center_[j]), _sql_double(scaler.scale_[j])
        if per_ticker:
            centre = f"coalesce(params.c{j}, {centre})"
            spread = f"coalesce(params.s{j}, {spread})"
        z = f"(rows.{_sql_ident(feature)} - {centre}) / {spread}"
        if scaler.clip is not None:
            lo, hi = _sql_double(-scaler.clip), _sql_double(scaler.clip)
            z = f"least(greatest({z}, {lo}), {hi})"
        z_cols.append(f"{z} as {_sql_ident(z_column(feature))}")
    if per_ticker and len(scaler.ticker_center_):
        c, sp = scaler.ticker_center_, scaler.ticker_scale_
        values = ",\n".join(
            "("
            + ", ".join(
                ["'" + str(t).replace("'", "''") + "'"]
                + [_sql_double(v) for v in c.loc[t]]
                + [_sql_double(v) for v in sp.loc[t]]
            )
            + ")"
            for t in c.index
        )
        aliases = ", ".join(
            ["ticker", *(f"c{j}" for j in range(len(feats))), *(f"s{j}" for j in range(len(feats)))]
        )
        params = f"left join (values {values}) as params ({aliases}) on rows.ticker = params.ticker"
    elif per_ticker:  # no fitted ticker: every row uses the global parameters
        z_cols = [c.replace("params.", "null_params.") for c in z_cols]
        params = (
            "cross join (select null::double as "
            + ", null::double as ".join(
                [*(f"c{j}" for j in range(len(feats))), *(f"s{j}" for j in range(len(feats)))]
            )
            + ") as null_params"
        )
    ids = "rows.ticker, rows.trade_date, rows.flow_state_code, rows.is_train, rows.is_test"
    return (
        f"select {ids}, rows.has_dropped_row_before, rows.{ORDER_OUTCOME},\n    "
        + ",\n    ".join(z_cols)
        + f",\n    '{run_id_value}' as run_id\nfrom rows\n{params}"
    )


def zscores_table(dataset: Any, config: Mapping[str, Any]) -> Any:
    """``research_zscores`` as a DuckDB relation: split and null policy in SQL
    (:func:`prepared_rows_sql`), the scaler fitted on the train rows in numpy
    (:func:`fit_scaler`) and applied in SQL (:func:`scaled_rows_sql`); the same values as
    :func:`pipeline.scaled_features` without a pandas frame of every row.

    ``dataset``: relation of :func:`zscores_input_columns` of ``research_dataset``.
    """
    s = settings(config)
    prepared = dataset.query("rows", prepared_rows_sql(s))
    if s.split_mode == "time":  # the split's own check (every row, before the null policy)
        n_test = dataset.query(
            "rows", f"select count(*) from rows where trade_date > date '{s.train_end}'"
        ).fetchall()[0][0]
        if n_test == 0:
            raise ValueError("time split produced an empty test set")
    per_ticker = s.scaler_scope == "per_ticker"
    ids, X = read_rows(
        prepared,
        list(s.features),
        ["ticker"] if per_ticker else [],
        "is_train",
        count_first=False,  # a count would evaluate the window query once more
    )
    tickers = ids.column("ticker").to_numpy() if per_ticker else None
    with limit_threads(s.max_threads):
        scaler = fit_scaler(X, tickers, s)
    del X, ids
    return prepared.query("rows", scaled_rows_sql(scaler, s, run_id("research_zscores", s)))


def _z_columns(s: ResearchSettings) -> list[str]:
    return [z_column(f) for f in s.features]


def _fit_rows(rows: Any, s: ResearchSettings) -> tuple[np.ndarray, np.ndarray]:
    """(X of the train rows (n_train, f), their ``fwd_ret_10`` (n_train,)) of a
    ``research_zscores`` relation (which carries ``fwd_ret_10``)."""
    table, X = read_rows(rows, _z_columns(s), [ORDER_OUTCOME], "is_train")
    return X, table.column(ORDER_OUTCOME).to_numpy().astype(np.float64)


def _test_rows(rows: Any, s: ResearchSettings) -> np.ndarray:
    return read_rows(rows, _z_columns(s), where="is_test")[1]


# clustering ---------------------------------------------------------------------------------


def _cluster_model(s: ResearchSettings, method: str, k: int, seed: int) -> ClusterModel:
    return ClusterModel(
        method=method, n_clusters=k, random_state=seed, fit_sample_max=s.cluster_fit_sample_max
    )


#: Columns of ``research_cluster_assignments`` carried from ``research_zscores``.
ASSIGNMENT_IDS: tuple[str, ...] = ("ticker", "trade_date", "flow_state_code", "is_train", "is_test")


def cluster_assignments_table(rows: Any, config: Mapping[str, Any]) -> pa.Table:
    """``research_cluster_assignments``: the clustering fitted on the train rows (cluster ids
    ordered by mean ``fwd_ret_10`` of the train rows) and every row's canonical cluster.

    ``rows``: relation of ``research_zscores`` (z-scores and ``fwd_ret_10``). Train rows,
    then the other rows, are read and assigned in turn (the row order of a table carries no
    meaning).
    """
    s = settings(config)
    ids, X = read_rows(rows, _z_columns(s), [*ASSIGNMENT_IDS, ORDER_OUTCOME], "is_train")
    y = ids.column(ORDER_OUTCOME).to_numpy().astype(np.float64)
    parts = []
    with limit_threads(s.max_threads):
        model = _cluster_model(s, s.cluster_method, s.cluster_k, s.seed).fit(X, y)
        for where in (None, "not is_train"):
            if where is not None:  # the train rows were read for the fit
                ids, X = read_rows(rows, _z_columns(s), ASSIGNMENT_IDS, where)
            if ids.num_rows:
                labels = cluster_assignments(model, X, pd.DataFrame(index=range(len(X))))
                ids = ids.select(list(ASSIGNMENT_IDS))
                parts.append(_with_run_id(labels, "research_cluster_assignments", s, ids=ids))
            del ids, X
    return pa.concat_tables(parts)


def cluster_profiles_table(joined: Any, config: Mapping[str, Any]) -> pa.Table:
    """``research_cluster_profiles``: :func:`profile_frame` per ``sample_side`` and cluster.

    ``joined``: relation of the assignments with the profile features and ``fwd_*`` outcomes
    of the same rows (:func:`profile_columns`).
    """
    cols = ["ticker", "trade_date", "cluster_id", "is_train", "is_test"]
    frame = _by_side(
        read_frame(joined, [*cols, *_profile_value_columns("cluster")]),
        lambda sub: profile_frame(sub, "cluster_id", PROFILE_FEATURES, FORWARD_COLUMNS),
    )
    return _with_run_id(frame, "research_cluster_profiles", config)


def cluster_sweep_table(rows: Any, config: Mapping[str, Any]) -> pa.Table:
    """``research_cluster_sweep``: :func:`cluster_sweep` fitted on train rows, scored on test.

    ``rows``: relation of ``research_zscores`` (z-scores and ``fwd_ret_10``).
    """
    s = settings(config)
    X_fit, y_fit = _fit_rows(rows, s)
    X_test = _test_rows(rows, s)
    p = s.sweep()
    with limit_threads(s.max_threads):
        out = cluster_sweep(
            X_fit,
            X_test,
            methods=p["methods"],
            k_values=p["k_values"],
            random_state=p["random_state"],
            y_fit=y_fit,
            silhouette_sample_max=p["silhouette_sample_max"],
            fit_sample_max=p["fit_sample_max"],
        )
    out["converged"] = out["converged"].astype("boolean")
    out["error"] = out["error"].astype("string")
    return _with_run_id(out, "research_cluster_sweep", s)


def cluster_stability_table(
    rows: Any, config: Mapping[str, Any], assignments: Any = None
) -> pa.Table:
    """``research_cluster_stability``: pairwise ARI of test-row labels across seeds.

    ``rows``: relation of ``research_zscores`` (z-scores and ``fwd_ret_10``).
    ``assignments``: relation of ``research_cluster_assignments``; its fit has the method, k,
    fit rows and cap of every stability seed, so the test rows' ``cluster_id`` are the labels
    of seed ``research_seed``, which is then not refitted (checked through its ``run_id``).
    """
    s = settings(config)
    X_fit, y_fit = _fit_rows(rows, s)
    X_test = _test_rows(rows, s)
    known = None
    if assignments is not None and s.seed in s.stability_seeds:
        ids = sorted(r[0] for r in assignments.aggregate("run_id").distinct().fetchall())
        expected = run_id("research_cluster_assignments", s)
        if ids != [expected]:
            raise ValueError(
                f"research_cluster_assignments holds run {ids}, these vars give {expected}: "
                "rebuild it with the same vars"
            )
        stored, _ = read_rows(assignments, [], ["ticker", "trade_date", "cluster_id"], "is_test")
        if stored.num_rows != len(X_test):
            raise ValueError("research_cluster_assignments does not hold every test row")
        known = {s.seed: stored.column("cluster_id").to_numpy()}
    p = s.cluster_stability()
    with limit_threads(s.max_threads):
        result = cluster_stability(
            X_fit,
            X_test,
            method=p["method"],
            n_clusters=p["n_clusters"],
            seeds=p["seeds"],
            y_fit=y_fit,
            fit_sample_max=p["fit_sample_max"],
            known_labels=known,
        )
    pairs = result.pairs.assign(method=s.cluster_method, n_clusters=s.cluster_k)
    pairs["agreement"] = [
        float((result.labels[a] == result.labels[b]).mean())
        for a, b in zip(pairs["seed_a"], pairs["seed_b"], strict=True)
    ]
    pairs["n_rows"] = len(X_test)
    cols = ["method", "n_clusters", "seed_a", "seed_b", "ari", "agreement", "n_rows"]
    return _with_run_id(pairs[cols], "research_cluster_stability", s)


# HMM ----------------------------------------------------------------------------------------

HMM_MODEL_COLUMNS = [
    "hmm_state",
    "start_prob",
    "trans_probs",
    "means",
    "variances",
    "feature_names",
    "train_loglik",
    "train_loglik_per_obs",
    "predict_loglik",
    "predict_loglik_per_obs",
    "converged",
    "n_iter",
    "best_restart",
    "n_restarts_failed",
    "n_fit_rows",
    "n_fit_sequences",
]


def _hmm(s: ResearchSettings, **overrides: Any) -> RegimeHMM:
    params = dict(
        n_states=s.hmm_states,
        n_iter=s.hmm_n_iter,
        tol=s.hmm_tol,
        min_covar=s.hmm_min_covar,
        n_restarts=s.hmm_restarts,
        random_state=s.seed,
        min_sequence_length=s.hmm_min_sequence_length,
        fit_sample_max=s.hmm_fit_sample_max,
    )
    return RegimeHMM(**{**params, **overrides})


#: ``research_zscores`` columns that define the HMM sequences (:func:`hmm.build_sequences`).
SEQUENCE_IDS: tuple[str, ...] = ("ticker", "trade_date", "has_dropped_row_before")


def _sequences(ids: pa.Table, s: ResearchSettings) -> Sequences:
    """:func:`build_sequences` of rows read with :data:`SEQUENCE_IDS` (tickers as codes)."""
    frame = pd.DataFrame(
        {
            "ticker": ticker_codes(ids.column("ticker")),
            "trade_date": ids.column("trade_date").to_numpy(),
            "has_dropped_row_before": ids.column("has_dropped_row_before").to_numpy(),
        }
    )
    return build_sequences(frame, s.hmm_max_gap_days, s.hmm_min_sequence_length)


def _sequence_rows(
    zscores: Any, s: ResearchSettings, where: str | None, columns: Sequence[str] = SEQUENCE_IDS
) -> tuple[pa.Table, np.ndarray, Sequences]:
    ids, X = read_rows(zscores, _z_columns(s), columns, where)
    return ids, X, _sequences(ids, s)


def _sql_text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _selected_rows(
    zscores: Any, s: ResearchSettings, ids: pa.Table, seq: Sequences, selection: FitSelection
) -> np.ndarray:
    """The z-scores of the rows ``selection.mask`` picks among ``ids`` (the train rows read
    with :data:`SEQUENCE_IDS`, sequences ``seq``), read by (ticker, date range) of each picked
    piece: the same rows in the same order as ``X[selection.mask]`` of every train row."""
    picked = np.flatnonzero(selection.mask)
    if picked.size == 0:
        return np.empty((0, len(s.features)))
    seq_of = seq.sequence_id[picked]
    new_piece = np.r_[True, (seq_of[1:] != seq_of[:-1]) | (np.diff(picked) != 1)]
    first = picked[new_piece]
    last = picked[np.r_[new_piece[1:], True]]
    tickers = ids.column("ticker").take(pa.array(first)).to_pylist()
    dates = ids.column("trade_date").to_numpy()
    ranges = " or ".join(
        f"(ticker = {_sql_text(t)} and trade_date between date '{dates[a]}' and date '{dates[b]}')"
        for t, a, b in zip(tickers, first, last, strict=True)
    )
    _, X = read_rows(zscores, _z_columns(s), where=f"is_train and ({ranges})")
    if len(X) != picked.size:
        raise RuntimeError(f"read {len(X)} selected rows, expected {picked.size}")
    return X


def hmm_model_table(zscores: Any, config: Mapping[str, Any]) -> pa.Table:
    """``research_hmm_model``: the HMM fitted on the train sequences, one row per state
    (canonical order), with the test rows' log-likelihood.

    ``zscores``: relation of ``research_zscores``. List columns hold the
    transition row (index = next state) and the state's means and variances of the
    standardised features (index = position in ``feature_names``).
    """
    s = settings(config)
    feats = list(s.features)
    # the ids of every train row define the sequences; only the fit rows' z-scores are read
    train_ids, _ = read_rows(zscores, [], SEQUENCE_IDS, "is_train")
    train_seq = _sequences(train_ids, s)
    model = _hmm(s)
    selection = model.select_fit_rows(train_seq.lengths)
    X = _selected_rows(zscores, s, train_ids, train_seq, selection)
    with limit_threads(s.max_threads):
        m = model.fit(pd.DataFrame(X, columns=feats, copy=False), selection=selection)
        del X
        predict_loglik, n_pred = np.nan, 0
        if s.split_mode != "none":
            _, X, test_seq = _sequence_rows(zscores, s, "is_test")
            n_pred = len(X)
            if n_pred:
                predict_loglik = m.score(X, test_seq.lengths)
    k = m.n_states
    out = pd.DataFrame(
        {
            "hmm_state": np.arange(k, dtype=np.int64),
            "start_prob": m.startprob_,
            "trans_probs": [m.transmat_[i].tolist() for i in range(k)],
            "means": [m.means_[i].tolist() for i in range(k)],
            "variances": [m.covars_[i].tolist() for i in range(k)],
            "feature_names": [feats] * k,
            "train_loglik": float(m.loglik_),
            "train_loglik_per_obs": float(m.loglik_ / m.n_fit_rows_),
            "predict_loglik": float(predict_loglik),
            "predict_loglik_per_obs": float(predict_loglik / n_pred) if n_pred else np.nan,
            "converged": bool(m.converged_),
            "n_iter": int(m.n_iter_),
            "best_restart": int(m.best_restart_),
            "n_restarts_failed": len(m.restart_errors_),
            "n_fit_rows": int(m.n_fit_rows_),
            "n_fit_sequences": int(m.n_fit_sequences_),
        },
        columns=HMM_MODEL_COLUMNS,
    )
    return _with_run_id(out, "research_hmm_model", s)


def stored_hmm(model_frame: pd.DataFrame, features: Sequence[str]) -> RegimeHMM:
    """A :class:`RegimeHMM` with the parameters of a ``research_hmm_model`` frame.

    Raises ``ValueError`` when the stored feature list is not ``features``.
    """
    mf = model_frame.sort_values("hmm_state").reset_index(drop=True)
    stored = list(mf["feature_names"].iloc[0])
    if stored != list(features):
        raise ValueError(
            f"research_hmm_model was fitted on {stored}, the states need {list(features)}: "
            "rebuild research_hmm_model with the same vars"
        )
    stack = lambda col: np.vstack([np.asarray(v, dtype=np.float64) for v in mf[col]])  # noqa: E731
    return RegimeHMM(n_states=len(mf)).set_fitted_params(
        mf["start_prob"].to_numpy(dtype=np.float64),
        stack("trans_probs"),
        stack("means"),
        stack("variances"),
    )


#: Rows per piece of whole tickers decoded at once by ``research_hmm_states``: the forward
#: filter runs the sequences of a piece in lockstep (one numpy step per position for all of
#: them), so bigger pieces mean fewer Python steps; per-row results do not depend on it.
DECODE_PIECE_ROWS = 2_097_152


def hmm_states_table(
    zscores: Any, model_frame: pd.DataFrame, config: Mapping[str, Any]
) -> pa.Table:
    """``research_hmm_states``: causal decode of every kept row with the stored HMM.

    ``zscores``: relation of ``research_zscores``, decoded in pieces of whole tickers
    (:func:`ticker_batches`; sequences never cross tickers, so the pieces change nothing);
    sequences split per ticker at gaps; forward-filtered ``hmm_state``/``hmm_state_prob``; no
    ``fwd_*`` columns.
    """
    s = settings(config)
    ids = set(model_frame["run_id"])
    expected = run_id("research_hmm_model", s)
    if ids != {expected}:
        raise ValueError(
            f"research_hmm_model holds run {sorted(ids)}, these vars give {expected}: "
            "rebuild it with the same vars"
        )
    model = stored_hmm(model_frame, s.features)
    ids = ["ticker", "trade_date", "flow_state_code"]
    cols = [*ids, "has_dropped_row_before", "is_train", "is_test"]
    parts, n_sequences = [], 0
    with limit_threads(s.max_threads):
        for rows, X in ticker_batches(zscores, _z_columns(s), cols, DECODE_PIECE_ROWS):
            seq = _sequences(rows, s)
            decoded = decode_columns(model, X, seq)
            del X
            decoded["hmm_sequence_id"] = decoded["hmm_sequence_id"] + n_sequences
            n_sequences += len(seq.lengths)
            out = rows.select(ids)
            for name, values in decoded.items():
                masked = isinstance(values, np.ma.MaskedArray)
                mask = np.ma.getmaskarray(values) if masked else None
                out = out.append_column(name, pa.array(np.ma.getdata(values), mask=mask))
            for name in ("is_train", "is_test"):
                out = out.append_column(name, rows.column(name))
            parts.append(out)
    out = pa.concat_tables(parts)
    return _with_run_id(out, "research_hmm_states", s)


def _fitted_matrix(model_frame: pd.DataFrame) -> np.ndarray:
    mf = model_frame.sort_values("hmm_state")
    return np.vstack([np.asarray(v, dtype=np.float64) for v in mf["trans_probs"]])


#: ``research_hmm_states`` columns the transition and dwell tables read.
SEQUENCE_STATE_COLUMNS: tuple[str, ...] = ("hmm_sequence_id", "hmm_state", "is_train", "is_test")


def hmm_transitions_table(
    states: Any, model_frame: pd.DataFrame, config: Mapping[str, Any]
) -> pa.Table:
    """``research_hmm_transitions``: observed transition counts and shares between consecutive
    rows of one sequence, per side, next to the fitted transition probability.

    ``states``: relation of ``research_hmm_states``."""
    tm = _fitted_matrix(model_frame)
    k = tm.shape[0]

    def one(sub: pd.DataFrame) -> pd.DataFrame:
        out = transition_counts(sub, n_states=k).rename(
            columns={
                "prev_state": "prev_hmm_state",
                "state": "hmm_state",
                "transition_prob": "observed_prob",
            }
        )
        out["fitted_prob"] = tm[out["prev_hmm_state"], out["hmm_state"]]
        return out

    frame = _by_side(read_frame(states, SEQUENCE_STATE_COLUMNS), one)
    return _with_run_id(frame, "research_hmm_transitions", config)


def hmm_dwell_table(states: Any, model_frame: pd.DataFrame, config: Mapping[str, Any]) -> pa.Table:
    """``research_hmm_dwell``: per side and state, frequency, run (dwell) lengths, initial
    distribution of the sequences and the fitted start probability / expected dwell.

    ``states``: relation of ``research_hmm_states``."""
    mf = model_frame.sort_values("hmm_state")
    k = len(mf)
    tm = _fitted_matrix(model_frame)
    grid = pd.DataFrame({"hmm_state": np.arange(k, dtype=np.int64)})

    def one(sub: pd.DataFrame) -> pd.DataFrame:
        freq = state_frequency(sub).rename(columns={"state": "hmm_state"})
        dwell = dwell_stats(sub).rename(columns={"state": "hmm_state"})
        init = initial_distribution(sub).rename(
            columns={"state": "hmm_state", "share": "sequence_start_share"}
        )
        out = grid.merge(freq, how="left").merge(dwell, how="left").merge(init, how="left")
        for col in ("row_count", "run_count", "sequence_count"):
            out[col] = out[col].fillna(0).astype(np.int64)
        for col in ("share", "sequence_start_share"):
            out[col] = out[col].fillna(0.0)
        out["dwell_max"] = out["dwell_max"].astype("Int64")
        out = out.rename(columns={"share": "row_share", "sequence_count": "sequence_start_count"})
        out["fitted_start_prob"] = mf["start_prob"].to_numpy(dtype=np.float64)
        with np.errstate(divide="ignore"):
            out["fitted_expected_dwell"] = 1.0 / (1.0 - np.diag(tm))
        return out

    frame = _by_side(read_frame(states, SEQUENCE_STATE_COLUMNS), one)
    frame["fitted_expected_dwell"] = frame["fitted_expected_dwell"].replace(np.inf, np.nan)
    return _with_run_id(frame, "research_hmm_dwell", config)


def hmm_profiles_table(joined: Any, config: Mapping[str, Any]) -> pa.Table:
    """``research_hmm_profiles``: :func:`profile_frame` per ``sample_side`` and HMM state.

    ``joined``: relation of the states with the profile features and ``fwd_*`` outcomes of
    the same rows (:func:`profile_columns`).
    """
    cols = ["ticker", "trade_date", "hmm_state", "hmm_state_run_length", "is_train", "is_test"]
    frame = _by_side(
        read_frame(joined, [*cols, *_profile_value_columns("hmm")]),
        lambda sub: profile_frame(sub, "hmm_state", HMM_PROFILE_FEATURES, FORWARD_COLUMNS),
    )
    return _with_run_id(frame, "research_hmm_profiles", config)


def hmm_crosstab_table(states: Any, config: Mapping[str, Any]) -> pa.Table:
    """``research_hmm_crosstab``: rows per (side, HMM state, ``flow_state_code``).

    ``states``: relation of ``research_hmm_states``."""
    cols = ["hmm_state", "flow_state_code", "is_train", "is_test"]
    frame = _by_side(
        read_frame(states, cols),
        lambda sub: state_crosstab(sub).rename(columns={"state": "hmm_state"}),
    )
    return _with_run_id(frame, "research_hmm_crosstab", config)


def hmm_stability_table(zscores: Any, config: Mapping[str, Any]) -> pa.Table:
    """``research_hmm_stability``: refit per seed on the train sequences (one restart each),
    decode the test rows causally, align states to the first seed and compare pairwise.

    ``zscores``: relation of ``research_zscores``.
    """
    s = settings(config)
    train_ids, _ = read_rows(zscores, [], SEQUENCE_IDS, "is_train")
    fit_seq = _sequences(train_ids, s)
    _, X_test, test_seq = _sequence_rows(zscores, s, "is_test")
    p = s.hmm_stability()
    with limit_threads(s.max_threads):
        result = hmm_stability(
            None,
            fit_seq.lengths,
            X_test,
            test_seq.lengths,
            seeds=p["seeds"],
            fit_rows=lambda sel: _selected_rows(zscores, s, train_ids, fit_seq, sel),
            n_states=p["n_states"],
            n_iter=p["n_iter"],
            tol=p["tol"],
            min_covar=p["min_covar"],
            n_restarts=p["n_restarts"],
            min_sequence_length=s.hmm_min_sequence_length,
            fit_sample_max=p["fit_sample_max"],
        )
    pairs = result.pairs.assign(n_states=s.hmm_states, n_rows=len(X_test))
    cols = ["n_states", "seed_a", "seed_b", "ari", "agreement", "n_rows"]
    return _with_run_id(pairs[cols], "research_hmm_stability", s)


# runs ---------------------------------------------------------------------------------------

#: Models whose rows are input rows (with ``is_train``/``is_test``) and what they read.
_ROW_TABLES = {"research_zscores", "research_cluster_assignments", "research_hmm_states"}
_INPUTS = {
    "research_cluster_assignments": "research_zscores",
    "research_cluster_sweep": "research_zscores",
    "research_cluster_stability": "research_zscores",
    "research_hmm_model": "research_zscores",
    "research_hmm_states": "research_zscores",
    "research_hmm_stability": "research_zscores",
    "research_cluster_profiles": "research_cluster_assignments",
    "research_hmm_transitions": "research_hmm_states",
    "research_hmm_dwell": "research_hmm_states",
    "research_hmm_profiles": "research_hmm_states",
    "research_hmm_crosstab": "research_hmm_states",
}


def runs_table(tables: Mapping[str, Any], dataset: Any, config: Mapping[str, Any]) -> pa.Table:
    """``research_runs``: one row per research model (:data:`RESEARCH_MODELS`).

    ``tables``: model name -> DuckDB relation of its table; ``dataset``: relation of
    ``research_dataset``. Raises ``ValueError`` when a table's ``run_id`` is not the one these
    vars give (it was built with other vars).
    """
    s = settings(config)
    n_dataset = int(dataset.aggregate("count(*)").fetchall()[0][0])
    counts: dict[str, dict[str, int]] = {}
    for name in RESEARCH_MODELS:
        rel = tables[name]
        ids = sorted(r[0] for r in rel.aggregate("run_id").distinct().fetchall())
        expected = run_id(name, s)
        if ids != [expected]:
            raise ValueError(
                f"{name} holds run(s) {ids}, these vars give {expected}: rebuild the research "
                "models with the same vars (dbt build --select python_models/research)"
            )
        c = {"n_rows_output": int(rel.aggregate("count(*)").fetchall()[0][0])}
        if name in _ROW_TABLES:
            train, test = rel.aggregate(
                "count(*) filter (where is_train), count(*) filter (where is_test)"
            ).fetchall()[0]
            c.update(n_rows_train=int(train), n_rows_test=int(test))
        counts[name] = c

    rows = []
    for name in RESEARCH_MODELS:
        c = dict(counts[name])
        source = _INPUTS.get(name)
        c["n_rows_input"] = counts[source]["n_rows_output"] if source else n_dataset
        if name == "research_hmm_model":
            c["n_rows_fit"] = int(tables[name].aggregate("max(n_fit_rows)").fetchall()[0][0])
        elif name in _ROW_TABLES:
            c["n_rows_fit"] = c["n_rows_train"]
            c["n_rows_predict"] = c["n_rows_output"]
        rows.append(research_run_row(name, model_params(name, s), c))
    return to_arrow(pd.concat(rows, ignore_index=True))


__all__ = [
    "RESEARCH_MODELS",
    "SIDES",
    "ResearchSettings",
    "cluster_assignments_table",
    "cluster_profiles_table",
    "cluster_stability_table",
    "cluster_sweep_table",
    "dataset_columns",
    "hmm_crosstab_table",
    "hmm_dwell_table",
    "hmm_model_table",
    "hmm_profiles_table",
    "hmm_stability_table",
    "hmm_states_table",
    "hmm_transitions_table",
    "z_column",
    "zscores_input_columns",
    "zscores_table",
    "model_params",
    "profile_columns",
    "run_id",
    "runs_table",
    "settings",
    "stored_hmm",
    "to_arrow",
    "to_frame",
]
