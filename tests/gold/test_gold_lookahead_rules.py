"""The look-ahead naming rule, checked on the dbt manifest (DESIGN §3).

1. Only `gold_labels` and the models built from it (its datasets, and research outputs that
   carry or aggregate its outcomes, e.g. cluster profiles of `fwd_ret_10`) may define a
   `fwd_*` or `label_*` column: a model that is not downstream of `gold_labels` and has one
   computes look-ahead of its own. Checked on the columns the manifest documents and on the
   columns of the built relations.
2. A feature model (every silver and gold model except `gold_labels` and the gold datasets,
   and any model named `*feature*`) must not select one: its compiled SQL must not mention a
   `fwd_` / `label_` identifier and it must not depend on `gold_labels`, directly or through
   other models. (Fitted research models necessarily read a dataset that carries outcomes;
   that they only use them to order and profile is checked by their own tests.)

The checks are functions of the manifest so that they can be shown to fail on a planted
violation (the last tests).
"""

from __future__ import annotations

import copy
import re

from tests.conftest import query

LOOKAHEAD_COLUMN = re.compile(r"^(fwd|label)_")
LOOKAHEAD_IDENTIFIER = re.compile(r"\b(fwd|label)_[a-z0-9_]*", re.IGNORECASE)
LABEL_MODEL = "gold_labels"
# Models allowed to define look-ahead columns besides gold_labels and its datasets, with the
# reason. REFERENCE Part B 5 allows smoothed HMM posteriors named label_* in research models;
# they belong here when they are added.
DOCUMENTED_EXCEPTIONS: dict[str, str] = {}


def _models(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def _downstream(manifest: dict, start: str) -> set[str]:
    """Names of the models that depend on model `start`, directly or transitively."""
    by_id = {uid: node["name"] for uid, node in manifest["nodes"].items()}
    children: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        for parent in node["depends_on"]["nodes"]:
            children.setdefault(by_id.get(parent, parent), set()).add(node["name"])
    seen: set[str] = set()
    stack = [start]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def allowed_models(manifest: dict) -> set[str]:
    """Models that may define look-ahead columns: gold_labels and everything built from it."""
    return {LABEL_MODEL} | _downstream(manifest, LABEL_MODEL) | set(DOCUMENTED_EXCEPTIONS)


def feature_models(manifest: dict) -> set[str]:
    """silver and gold models except gold_labels and the gold datasets, and *feature* models."""
    downstream = _downstream(manifest, LABEL_MODEL)
    gold_datasets = {n for n in downstream if n.startswith("gold_") and "dataset" in n}
    return {
        name
        for name in _models(manifest)
        if name not in {LABEL_MODEL} | gold_datasets
        and (name.startswith(("silver_", "gold_")) or "feature" in name)
    }


def lookahead_column_violations(manifest: dict, relation_columns: dict[str, list[str]]) -> list:
    """(model, column) pairs defining a look-ahead column outside the allowed models."""
    allowed = allowed_models(manifest)
    violations = []
    for name, node in sorted(_models(manifest).items()):
        if name in allowed:
            continue
        columns = set(node["columns"]) | set(relation_columns.get(name, []))
        violations += [(name, c) for c in sorted(columns) if LOOKAHEAD_COLUMN.match(c)]
    return violations


def feature_selection_violations(manifest: dict) -> list:
    """(model, reason) pairs for feature models that read a look-ahead column."""
    models = _models(manifest)
    label_dependents = _downstream(manifest, LABEL_MODEL)
    violations = []
    for name in sorted(feature_models(manifest)):
        code = models[name].get("compiled_code") or models[name].get("raw_code") or ""
        code = re.sub(r"--[^\n]*", "", code)  # comments may name the rule
        mentioned = sorted({m.group(0).lower() for m in LOOKAHEAD_IDENTIFIER.finditer(code)})
        if mentioned:
            violations.append((name, f"selects {mentioned}"))
        if name in label_dependents:
            violations.append((name, f"depends on {LABEL_MODEL}"))
    return violations


def _relation_columns(warehouse) -> dict[str, list[str]]:
    frame = query(
        warehouse.db_path,
        "select table_name, column_name from information_schema.columns",
    )
    return frame.groupby("table_name").column_name.apply(list).to_dict()


def test_only_gold_labels_and_its_datasets_define_lookahead_columns(gold_warehouse):
    manifest = gold_warehouse.manifest()
    assert {"gold_labels", "gold_ml_dataset"} <= allowed_models(manifest)
    assert not {"gold_events", "gold_features", "gold_flow_values"} & allowed_models(manifest)
    assert lookahead_column_violations(manifest, _relation_columns(gold_warehouse)) == []


def test_gold_labels_defines_only_lookahead_columns_besides_its_identity(gold_warehouse):
    columns = _models(gold_warehouse.manifest())["gold_labels"]["columns"]
    others = [c for c in columns if not LOOKAHEAD_COLUMN.match(c)]
    assert others == ["ticker", "trade_date", "bronze_loaded_at"]


def test_feature_models_do_not_select_lookahead_columns(gold_warehouse):
    manifest = gold_warehouse.manifest()
    assert {"gold_flow_values", "gold_events", "gold_features", "silver_indicators"} <= (
        feature_models(manifest)
    )
    assert all(_models(manifest)[m].get("compiled_code") for m in ("gold_features",))
    assert feature_selection_violations(manifest) == []


def test_a_planted_lookahead_column_in_a_feature_model_is_caught(gold_warehouse):
    manifest = copy.deepcopy(gold_warehouse.manifest())
    features = _models(manifest)["gold_features"]
    features["columns"]["fwd_ret_5"] = {"name": "fwd_ret_5"}
    features["compiled_code"] += "\n-- ok\nselect fwd_ret_5 from somewhere"
    assert ("gold_features", "fwd_ret_5") in lookahead_column_violations(manifest, {})
    assert ("gold_features", "selects ['fwd_ret_5']") in feature_selection_violations(manifest)
    # a column only in the built relation counts too
    relation_columns = {"silver_indicators": ["ticker", "label_regime"]}
    violations = lookahead_column_violations(manifest, relation_columns)
    assert ("silver_indicators", "label_regime") in violations


def test_a_feature_model_reading_gold_labels_is_caught(gold_warehouse):
    manifest = copy.deepcopy(gold_warehouse.manifest())
    labels_id = next(uid for uid, node in manifest["nodes"].items() if node["name"] == LABEL_MODEL)
    _models(manifest)["gold_flow_values"]["depends_on"]["nodes"].append(labels_id)
    violations = feature_selection_violations(manifest)
    assert ("gold_flow_values", "depends on gold_labels") in violations
    assert ("gold_events", "depends on gold_labels") in violations
    assert ("gold_features", "depends on gold_labels") in violations
