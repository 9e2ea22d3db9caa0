"""Conventions check over dbt's ``target/manifest.json`` (DESIGN.md §3, STYLE.md).

``python -m market_warehouse.conventions [--manifest target/manifest.json]
[--catalog target/catalog.json] [--waivers conventions_waivers.yml]``

Rules (the rule id is what a waiver names):

``model_description``        every model has a description.
``model_columns_documented`` every model lists at least one column in its YAML.
``column_description``       every column listed in YAML has a description.
``column_undocumented``      every column the model has in the catalog (``catalog.json``, written
                             by ``dbt docs generate``; skipped when absent) is listed in YAML.
``primary_key_test``         every model has a primary-key test: ``unique`` and ``not_null`` on
                             one column, our ``unique_key`` test, or a primary-key constraint.
``layer_prefix``             a model in ``<model-path>/<layer>/`` is named ``<layer>_*``
                             (bronze, silver, gold, research, validation, backtest, portfolio).
``source_outside_bronze``    only bronze models read sources.
``hard_coded_relation``      no ``from|join <schema>.<table>`` in model SQL (use ref/source).
``gold_contract``            gold SQL models have an enforced contract.
``unit_test_for_window``     a SQL model that uses window functions has a dbt unit test.
``macro_documented``         every macro has a description (an ``<adapter>__<name>``
                             implementation is covered by its dispatcher's entry).
``macro_file_name``          each macro file defines the macro named like the file, and only it
                             (plus its ``<adapter>__<name>`` implementations); a generic test
                             file ``test_<name>.sql`` defines ``{% test <name> %}``.
``lookahead_column``         only ``gold_labels`` and models built from it define ``fwd_*`` or
                             ``label_*`` columns.
``feature_lookahead``        a model whose name contains ``feature`` neither selects a
                             ``fwd_*``/``label_*`` column nor reads ``gold_labels``.

Exceptions live in the waiver file, each with its reason. Exit code 0 when there is no
unwaived violation, 1 otherwise, 2 when the manifest cannot be read.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

LAYERS = ("bronze", "silver", "gold", "research", "validation", "backtest", "portfolio")
LABELS_MODEL = "gold_labels"
LOOKAHEAD_COLUMN = re.compile(r"^(fwd|label)_\w+$", re.IGNORECASE)
LOOKAHEAD_IN_SQL = re.compile(r"\b((?:fwd|label)_[a-z0-9_]+)\b", re.IGNORECASE)
HARD_CODED = re.compile(
    r"\b(from|join)\s+((?:\"?[a-z_][\w$]*\"?\.){1,2}\"?[a-z_][\w$]*\"?)", re.IGNORECASE
)
# `extract(year from t.trade_date)`, `trim(both from x.y)`: a FROM inside these calls is no table.
FROM_KEYWORD_FUNCTIONS = {"extract", "substring", "trim", "overlay", "position", "date_part"}
WINDOW_FUNCTION = re.compile(
    r"\bover\s*\(|\bover\s+[a-z_]\w*|\bwindow\s+[a-z_]\w*\s+as\b", re.IGNORECASE
)
DEFAULT_MANIFEST = Path("target/manifest.json")
DEFAULT_WAIVERS = Path("conventions_waivers.yml")


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``object`` is a model, ``model.column`` or macro name."""

    rule: str
    object: str
    message: str

    def line(self) -> str:
        return f"{self.rule:<26} {self.object}: {self.message}"


@dataclass(frozen=True)
class Waiver:
    rule: str
    object: str
    reason: str

    def covers(self, violation: Violation) -> bool:
        return fnmatch.fnmatchcase(violation.rule, self.rule) and fnmatch.fnmatchcase(
            violation.object, self.object
        )


@dataclass
class Report:
    violations: list[Violation]
    waived: list[tuple[Violation, Waiver]]
    unused_waivers: list[Waiver]

    @property
    def success(self) -> bool:
        return not self.violations

    def lines(self) -> list[str]:
        out = [violation.line() for violation in self.violations]
        out += [
            f"waived: {violation.rule} {violation.object} ({waiver.reason})"
            for violation, waiver in self.waived
        ]
        out += [
            f"warning: waiver {waiver.rule} {waiver.object} matches no violation (remove it?)"
            for waiver in self.unused_waivers
        ]
        verdict = "PASSED" if self.success else "FAILED"
        out.append(
            f"conventions {verdict}: {len(self.violations)} violation(s), {len(self.waived)} waived"
        )
        return out


