"""The expectation checkpoint: run every suite of ``gx/expectations`` against the warehouse.

Great Expectations 1.24 returns empty results on a DuckDB SQL datasource (DESIGN.md §6), so
GX validates pandas frames read through DuckDB. To stay within memory and time on a ~10M-row
warehouse, DuckDB counts each row-wise expectation over the whole frame in one pass and only
the rows breaking one are read into pandas for GX to judge (``market_warehouse.qa.pushdown``);
other expectation types get the whole frame of their columns.

Results go to ``<results_dir>/validations`` (GX's JSON), ``<results_dir>/checkpoint_result.json``
(a compact summary of the last run) and the Data Docs site
``<results_dir>/data_docs/local_site/index.html``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import math
import os
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from market_warehouse.qa.pushdown import NotPushableError, PushedCheck, pushed_check, quote
from market_warehouse.qa.suites import SuiteSpec, discover_suites, expectation_columns

RUN_NAME = "market_warehouse_checkpoint"
DATASOURCE_NAME = "market_warehouse_frames"
PARTIAL_UNEXPECTED_COUNT = 5
INDEX_KEY = "_market_warehouse_index"


@dataclass
class ExpectationOutcome:
    """One expectation's result (row totals counted by DuckDB when it was pushed down)."""

    check: str
    expectation_type: str
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    observed_value: Any = None
    examples: list[Any] = field(default_factory=list)
    exception: str | None = None

    def describe(self) -> str:
        """One line for the console: name, what failed and how many rows."""
        parts = [f"{self.check} [{self.expectation_type}]"]
        if self.exception:
            parts.append(f"raised: {self.exception}")
        elif self.unexpected_count is not None:
            of = f" of {self.element_count:,}" if self.element_count is not None else ""
            parts.append(f"{self.unexpected_count:,} unexpected{of}")
        if self.observed_value is not None and not self.exception:
            parts.append(f"observed {_short(self.observed_value)}")
        if self.examples:
            parts.append("e.g. " + ", ".join(_short(value) for value in self.examples[:3]))
        return ": ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if parts[2:] else "")


@dataclass
class SuiteOutcome:
    """The verdict of one suite."""

    name: str
    status: str  # PASS, FAIL, SKIP or ERROR
    expectations: int = 0
    failures: list[ExpectationOutcome] = field(default_factory=list)
    rows: int = 0
    rows_read: int = 0
    seconds: float = 0.0
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "ERROR")

    def lines(self) -> list[str]:
        """The verdict line and, for a failure, one indented line per failing expectation."""
        if self.status == "SKIP":
            return [f"SKIP {self.name} ({self.note})"]
        head = f"{self.status} {self.name} ({self.expectations} expectations)"
        if self.status == "ERROR":
            return [head, f"  - error: {self.note}"]
        return [head] + [f"  - {failure.describe()}" for failure in self.failures]


@dataclass
class CheckpointOutcome:
    """All suites of one run and where their results went."""

    suites: list[SuiteOutcome]
    results_dir: Path
    docs_index: Path | None
    seconds: float

    @property
    def success(self) -> bool:
        return not any(suite.failed for suite in self.suites)

    def summary_line(self) -> str:
        counts = {status: 0 for status in ("PASS", "FAIL", "ERROR", "SKIP")}
        for suite in self.suites:
            counts[suite.status] += 1
        verdict = "PASSED" if self.success else "FAILED"
        return (
            f"checkpoint {verdict}: {counts['PASS']} passed, {counts['FAIL'] + counts['ERROR']} "
            f"failed, {counts['SKIP']} skipped in {self.seconds:.1f} s"
        )


def _short(value: Any, limit: int = 80) -> str:
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, (tuple, list)):
        text = "(" + ", ".join(_short(item, limit) for item in value) + ")"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _quiet_great_expectations() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def _cheap_frame_fingerprint(frame: pd.DataFrame) -> str:
    """Stand-in for GX's batch fingerprint: GX md5-hashes every cell of a pandas batch each
    time it fetches the batch (twice per validation), which was 40% of the checkpoint's time
    on 10M rows. The fingerprint is only a batch marker in the results; the shape and column
    names are enough here, since the SQL that produced each frame is in the suite file."""
    columns = ",".join(map(str, frame.columns))
    return f"rows={len(frame)};columns={columns}"


