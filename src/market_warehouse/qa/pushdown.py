"""Row-wise expectations as DuckDB SQL: which rows of a suite's frame GX has to see.

A suite's frame can have ~10M rows; handing all of them to GX's pandas engine cost minutes.
For the expectation types below, DuckDB evaluates the expectation's row test over the whole
frame in one pass and counts, per expectation, the rows it looks at (``element``), the rows it
ignores as missing (``missing``) and the rows that break it (``unexpected``). Only the rows that
break some expectation (none on a clean warehouse) are read into pandas, and GX validates the
real expectations on that narrow frame: GX stays the judge of every row it is shown, and the
SQL here only decides which rows to show it. The SQL must therefore flag at least every row GX
would flag; ``tests/qa`` checks it against GX on whole frames, defects included.

Missing values follow pandas: NULL and, for floating-point columns, NaN. Expectation types not
listed in ``pushed_check`` (aggregates such as ``expect_column_max_to_be_between``) are not
pushed down: the runner gives GX the whole frame of their columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FLOAT_TYPES = ("DOUBLE", "FLOAT")
COMPARISON_OPERATORS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class NotPushableError(ValueError):
    """The expectation (or its row condition) has no SQL form here; GX reads its columns."""


@dataclass(frozen=True)
class PushedCheck:
    """SQL boolean expressions over one row of the suite frame (window functions allowed)."""

    element: str  # the row is in the expectation's domain (its row condition holds)
    missing: str  # ... and GX ignores it as missing
    unexpected: str  # ... and GX counts it as unexpected


def quote(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A DuckDB literal for a JSON scalar of a suite file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise NotPushableError(f"no SQL literal for {value!r}")


def resolve(value: Any, parameters: dict[str, Any]) -> Any:
    """A kwarg with ``{"$PARAMETER": name}`` replaced by the parameter's value."""
    if isinstance(value, dict) and "$PARAMETER" in value:
        name = value["$PARAMETER"]
        if name not in parameters:
            raise NotPushableError(f"parameter {name} has no value")
        return parameters[name]
    return value


def _is_missing(column: str, types: dict[str, str]) -> str:
    if column not in types:
        raise NotPushableError(f"column {column} is not in the frame")
    if types[column].upper() in FLOAT_TYPES:
        return f"({quote(column)} is null or isnan({quote(column)}))"
    return f"({quote(column)} is null)"


def condition_sql(condition: Any, types: dict[str, str]) -> str:
    """SQL for a GX row condition given as a dict (comparison, nullity, and, or)."""
    if condition is None:
        return "true"
    if not isinstance(condition, dict):
        raise NotPushableError(f"row condition {condition!r} is not a structured condition")
    kind = condition.get("type")
    if kind in ("and", "or"):
        parts = [condition_sql(child, types) for child in condition.get("conditions") or []]
        return "(" + f" {kind} ".join(parts or ["true"]) + ")"
    column = (condition.get("column") or {}).get("name")
    if not isinstance(column, str):
        raise NotPushableError(f"row condition {condition!r} names no column")
    missing = _is_missing(column, types)
    if kind == "nullity":
        return missing if condition.get("is_null") else f"(not {missing})"
    if kind != "comparison":
        raise NotPushableError(f"row condition type {kind!r}")
    operator, parameter = condition.get("operator"), condition.get("parameter")
    if operator in ("IN", "NOT_IN"):
        values = ", ".join(literal(value) for value in parameter) or "null"
        negate = "not " if operator == "NOT_IN" else ""
        return f"(not {missing} and {negate}{quote(column)} in ({values}))"
    if operator not in COMPARISON_OPERATORS:
        raise NotPushableError(f"row condition operator {operator!r}")
    # pandas' query() is false for a missing value whatever the operator
    return (
        f"(not {missing} and {quote(column)} {COMPARISON_OPERATORS[operator]} {literal(parameter)})"
    )


def pushed_check(
    expectation_type: str, kwargs: dict[str, Any], types: dict[str, str], parameters: dict[str, Any]
) -> PushedCheck:
    """The SQL form of one expectation; raises ``NotPushableError`` when there is none.

    ``types`` maps the frame's columns to DuckDB type names; ``parameters`` resolves
    ``$PARAMETER`` values.
    """
    kwargs = {key: resolve(value, parameters) for key, value in kwargs.items()}
    domain = condition_sql(kwargs.get("row_condition"), types)
    missing, ok = _missing_and_ok(expectation_type, kwargs, types)
    if expectation_type.endswith("_to_be_unique") and domain != "true":
        raise NotPushableError("uniqueness under a row condition")
    return PushedCheck(
        element=domain,
        missing=f"({domain} and {missing})",
        unexpected=f"({domain} and not {missing} and not coalesce({ok}, false))",
    )


