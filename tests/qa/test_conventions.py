"""Each convention rule is caught on a small synthetic manifest; a clean one passes."""

from __future__ import annotations

import copy
import json

import pytest

from market_warehouse import conventions
from market_warehouse.conventions import check_manifest, hard_coded_relations

PROJECT = "market_warehouse"


def model(
    name: str,
    folder: str,
    *,
    sql: str = "select 1 as id",
    columns: dict[str, str] | None = None,
    depends_on: list[str] | None = None,
    language: str = "sql",
    root: str = "models",
    contract: bool = False,
) -> dict:
    columns = {"id": "Primary key."} if columns is None else columns
    suffix = "py" if language == "python" else "sql"
    return {
        "unique_id": f"model.{PROJECT}.{name}",
        "resource_type": "model",
        "package_name": PROJECT,
        "name": name,
        "original_file_path": f"{root}/{folder}/{name}.{suffix}",
        "description": f"One row per thing in {name}.",
        "columns": {
            column: {"name": column, "description": text} for column, text in columns.items()
        },
        "raw_code": sql,
        "language": language,
        "depends_on": {"nodes": depends_on or [], "macros": []},
        "contract": {"enforced": contract},
        "constraints": [],
    }


def pk_tests(model_name: str, column: str = "id") -> dict[str, dict]:
    tests = {}
    for test_name in ("unique", "not_null"):
        unique_id = f"test.{PROJECT}.{test_name}_{model_name}_{column}"
        tests[unique_id] = {
            "unique_id": unique_id,
            "resource_type": "test",
            "package_name": PROJECT,
            "name": f"{test_name}_{model_name}_{column}",
            "attached_node": f"model.{PROJECT}.{model_name}",
            "column_name": column,
            "test_metadata": {"name": test_name, "kwargs": {"column_name": column}},
            "depends_on": {"nodes": [f"model.{PROJECT}.{model_name}"]},
        }
    return tests


def macro(name: str, path: str, description: str = "Does one thing.") -> dict:
    return {
        "unique_id": f"macro.{PROJECT}.{name}",
        "name": name,
        "package_name": PROJECT,
        "original_file_path": path,
        "description": description,
    }


def add_model(manifest: dict, node: dict, *, with_pk: bool = True) -> None:
    manifest["nodes"][node["unique_id"]] = node
    if with_pk:
        manifest["nodes"].update(pk_tests(node["name"]))


@pytest.fixture
def clean_manifest() -> dict:
    manifest = {
        "metadata": {"project_name": PROJECT},
        "nodes": {},
        "sources": {},
        "macros": {},
        "unit_tests": {},
    }
    source_id = f"source.{PROJECT}.raw.stooq"
    add_model(
        manifest,
        model(
            "bronze_bars",
            "bronze",
            sql="select * from {{ source('raw', 'stooq') }}",
            depends_on=[source_id],
        ),
    )
    add_model(
        manifest,
        model(
            "silver_returns",
            "silver",
            sql=(
                "with bronze_bars as (select * from {{ ref('bronze_bars') }})\n"
                "select id, extract(year from bronze_bars.trade_date) as trade_year,\n"
                "    lag(id) over (order by id) as prev_id\nfrom bronze_bars"
            ),
            depends_on=[f"model.{PROJECT}.bronze_bars"],
        ),
    )
    manifest["unit_tests"][f"unit_test.{PROJECT}.silver_returns.lag"] = {
        "model": "silver_returns",
        "name": "lag",
    }
    add_model(
        manifest,
        model(
            "gold_labels",
            "gold",
            sql="select id, 1.0 as fwd_ret_5, 1 as label_tb_value from {{ ref('silver_returns') }}",
            columns={"id": "Key.", "fwd_ret_5": "Forward return.", "label_tb_value": "Label."},
            depends_on=[f"model.{PROJECT}.silver_returns"],
            contract=True,
        ),
    )
    add_model(
        manifest,
        model(
            "gold_ml_dataset",
            "gold",
            sql="select * from {{ ref('gold_labels') }}",
            columns={"id": "Key.", "fwd_ret_5": "Forward return."},
            depends_on=[f"model.{PROJECT}.gold_labels"],
            contract=True,
        ),
    )
    add_model(
        manifest,
        model(
            "gold_features",
            "gold",
            sql="select id, ret_5d from {{ ref('silver_returns') }}",
            depends_on=[f"model.{PROJECT}.silver_returns"],
            contract=True,
        ),
    )
    add_model(
        manifest,
        model(
            "research_clusters",
            "research",
            sql="def model(dbt, session):\n    from market_warehouse.research import x\n",
            language="python",
            root="python_models",
            depends_on=[f"model.{PROJECT}.gold_features"],
        ),
    )
    unique_key_id = f"test.{PROJECT}.unique_key_silver_returns"
    manifest["nodes"][unique_key_id] = {
        "unique_id": unique_key_id,
        "resource_type": "test",
        "package_name": PROJECT,
        "attached_node": f"model.{PROJECT}.silver_returns",
        "column_name": None,
        "test_metadata": {"name": "unique_key", "kwargs": {"columns": ["id", "trade_year"]}},
        "depends_on": {"nodes": [f"model.{PROJECT}.silver_returns"]},
    }
    for item in (
        macro("set_list_variable", "macros/set_list_variable.sql"),
        macro("duckdb__set_list_variable", "macros/set_list_variable.sql", description=""),
        macro("test_unique_key", "macros/tests/test_unique_key.sql"),
    ):
        manifest["macros"][item["unique_id"]] = item
    return manifest