def _skip_frame_hashing() -> None:
    from great_expectations.execution_engine import pandas_execution_engine

    if hasattr(pandas_execution_engine, "hash_pandas_dataframe"):
        pandas_execution_engine.hash_pandas_dataframe = _cheap_frame_fingerprint


def build_context(gx_dir: Path, results_dir: Path):
    """An in-memory GX context whose suites are ``gx_dir/expectations`` and whose validation
    results and Data Docs are written below ``results_dir`` (nothing under ``gx_dir`` except
    ``results_dir`` itself, when it lies there, is written)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig

    def filesystem(base: Path, suppress_id: bool = False) -> dict[str, Any]:
        return {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(base.resolve()),
            "suppress_store_backend_id": suppress_id,
        }

    in_memory = {"class_name": "InMemoryStoreBackend"}
    config = DataContextConfig(
        config_version=4.0,
        stores={
            "expectations_store": {
                "class_name": "ExpectationsStore",
                "store_backend": filesystem(gx_dir / "expectations", suppress_id=True),
            },
            "validation_results_store": {
                "class_name": "ValidationResultsStore",
                "store_backend": filesystem(results_dir / "validations"),
            },
            "checkpoint_store": {"class_name": "CheckpointStore", "store_backend": in_memory},
            "validation_definition_store": {
                "class_name": "ValidationDefinitionStore",
                "store_backend": in_memory,
            },
        },
        expectations_store_name="expectations_store",
        validation_results_store_name="validation_results_store",
        checkpoint_store_name="checkpoint_store",
        data_docs_sites={
            "local_site": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": filesystem(results_dir / "data_docs" / "local_site"),
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
        progress_bars={"globally": False},
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def existing_relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Tables and views of the warehouse (main schema), lower case."""
    rows = con.sql(
        "select lower(table_name) from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    return {row[0] for row in rows}


def _expectation_name(config: Any) -> str:
    meta = getattr(config, "meta", None) or {}
    if meta.get("check"):
        return str(meta["check"])
    kwargs = config.kwargs
    columns = [kwargs[key] for key in ("column", "column_A", "column_B") if kwargs.get(key)]
    columns += list(kwargs.get("column_list") or [])
    return f"{config.type}({', '.join(map(str, columns))})"


@dataclass(frozen=True)
class _Counts:
    """What DuckDB counted for one pushed-down expectation over the whole frame."""

    element: int
    missing: int
    unexpected: int


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _outcome(item: Any, counts: _Counts | None) -> ExpectationOutcome:
    """The console outcome of one GX result; with ``counts`` (the expectation was pushed down
    and GX saw only the rows breaking some expectation) the result's row totals are replaced
    by DuckDB's counts over the whole frame, and ``mostly`` is judged on those totals."""
    config = item.expectation_config
    exception = (item.exception_info or {}).get("exception_message")
    if not (item.exception_info or {}).get("raised_exception"):
        exception = None
    result = dict(item.result or {})
    if counts is not None and exception is None:
        unexpected = int(result.get("unexpected_count") or 0)
        nonmissing = counts.element - counts.missing
        result["element_count"] = counts.element
        if "missing_count" in result:
            result["missing_count"] = counts.missing
            result["missing_percent"] = _percent(counts.missing, counts.element)
            result["unexpected_percent_total"] = _percent(unexpected, counts.element)
            result["unexpected_percent_nonmissing"] = _percent(unexpected, nonmissing)
            result["unexpected_percent"] = result["unexpected_percent_nonmissing"]
        elif "unexpected_percent" in result:
            result["unexpected_percent"] = _percent(unexpected, counts.element)
        mostly = config.kwargs.get("mostly")
        if mostly is not None and mostly < 1:
            item.success = nonmissing == 0 or 1 - unexpected / nonmissing >= mostly
        item.result = result
    unexpected_count = result.get("unexpected_count")
    return ExpectationOutcome(
        check=_expectation_name(config),
        expectation_type=config.type,
        success=bool(item.success) and exception is None,
        element_count=result.get("element_count"),
        unexpected_count=unexpected_count,
        observed_value=result.get("observed_value") if unexpected_count is None else None,
        examples=list(result.get("partial_unexpected_list") or [])[:PARTIAL_UNEXPECTED_COUNT],
        exception=exception,
    )


def _column_groups(
    expectations: list[Any], indices: list[int]
) -> list[tuple[list[str], list[int]]]:
    """The expectations at ``indices`` grouped by the columns they read (first-seen order).

    GX's pandas engine copies the whole frame whenever it filters rows for a metric (null
    rows, row conditions), so each group is validated on a frame of its own columns only.
    """
    groups: dict[tuple[str, ...], list[int]] = {}
    for index in indices:
        kwargs = expectations[index].configuration.to_json_dict().get("kwargs", {})
        columns = tuple(dict.fromkeys(expectation_columns(kwargs)))
        groups.setdefault(columns, []).append(index)
    return [(list(columns), members) for columns, members in groups.items()]


def _validate_frame(
    frame: pd.DataFrame,
    suite: Any,
    indices: list[int],
    batch_definition: Any,
    parameters: dict[str, Any],
) -> tuple[dict[int, Any], dict[str, Any]]:
    """Validate the suite's expectations at ``indices`` on ``frame``: {index: result}, meta."""
    from great_expectations.core import ExpectationSuite

    ordered: dict[int, Any] = {}
    meta: dict[str, Any] = {}
    for columns, members in _column_groups(suite.expectations, indices):
        present = [column for column in columns if column in frame.columns]
        projected = frame[present] if columns else frame
        part = ExpectationSuite(
            name=suite.name,
            expectations=[
                suite.expectations[index].copy(
                    update={"meta": {**(suite.expectations[index].meta or {}), INDEX_KEY: index}},
                    deep=True,
                )
                for index in members
            ],
        )
        batch = batch_definition.get_batch(batch_parameters={"dataframe": projected})
        result = batch.validate(
            part,
            expectation_parameters=parameters,
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": PARTIAL_UNEXPECTED_COUNT,
            },
        )
        meta = meta or dict(result.meta)
        for item in result.results:
            config_meta = item.expectation_config.meta or {}
            ordered[config_meta.pop(INDEX_KEY)] = item
    return ordered, meta


