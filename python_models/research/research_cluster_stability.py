"""Seed stability of the clustering: pairwise ARI of the test-row labels."""

from market_warehouse.research.dbt_models import cluster_stability_table, input_columns, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    dataset = dbt.ref("research_dataset").project(input_columns(config))
    return cluster_stability_table(to_frame(dataset), config)