def _missing_and_ok(
    expectation_type: str, kwargs: dict[str, Any], types: dict[str, str]
) -> tuple[str, str]:
    """(rows GX ignores as missing, rows that meet the expectation) for one type."""
    column = kwargs.get("column")
    if expectation_type == "expect_column_values_to_not_be_null":
        return "false", f"not {_is_missing(column, types)}"
    if expectation_type == "expect_column_values_to_be_null":
        return "false", _is_missing(column, types)
    if expectation_type == "expect_column_values_to_be_between":
        bounds = []
        for key, strict_key, operator in (
            ("min_value", "strict_min", ">"),
            ("max_value", "strict_max", "<"),
        ):
            if kwargs.get(key) is not None:
                equal = "" if kwargs.get(strict_key) else "="
                bounds.append(f"{quote(column)} {operator}{equal} {literal(kwargs[key])}")
        if not bounds:
            raise NotPushableError("between without bounds")
        return _is_missing(column, types), " and ".join(bounds)
    if expectation_type == "expect_column_values_to_be_in_set":
        values = ", ".join(literal(value) for value in kwargs.get("value_set") or [])
        return _is_missing(column, types), f"{quote(column)} in ({values or 'null'})"
    if expectation_type == "expect_column_values_to_be_unique":
        return _is_missing(column, types), _no_equal_neighbour([column])
    if expectation_type in (
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_to_be_in_set",
    ):
        return _pair(expectation_type, kwargs, types)
    if expectation_type == "expect_compound_columns_to_be_unique":
        columns = [str(name) for name in kwargs.get("column_list") or []]
        missing = [_is_missing(name, types) for name in columns]
        ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
        ignored = {
            "all_values_are_missing": " and ".join(missing),
            "any_value_is_missing": " or ".join(missing),
            "never": "false",
        }.get(ignore)
        if ignored is None or not columns:
            raise NotPushableError(f"ignore_row_if {ignore!r}")
        return f"({ignored})", _no_equal_neighbour(columns)
    raise NotPushableError(f"{expectation_type} has no SQL form here")


def _no_equal_neighbour(columns: list[str]) -> str:
    """The row's key occurs once: sorted by the key, neither neighbour has the same key.

    Cheaper than ``count(*) over (partition by key)`` (one sort instead of a hash partition
    carrying every column); NULLs compare equal, as pandas' ``duplicated`` has them.
    """
    *partition, last = [quote(name) for name in columns]
    by = f"partition by {', '.join(partition)} " if partition else ""
    window = f"({by}order by {last})"
    return (
        f"not ({last} is not distinct from lag({last}) over {window}"
        f" or {last} is not distinct from lead({last}) over {window})"
    )


def _pair(expectation_type: str, kwargs: dict[str, Any], types: dict[str, str]) -> tuple[str, str]:
    a, b = kwargs.get("column_A"), kwargs.get("column_B")
    missing_a, missing_b = _is_missing(a, types), _is_missing(b, types)
    ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
    ignored = {
        "both_values_are_missing": f"({missing_a} and {missing_b})",
        "either_value_is_missing": f"({missing_a} or {missing_b})",
        "neither": "false",
    }.get(ignore)
    if ignored is None:
        raise NotPushableError(f"ignore_row_if {ignore!r}")
    if expectation_type == "expect_column_pair_values_a_to_be_greater_than_b":
        operator = ">=" if kwargs.get("or_equal") else ">"
        test = f"{quote(a)} {operator} {quote(b)}"
    elif expectation_type == "expect_column_pair_values_to_be_equal":
        test = f"{quote(a)} = {quote(b)}"
    else:
        pairs = [
            f"({quote(a)} = {literal(first)} and {quote(b)} = {literal(second)})"
            for first, second in kwargs.get("value_pairs_set") or []
        ]
        test = "(" + (" or ".join(pairs) or "false") + ")"
    # pandas compares a missing value as false: unexpected unless the row is ignored
    return ignored, f"not {missing_a} and not {missing_b} and {test}"