def _split_pushable(
    suite: Any, types: dict[str, str], parameters: dict[str, Any]
) -> tuple[dict[int, PushedCheck], list[int]]:
    """({index: SQL form} of the expectations DuckDB can count, [indices GX reads whole])."""
    pushed: dict[int, PushedCheck] = {}
    direct: list[int] = []
    for index, expectation in enumerate(suite.expectations):
        config = expectation.configuration.to_json_dict()
        try:
            pushed[index] = pushed_check(
                config["type"], config.get("kwargs", {}), types, parameters
            )
        except NotPushableError:
            direct.append(index)
    return pushed, direct


def _flagged_sql(frame_sql: str, pushed: dict[int, PushedCheck]) -> str:
    """The suite frame with, per pushed expectation i, columns _e{i}, _m{i}, _u{i}."""
    flags = ",\n".join(
        f"    {check.element} as _e{index},\n"
        f"    {check.missing} as _m{index},\n"
        f"    {check.unexpected} as _u{index}"
        for index, check in pushed.items()
    )
    return f"with suite_frame as (\n{frame_sql}\n)\nselect\n    *,\n{flags}\nfrom suite_frame"


def _count_pushed(
    con: duckdb.DuckDBPyConnection, frame_sql: str, pushed: dict[int, PushedCheck]
) -> tuple[int, dict[int, _Counts]]:
    """One pass of DuckDB over the frame: its rows and each pushed expectation's counts."""
    counters = ", ".join(
        f"count_if(_e{index}), count_if(_m{index}), count_if(_u{index})" for index in pushed
    )
    row = con.sql(
        f"select count(*), {counters} from (\n{_flagged_sql(frame_sql, pushed)}\n) as flagged"
    ).fetchall()[0]
    values = [int(value) for value in row]
    counts = {
        index: _Counts(*values[1 + 3 * position : 4 + 3 * position])
        for position, index in enumerate(pushed)
    }
    return values[0], counts


def _read_columns(
    con: duckdb.DuckDBPyConnection, frame_sql: str, columns: list[str], where: str
) -> pd.DataFrame:
    selected = ", ".join(quote(name) for name in columns) or "*"
    return con.sql(f"select {selected} from (\n{frame_sql}\n) as suite_frame {where}").df()


