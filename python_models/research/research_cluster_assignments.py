"""One row per kept gold_ml_dataset row with its canonical cluster (docs/research.md)."""

from market_warehouse.research.dbt_models import cluster_assignments_table, input_columns, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    dataset = dbt.ref("research_dataset").project(input_columns(config))
    return cluster_assignments_table(to_frame(dataset), config)
