"""The gold_ml_dataset columns the research models read, materialised once (in DuckDB)."""

from market_warehouse.research.dbt_models import dataset_columns


def model(dbt, session):
    dbt.config(materialized="table")
    return dbt.ref("gold_ml_dataset").project(dataset_columns(dbt.config.get("research")))
