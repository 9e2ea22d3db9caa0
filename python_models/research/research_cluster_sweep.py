"""Clustering metrics per (method, k): fitted on train rows, scored on test rows."""

from market_warehouse.research.dbt_models import cluster_sweep_table, input_columns, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    dataset = dbt.ref("research_dataset").project(input_columns(config))
    return cluster_sweep_table(to_frame(dataset), config)
