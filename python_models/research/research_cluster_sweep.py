"""Clustering metrics per (method, k): fitted on train rows, scored on test rows."""

from market_warehouse.research.dbt_models import cluster_sweep_table, outcome_columns


def model(dbt, session):
    dbt.config(materialized="table")
    outcome = dbt.ref("research_dataset").project(outcome_columns())
    rows = dbt.ref("research_zscores").join(outcome, "ticker, trade_date")
    return cluster_sweep_table(rows, dbt.config.get("research"))