# --- helpers over the manifest ------------------------------------------------------------


def _project_name(manifest: dict[str, Any]) -> str | None:
    return (manifest.get("metadata") or {}).get("project_name")


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    project = _project_name(manifest)
    return {
        unique_id: node
        for unique_id, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model"
        and (project is None or node.get("package_name") == project)
    }


def _layer(node: dict[str, Any]) -> str | None:
    """The folder right below the model path (``models/bronze/x.sql`` -> ``bronze``)."""
    parts = PurePosixPath(node.get("original_file_path", "")).parts
    return parts[1] if len(parts) > 2 else None


def _strip_jinja_and_comments(code: str) -> str:
    code = re.sub(r"\{#.*?#\}", " ", code, flags=re.DOTALL)
    code = re.sub(r"\{\{.*?\}\}", " __jinja__ ", code, flags=re.DOTALL)
    code = re.sub(r"\{%.*?%\}", " ", code, flags=re.DOTALL)
    code = re.sub(r"/\*.*?\*/", " ", code, flags=re.DOTALL)
    code = re.sub(r"--[^\n]*", " ", code)
    return re.sub(r"'(?:[^']|'')*'", "''", code)


def _inside_keyword_function(code: str, position: int) -> bool:
    depth = 0
    for index in range(position - 1, -1, -1):
        char = code[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                word = re.search(r"([a-z_]\w*)\s*$", code[:index], re.IGNORECASE)
                return bool(word) and word.group(1).lower() in FROM_KEYWORD_FUNCTIONS
            depth -= 1
    return False


def hard_coded_relations(raw_code: str) -> list[str]:
    """``schema.table`` references after FROM/JOIN in model SQL (Jinja and comments removed)."""
    code = _strip_jinja_and_comments(raw_code)
    return [
        match.group(2)
        for match in HARD_CODED.finditer(code)
        if not _inside_keyword_function(code, match.start())
    ]


def _tests_by_model(manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "test" or not node.get("test_metadata"):
            continue
        attached = node.get("attached_node")
        if not attached:
            models = [
                dep for dep in node.get("depends_on", {}).get("nodes", []) if ".model." in f".{dep}"
            ]
            attached = models[0] if len(models) == 1 else None
        if attached:
            tests.setdefault(attached, []).append(node)
    return tests


def _has_primary_key_test(node: dict[str, Any], tests: list[dict[str, Any]]) -> bool:
    unique_columns, not_null_columns = set(), set()
    for test in tests:
        metadata = test["test_metadata"]
        name = metadata.get("name")
        column = test.get("column_name") or (metadata.get("kwargs") or {}).get("column_name")
        if name == "unique_key" and (metadata.get("kwargs") or {}).get("columns"):
            return True
        if name == "unique" and column:
            unique_columns.add(column.lower())
        if name == "not_null" and column:
            not_null_columns.add(column.lower())
    if unique_columns & not_null_columns:
        return True
    constraints = list(node.get("constraints") or [])
    for column in (node.get("columns") or {}).values():
        constraints += column.get("constraints") or []
    return any(constraint.get("type") == "primary_key" for constraint in constraints)


def _children(manifest: dict[str, Any]) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for unique_id, node in manifest.get("nodes", {}).items():
        for parent in node.get("depends_on", {}).get("nodes", []):
            children.setdefault(parent, set()).add(unique_id)
    return children


def _descendants(manifest: dict[str, Any], start: Iterable[str]) -> set[str]:
    children = _children(manifest)
    seen: set[str] = set()
    stack = list(start)
    while stack:
        current = stack.pop()
        for child in children.get(current, ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def _catalog_columns(catalog: dict[str, Any] | None, unique_id: str) -> list[str]:
    if not catalog:
        return []
    entry = (catalog.get("nodes") or {}).get(unique_id)
    if not entry:
        return []
    return [column.get("name", name) for name, column in (entry.get("columns") or {}).items()]


def _selected_lookahead_columns(node: dict[str, Any], catalog: dict[str, Any] | None) -> set[str]:
    unique_id = node.get("unique_id", "")
    names = set(node.get("columns") or {}) | set(_catalog_columns(catalog, unique_id))
    found = {name.lower() for name in names if LOOKAHEAD_COLUMN.match(name)}
    if node.get("language", "sql") == "sql":
        code = _strip_jinja_and_comments(node.get("raw_code", ""))
        found |= {match.lower() for match in LOOKAHEAD_IN_SQL.findall(code)}
    return found


# --- the rules ------------------------------------------------------------------------------


def check_models(manifest: dict[str, Any], catalog: dict[str, Any] | None) -> list[Violation]:
    """Every model-level rule."""
    violations: list[Violation] = []
    tests = _tests_by_model(manifest)
    models = _models(manifest)
    unit_tested = {
        (test.get("model") or "").lower() for test in (manifest.get("unit_tests") or {}).values()
    }
    labels_ids = [uid for uid, node in models.items() if node["name"] == LABELS_MODEL]
    built_from_labels = set(labels_ids) | _descendants(manifest, labels_ids)

    for unique_id, node in sorted(models.items(), key=lambda item: item[1]["name"]):
        name = node["name"]
        layer = _layer(node)
        language = node.get("language", "sql")

        if not (node.get("description") or "").strip():
            violations.append(Violation("model_description", name, "model has no description"))
        columns = node.get("columns") or {}
        if not columns:
            violations.append(
                Violation("model_columns_documented", name, "no column is documented in YAML")
            )
        for column_name, column in columns.items():
            if not (column.get("description") or "").strip():
                violations.append(
                    Violation(
                        "column_description", f"{name}.{column_name}", "column has no description"
                    )
                )
        documented = {column.lower() for column in columns}
        for column_name in _catalog_columns(catalog, unique_id):
            if column_name.lower() not in documented:
                violations.append(
                    Violation(
                        "column_undocumented",
                        f"{name}.{column_name}",
                        "column exists in the warehouse but not in the model's YAML",
                    )
                )

        if not _has_primary_key_test(node, tests.get(unique_id, [])):
            violations.append(
                Violation(
                    "primary_key_test",
                    name,
                    "no primary-key test (unique + not_null on one column, or unique_key)",
                )
            )

        if layer is None:
            violations.append(
                Violation("layer_prefix", name, "model is not in a layer folder of a model path")
            )
        elif layer in LAYERS and not name.startswith(f"{layer}_"):
            violations.append(
                Violation("layer_prefix", name, f"model in {layer}/ must be named {layer}_*")
            )

        sources = [
            dep for dep in node.get("depends_on", {}).get("nodes", []) if dep.startswith("source.")
        ]
        if sources and layer != "bronze":
            violations.append(
                Violation(
                    "source_outside_bronze",
                    name,
                    f"reads {', '.join(sorted(sources))}; only bronze may read sources",
                )
            )

        if language == "sql":
            for relation in hard_coded_relations(node.get("raw_code", "")):
                violations.append(
                    Violation(
                        "hard_coded_relation",
                        name,
                        f"hard-coded relation {relation}; use ref() or source()",
                    )
                )
            if WINDOW_FUNCTION.search(_strip_jinja_and_comments(node.get("raw_code", ""))) and (
                name.lower() not in unit_tested
            ):
                violations.append(
                    Violation(
                        "unit_test_for_window",
                        name,
                        "uses window functions but has no dbt unit test",
                    )
                )
            if layer == "gold" and not (node.get("contract") or {}).get("enforced"):
                violations.append(
                    Violation("gold_contract", name, "gold SQL model without an enforced contract")
                )

        lookahead = _selected_lookahead_columns(node, catalog)
        if "feature" in name.lower():
            if lookahead:
                violations.append(
                    Violation(
                        "feature_lookahead",
                        name,
                        "feature model selects look-ahead column(s) "
                        + ", ".join(sorted(lookahead)),
                    )
                )
            if unique_id in built_from_labels:
                violations.append(
                    Violation("feature_lookahead", name, f"feature model reads {LABELS_MODEL}")
                )
        elif lookahead and unique_id not in built_from_labels:
            violations.append(
                Violation(
                    "lookahead_column",
                    name,
                    f"defines {', '.join(sorted(lookahead))}; only {LABELS_MODEL} and models "
                    "built from it may",
                )
            )
    return violations


def check_macros(manifest: dict[str, Any]) -> list[Violation]:
    """Macro documentation and one-macro-per-file naming."""
    project = _project_name(manifest)
    macros = [
        macro
        for macro in (manifest.get("macros") or {}).values()
        if project is None or macro.get("package_name") == project
    ]
    by_file: dict[str, list[str]] = {}
    for macro in macros:
        by_file.setdefault(macro.get("original_file_path", ""), []).append(macro["name"])

    violations: list[Violation] = []
    for macro in sorted(macros, key=lambda item: item["name"]):
        name = macro["name"]
        stem = PurePosixPath(macro.get("original_file_path", "")).stem
        names_in_file = by_file.get(macro.get("original_file_path", ""), [])
        adapter, separator, base = name.partition("__")
        is_implementation = bool(separator) and base in names_in_file and base == stem
        if not is_implementation and not (macro.get("description") or "").strip():
            violations.append(
                Violation("macro_documented", name, "macro has no description in a macros YAML")
            )
    for path, names in sorted(by_file.items()):
        stem = PurePosixPath(path).stem
        allowed = {stem} | {name for name in names if name.partition("__")[2] == stem}
        if stem not in names:
            expected = f"{{% test {stem[5:]} %}}" if stem.startswith("test_") else f"macro {stem}"
            violations.append(
                Violation("macro_file_name", path, f"file does not define {expected}")
            )
        for name in sorted(set(names) - allowed):
            violations.append(
                Violation(
                    "macro_file_name",
                    name,
                    f"defined in {path}; a macro file holds the macro named like it "
                    "(and its <adapter>__ implementations) only",
                )
            )
    return violations


def check_manifest(
    manifest: dict[str, Any], catalog: dict[str, Any] | None = None
) -> list[Violation]:
    """All rules over a loaded manifest (and optional catalog)."""
    return check_models(manifest, catalog) + check_macros(manifest)


# --- waivers and entry point ----------------------------------------------------------------


def load_waivers(path: Path | None) -> list[Waiver]:
    """Waivers from a YAML file (``waivers: [{rule, object, reason}]``) or a CSV with columns
    rule,object,reason. A missing file means no waivers; a waiver without a reason is an error."""
    if path is None or not path.exists():
        return []
    if path.suffix.lower() == ".csv":
        import csv

        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    else:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rows = document.get("waivers") or []
    waivers = []
    for row in rows:
        rule, obj, reason = (
            str(row.get(key) or "").strip() for key in ("rule", "object", "reason")
        )
        if not rule or not obj:
            raise ValueError(f"{path}: a waiver needs a rule and an object: {row}")
        if not reason:
            raise ValueError(f"{path}: waiver {rule} {obj} has no reason")
        waivers.append(Waiver(rule, obj, reason))
    return waivers


def apply_waivers(violations: list[Violation], waivers: list[Waiver]) -> Report:
    remaining, waived, used = [], [], set()
    for violation in violations:
        waiver = next((waiver for waiver in waivers if waiver.covers(violation)), None)
        if waiver is None:
            remaining.append(violation)
        else:
            waived.append((violation, waiver))
            used.add(waiver)
    return Report(remaining, waived, [waiver for waiver in waivers if waiver not in used])


def run(manifest_path: Path, catalog_path: Path | None, waivers_path: Path | None) -> Report:
    """Read the files, check, apply the waivers."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if catalog_path is None:
        candidate = manifest_path.with_name("catalog.json")
        catalog_path = candidate if candidate.exists() else None
    catalog = json.loads(catalog_path.read_text(encoding="utf-8")) if catalog_path else None
    return apply_waivers(check_manifest(manifest, catalog), load_waivers(waivers_path))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m market_warehouse.conventions", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="catalog.json for undocumented-column checks (default: next to the manifest, if any)",
    )
    parser.add_argument("--waivers", type=Path, default=DEFAULT_WAIVERS)
    args = parser.parse_args(argv)
    try:
        report = run(args.manifest, args.catalog, args.waivers)
    except (OSError, ValueError) as error:
        print(f"conventions: {error}", file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    return 0 if report.success else 1


if __name__ == "__main__":
    sys.exit(main())