def run_suite(
    spec: SuiteSpec,
    *,
    context: Any,
    batch_definition: Any,
    con: duckdb.DuckDBPyConnection,
    relations: set[str],
    parameters: dict[str, Any],
    run_id: Any,
) -> SuiteOutcome:
    """Validate one suite and store its result in the context.

    Pushed-down expectations: DuckDB counts over the whole frame, GX validates the rows that
    break one of them (an empty frame when none does). The others: GX validates the whole
    frame of their columns.
    """
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    started = time.perf_counter()
    missing = [name for name in spec.relations if name.lower() not in relations]
    if missing:
        return SuiteOutcome(spec.name, "SKIP", note=f"not built: {', '.join(missing)}")
    suite = context.suites.get(spec.name)
    expectation_count = len(suite.expectations)
    suite_parameters = {**spec.parameters, **parameters}
    frame_sql = spec.frame_sql()
    try:
        relation = con.sql(frame_sql)
        types = dict(zip(relation.columns, (str(kind) for kind in relation.types), strict=True))
        pushed, direct = _split_pushable(suite, types, suite_parameters)
        results: dict[int, Any] = {}
        counts: dict[int, _Counts] = {}
        rows = rows_read = 0
        batch_meta: dict[str, Any] = {}
        if pushed:
            rows, counts = _count_pushed(con, frame_sql, pushed)
            columns = spec.referenced_columns([suite.expectations[i] for i in pushed])
            breaking = [f"_u{index}" for index, count in counts.items() if count.unexpected]
            if breaking:
                flagged = _flagged_sql(frame_sql, pushed)
                frame = _read_columns(con, flagged, columns, "where " + " or ".join(breaking))
            else:
                frame = _read_columns(con, frame_sql, columns, "limit 0")
            rows_read += len(frame)
            found, batch_meta = _validate_frame(
                frame, suite, list(pushed), batch_definition, suite_parameters
            )
            results.update(found)
        if direct:
            columns = spec.referenced_columns([suite.expectations[i] for i in direct])
            frame = _read_columns(con, frame_sql, columns, "")
            rows = max(rows, len(frame))
            rows_read += len(frame)
            found, direct_meta = _validate_frame(
                frame, suite, direct, batch_definition, suite_parameters
            )
            results.update(found)
            batch_meta = batch_meta or direct_meta
            del frame
    except (duckdb.Error, KeyError, ValueError, TypeError) as error:
        return SuiteOutcome(
            spec.name,
            "ERROR",
            expectations=expectation_count,
            seconds=time.perf_counter() - started,
            note=f"{type(error).__name__}: {str(error).splitlines()[0]}",
        )
    ordered = [results[index] for index in sorted(results)]
    outcomes = [_outcome(item, counts.get(index)) for index, item in sorted(results.items())]
    passed = sum(outcome.success for outcome in outcomes)
    merged = ExpectationSuiteValidationResult(
        success=passed == len(outcomes),
        results=ordered,
        suite_name=spec.name,
        statistics={
            "evaluated_expectations": len(outcomes),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(outcomes) - passed,
            "success_percent": 100.0 * passed / len(outcomes) if outcomes else None,
        },
        meta={
            **batch_meta,
            "run_id": run_id,
            "validation_time": run_id.run_time,
            "market_warehouse": {
                "model": spec.model,
                "rows": rows,
                "rows_read": rows_read,
                "parameters": suite_parameters,
            },
        },
    )
    merged.suite_parameters = suite_parameters
    suite_id = ExpectationSuiteIdentifier(name=spec.name)
    context.validation_results_store.store_validation_results(
        suite_validation_result=merged,
        suite_validation_result_identifier=ValidationResultIdentifier(
            expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=spec.model
        ),
        expectation_suite_identifier=suite_id,
    )
    failures = [outcome for outcome in outcomes if not outcome.success]
    return SuiteOutcome(
        spec.name,
        "FAIL" if failures else "PASS",
        expectations=expectation_count,
        failures=failures,
        rows=rows,
        rows_read=rows_read,
        seconds=time.perf_counter() - started,
    )


def _prune_history(results_dir: Path, keep_runs: int) -> None:
    """Keep the newest ``keep_runs`` run folders per suite (results and their pages)."""
    for root in (results_dir / "validations", results_dir / "data_docs/local_site/validations"):
        for run_folder in root.glob(f"*/{RUN_NAME}"):
            runs = sorted(path for path in run_folder.iterdir() if path.is_dir())
            for old in runs[: max(0, len(runs) - keep_runs)]:
                shutil.rmtree(old, ignore_errors=True)


