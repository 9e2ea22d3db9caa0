"""Suite discovery: every ``gx/expectations/<name>.json`` with a ``meta.market_warehouse`` block.

A suite file is a plain Great Expectations 1.x expectation suite. Its
``meta.market_warehouse`` block tells the runner how to get the frame it validates:

``model``         the table or view the suite belongs to; the suite is skipped (with a note)
                  while that relation is not built.
``layer``         bronze, silver, gold, research... (ordering and the report only).
``requires``      other relations the query reads (optional; also skip the suite when absent).
``query``         DuckDB SQL (a string or a list of lines) returning the frame. Without
                  ``query`` the runner selects the columns the expectations name from ``model``.
                  The runner never reads the whole frame into pandas for a row-wise
                  expectation: DuckDB counts over it and GX sees the rows that break one
                  (``market_warehouse.qa.pushdown``).
``parameters``    named defaults for ``{"$PARAMETER": name}`` values in the expectations
                  (data-dependent thresholds); the CLI's ``--param name=value`` overrides them.
``description``   one or two sentences for the report and the Data Docs.

Adding a gate for a new model is one new file in ``gx/expectations/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

META_KEY = "market_warehouse"
LAYER_ORDER = ("bronze", "silver", "gold", "research", "validation", "backtest", "portfolio")


class SuiteFileError(ValueError):
    """A suite file is not valid JSON or lacks what the runner needs."""


@dataclass(frozen=True)
class SuiteSpec:
    """What the runner needs to know about one suite file (its expectations stay in GX)."""

    name: str
    path: Path
    model: str
    layer: str = ""
    description: str = ""
    query: str | None = None
    requires: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    expectations: tuple[dict[str, Any], ...] = ()

    @property
    def relations(self) -> tuple[str, ...]:
        """Every relation that must exist before the suite can run."""
        return (self.model, *[name for name in self.requires if name != self.model])

    def referenced_columns(self, expectations: list[Any] | None = None) -> list[str]:
        """Columns named by ``expectations`` (default: the suite file's), in first-seen order.

        Accepts the suite file's dicts or GX expectation objects.
        """
        seen: dict[str, None] = {}
        for expectation in self.expectations if expectations is None else expectations:
            if not isinstance(expectation, dict):
                expectation = expectation.configuration.to_json_dict()
            for name in expectation_columns(expectation.get("kwargs", {})):
                seen.setdefault(name, None)
        return list(seen)

    def frame_sql(self) -> str:
        """The SQL of the suite's frame."""
        if self.query is not None:
            return self.query.strip().rstrip(";")
        columns = ", ".join(f'"{name}"' for name in self.referenced_columns()) or "*"
        return f'select {columns} from "{self.model}"'


def expectation_columns(kwargs: dict[str, Any]) -> list[str]:
    """Columns an expectation's kwargs name (incl. its row condition), in order."""
    names: list[str] = []
    for key in ("column", "column_A", "column_B"):
        if isinstance(kwargs.get(key), str):
            names.append(kwargs[key])
    for key in ("column_list",):
        if isinstance(kwargs.get(key), list):
            names.extend(str(name) for name in kwargs[key])
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict):
        names.extend(_condition_columns(condition))
    return names


def _condition_columns(condition: dict[str, Any]) -> list[str]:
    names = []
    column = condition.get("column")
    if isinstance(column, dict) and isinstance(column.get("name"), str):
        names.append(column["name"])
    for child in condition.get("conditions", []) or []:
        if isinstance(child, dict):
            names.extend(_condition_columns(child))
    return names


def parse_suite(path: Path) -> SuiteSpec | None:
    """Read one suite file; None when it has no ``meta.market_warehouse`` block."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SuiteFileError(f"{path}: not valid JSON ({error})") from error
    config = (document.get("meta") or {}).get(META_KEY)
    if config is None:
        return None
    name = document.get("name")
    if name != path.stem:
        raise SuiteFileError(f"{path}: suite name {name!r} must equal the file name {path.stem!r}")
    if not config.get("model"):
        raise SuiteFileError(f"{path}: meta.{META_KEY}.model is required")
    query = config.get("query")
    if isinstance(query, list):
        query = "\n".join(query)
    return SuiteSpec(
        name=name,
        path=path,
        model=config["model"],
        layer=config.get("layer", ""),
        description=config.get("description", ""),
        query=query,
        requires=tuple(config.get("requires", ())),
        parameters=dict(config.get("parameters", {})),
        expectations=tuple(document.get("expectations", [])),
    )


def discover_suites(gx_dir: Path) -> list[SuiteSpec]:
    """Every runnable suite below ``gx_dir/expectations``, ordered by layer, then name."""
    specs = []
    for path in sorted((gx_dir / "expectations").glob("*.json")):
        spec = parse_suite(path)
        if spec is not None:
            specs.append(spec)

    def order(spec: SuiteSpec) -> tuple[int, str]:
        rank = LAYER_ORDER.index(spec.layer) if spec.layer in LAYER_ORDER else len(LAYER_ORDER)
        return rank, spec.name

    return sorted(specs, key=order)