def rules(manifest: dict) -> set[tuple[str, str]]:
    return {(violation.rule, violation.object) for violation in check_manifest(manifest)}


def test_clean_manifest_passes(clean_manifest):
    assert check_manifest(clean_manifest) == []


def test_model_without_description_is_caught(clean_manifest):
    clean_manifest["nodes"][f"model.{PROJECT}.silver_returns"]["description"] = " "
    assert rules(clean_manifest) == {("model_description", "silver_returns")}


def test_model_without_documented_columns_is_caught(clean_manifest):
    node = model("silver_empty", "silver", columns={})
    clean_manifest["nodes"][node["unique_id"]] = node
    found = rules(clean_manifest)
    assert ("model_columns_documented", "silver_empty") in found


def test_column_without_description_is_caught(clean_manifest):
    node = clean_manifest["nodes"][f"model.{PROJECT}.gold_labels"]
    node["columns"]["label_tb_value"]["description"] = ""
    assert rules(clean_manifest) == {("column_description", "gold_labels.label_tb_value")}


def test_column_in_catalog_but_not_in_yaml_is_caught(clean_manifest):
    catalog = {
        "nodes": {
            f"model.{PROJECT}.bronze_bars": {
                "columns": {"id": {"name": "id"}, "secret_col": {"name": "secret_col"}}
            }
        }
    }
    found = {(v.rule, v.object) for v in check_manifest(clean_manifest, catalog)}
    assert found == {("column_undocumented", "bronze_bars.secret_col")}


def test_model_without_primary_key_test_is_caught(clean_manifest):
    del clean_manifest["nodes"][f"test.{PROJECT}.unique_bronze_bars_id"]
    assert rules(clean_manifest) == {("primary_key_test", "bronze_bars")}


def test_unique_and_not_null_on_different_columns_is_no_primary_key(clean_manifest):
    tests = pk_tests("bronze_bars", column="other")
    del clean_manifest["nodes"][f"test.{PROJECT}.not_null_bronze_bars_id"]
    clean_manifest["nodes"].update({k: v for k, v in tests.items() if "not_null" in k})
    assert rules(clean_manifest) == {("primary_key_test", "bronze_bars")}


def test_model_named_against_its_folder_is_caught(clean_manifest):
    add_model(clean_manifest, model("bars_clean", "silver"))
    add_model(
        clean_manifest,
        model("clusters", "research", language="python", root="python_models", sql="x = 1"),
    )
    add_model(clean_manifest, model("loose_model", "", sql="select 1 as id"))
    clean_manifest["nodes"][f"model.{PROJECT}.loose_model"]["original_file_path"] = (
        "models/loose_model.sql"
    )
    found = rules(clean_manifest)
    assert {
        ("layer_prefix", "bars_clean"),
        ("layer_prefix", "clusters"),
        ("layer_prefix", "loose_model"),
    } <= found


def test_source_read_outside_bronze_is_caught(clean_manifest):
    node = clean_manifest["nodes"][f"model.{PROJECT}.silver_returns"]
    node["depends_on"]["nodes"].append(f"source.{PROJECT}.raw.stooq")
    assert rules(clean_manifest) == {("source_outside_bronze", "silver_returns")}


@pytest.mark.parametrize(
    "sql",
    [
        "select * from main.bronze_bars",
        "select * from {{ ref('a') }} as a\nleft join analytics.main.silver_x as x on a.id = x.id",
        'select * from "main"."bronze_bars"',
    ],
)
def test_hard_coded_relation_is_caught(clean_manifest, sql):
    clean_manifest["nodes"][f"model.{PROJECT}.gold_features"]["raw_code"] = sql
    assert rules(clean_manifest) == {("hard_coded_relation", "gold_features")}


def test_refs_comments_and_extract_are_not_hard_coded_relations():
    sql = (
        "-- read from main.bronze_bars via ref\n"
        "{# from main.x #}\n"
        "select extract(year from bars.trade_date) as y, trim(both from bars.t) as t,\n"
        "    'from main.text' as s\n"
        "from {{ ref('bronze_bars') }} as bars\n"
        "inner join bars_cte on bars.id = bars_cte.id"
    )
    assert hard_coded_relations(sql) == []


