"""Seed stability of the clustering: pairwise ARI of the test-row labels."""

from market_warehouse.research.dbt_models import cluster_stability_table, input_columns


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    dataset = dbt.ref("gold_ml_dataset").project(input_columns(config))
    return cluster_stability_table(dataset.df(), config)
