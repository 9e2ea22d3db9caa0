"""Clustering metrics per (method, k): fitted on train rows, scored on test rows."""

from market_warehouse.research.dbt_models import cluster_sweep_table


def model(dbt, session):
    dbt.config(materialized="table")
    return cluster_sweep_table(dbt.ref("research_zscores"), dbt.config.get("research"))