def test_gold_sql_model_without_enforced_contract_is_caught(clean_manifest):
    clean_manifest["nodes"][f"model.{PROJECT}.gold_features"]["contract"]["enforced"] = False
    assert rules(clean_manifest) == {("gold_contract", "gold_features")}


def test_window_function_model_without_unit_test_is_caught(clean_manifest):
    clean_manifest["unit_tests"] = {}
    assert rules(clean_manifest) == {("unit_test_for_window", "silver_returns")}


def test_undocumented_macro_is_caught_but_its_dispatch_implementation_is_not(clean_manifest):
    clean_manifest["macros"][f"macro.{PROJECT}.set_list_variable"]["description"] = ""
    assert rules(clean_manifest) == {("macro_documented", "set_list_variable")}


def test_macro_named_unlike_its_file_is_caught(clean_manifest):
    extra = macro("helper", "macros/set_list_variable.sql")
    clean_manifest["macros"][extra["unique_id"]] = extra
    wrong = macro("other_name", "macros/my_macro.sql")
    clean_manifest["macros"][wrong["unique_id"]] = wrong
    wrong_test = macro("test_other", "macros/tests/test_thing.sql")
    clean_manifest["macros"][wrong_test["unique_id"]] = wrong_test
    found = rules(clean_manifest)
    assert {
        ("macro_file_name", "helper"),
        ("macro_file_name", "macros/my_macro.sql"),
        ("macro_file_name", "other_name"),
        ("macro_file_name", "macros/tests/test_thing.sql"),
    } <= found


def test_lookahead_column_outside_labels_lineage_is_caught(clean_manifest):
    node = clean_manifest["nodes"][f"model.{PROJECT}.silver_returns"]
    node["raw_code"] += "\n-- fwd_ret_5 in a comment is fine\n"
    assert check_manifest(clean_manifest) == []
    node["raw_code"] = node["raw_code"].replace("as prev_id", "as prev_id, lead(id) as fwd_id")
    assert rules(clean_manifest) == {("lookahead_column", "silver_returns")}


def test_lookahead_column_documented_in_yaml_outside_labels_is_caught(clean_manifest):
    node = clean_manifest["nodes"][f"model.{PROJECT}.research_clusters"]
    node["columns"]["label_cluster"] = {"name": "label_cluster", "description": "x"}
    assert rules(clean_manifest) == {("lookahead_column", "research_clusters")}


def test_feature_model_selecting_or_reading_labels_is_caught(clean_manifest):
    node = clean_manifest["nodes"][f"model.{PROJECT}.gold_features"]
    node["raw_code"] = "select id, fwd_ret_5 from {{ ref('gold_labels') }}"
    node["depends_on"]["nodes"] = [f"model.{PROJECT}.gold_labels"]
    violations = [v for v in check_manifest(clean_manifest) if v.object == "gold_features"]
    assert [v.rule for v in violations] == ["feature_lookahead", "feature_lookahead"]
    assert "fwd_ret_5" in violations[0].message
    assert "gold_labels" in violations[1].message


def test_waiver_with_reason_silences_a_violation_and_unused_waivers_are_reported(
    clean_manifest, tmp_path
):
    broken = copy.deepcopy(clean_manifest)
    broken["nodes"][f"model.{PROJECT}.gold_features"]["contract"]["enforced"] = False
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_text(json.dumps(broken))
    waivers = tmp_path / "waivers.yml"
    waivers.write_text(
        "waivers:\n"
        "  - rule: gold_contract\n    object: gold_feat*\n    reason: contract lands with v2\n"
        "  - rule: primary_key_test\n    object: nothing_here\n    reason: stale\n"
    )
    report = conventions.run(manifest_path, None, waivers)
    assert report.success
    assert [violation.object for violation, _ in report.waived] == ["gold_features"]
    assert [waiver.object for waiver in report.unused_waivers] == ["nothing_here"]


def test_waiver_without_reason_is_rejected(tmp_path):
    path = tmp_path / "waivers.csv"
    path.write_text("rule,object,reason\ngold_contract,gold_features,\n")
    with pytest.raises(ValueError, match="no reason"):
        conventions.load_waivers(path)


def test_cli_exit_codes(clean_manifest, tmp_path, capsys):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(clean_manifest))
    none = tmp_path / "none.yml"
    assert conventions.main(["--manifest", str(path), "--waivers", str(none)]) == 0
    clean_manifest["nodes"][f"model.{PROJECT}.bronze_bars"]["description"] = ""
    path.write_text(json.dumps(clean_manifest))
    assert conventions.main(["--manifest", str(path), "--waivers", str(none)]) == 1
    out = capsys.readouterr().out
    assert "model_description          bronze_bars: model has no description" in out
    assert conventions.main(["--manifest", str(tmp_path / "missing.json")]) == 2