def run_checkpoint(
    db_path: Path,
    gx_dir: Path,
    results_dir: Path | None = None,
    *,
    suites: list[str] | None = None,
    parameters: dict[str, Any] | None = None,
    build_docs: bool = True,
    keep_runs: int = 10,
    echo: Callable[[str], None] = print,
) -> CheckpointOutcome:
    """Run every suite of ``gx_dir`` (or the named ``suites``) against ``db_path``.

    ``echo`` receives one line per suite as soon as it finishes (plus the failing
    expectations). Raises ``FileNotFoundError`` when the warehouse or the suites are missing.
    """
    from great_expectations.core.run_identifier import RunIdentifier

    _quiet_great_expectations()
    _skip_frame_hashing()
    started = time.perf_counter()
    db_path, gx_dir = Path(db_path), Path(gx_dir)
    results_dir = Path(results_dir) if results_dir is not None else gx_dir / "uncommitted"
    if not db_path.is_file():
        raise FileNotFoundError(f"warehouse not found: {db_path} (build it first)")
    specs = discover_suites(gx_dir)
    if suites:
        unknown = sorted(set(suites) - {spec.name for spec in specs})
        if unknown:
            raise FileNotFoundError(f"no such suite in {gx_dir / 'expectations'}: {unknown}")
        specs = [spec for spec in specs if spec.name in suites]
    if not specs:
        raise FileNotFoundError(f"no suites in {gx_dir / 'expectations'}")
    results_dir.mkdir(parents=True, exist_ok=True)

    context = build_context(gx_dir, results_dir)
    asset = context.data_sources.add_pandas(DATASOURCE_NAME).add_dataframe_asset("frame")
    batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
    run_id = RunIdentifier(run_name=RUN_NAME, run_time=dt.datetime.now(dt.UTC))

    outcomes = []
    con = duckdb.connect(
        str(db_path),
        read_only=True,
        config={
            "threads": int(os.environ.get("MW_DUCKDB_THREADS", "2")),
            "memory_limit": os.environ.get("MW_QA_DUCKDB_MEMORY_LIMIT", "1GB"),
        },
    )
    con.execute("set enable_progress_bar = false")
    try:
        relations = existing_relations(con)
        for spec in specs:
            outcome = run_suite(
                spec,
                context=context,
                batch_definition=batch_definition,
                con=con,
                relations=relations,
                parameters=parameters or {},
                run_id=run_id,
            )
            outcomes.append(outcome)
            for line in outcome.lines():
                echo(line)
    finally:
        con.close()

    docs_index = None
    if build_docs:
        _prune_history(results_dir, keep_runs)
        sites = context.build_data_docs()
        docs_index = results_dir / "data_docs" / "local_site" / "index.html"
        if "local_site" not in sites:
            docs_index = None
    checkpoint = CheckpointOutcome(
        outcomes, results_dir, docs_index, seconds=time.perf_counter() - started
    )
    write_summary(checkpoint, db_path, run_id.run_time)
    return checkpoint


def write_summary(checkpoint: CheckpointOutcome, db_path: Path, run_time: dt.datetime) -> Path:
    """``<results_dir>/checkpoint_result.json``: the verdicts of the last run, small and flat."""
    document = {
        "run_name": RUN_NAME,
        "run_time": run_time.isoformat(),
        "warehouse": str(db_path),
        "success": checkpoint.success,
        "seconds": round(checkpoint.seconds, 3),
        "data_docs": str(checkpoint.docs_index) if checkpoint.docs_index else None,
        "suites": [
            {
                **{key: value for key, value in asdict(suite).items() if key != "failures"},
                "seconds": round(suite.seconds, 3),
                "failures": [
                    {
                        **asdict(failure),
                        "observed_value": _short(failure.observed_value)
                        if failure.observed_value is not None
                        else None,
                        "examples": [_short(value) for value in failure.examples],
                    }
                    for failure in suite.failures
                ],
            }
            for suite in checkpoint.suites
        ],
    }
    path = checkpoint.results_dir / "checkpoint_result.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def parse_parameter(text: str) -> tuple[str, Any]:
    """``name=value`` from the command line; the value is read as JSON when it parses."""
    name, separator, raw = text.partition("=")
    if not separator or not name:
        raise ValueError(f"expected name=value, got {text!r}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"parameter {name} must be finite")
    return name.strip(), value
