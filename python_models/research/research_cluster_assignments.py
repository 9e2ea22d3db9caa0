"""One row per kept gold_ml_dataset row with its canonical cluster (docs/research.md)."""

from market_warehouse.research.dbt_models import cluster_assignments_table, outcome_columns


def model(dbt, session):
    dbt.config(materialized="table")
    outcome = dbt.ref("research_dataset").project(outcome_columns())
    rows = dbt.ref("research_zscores").join(outcome, "ticker, trade_date")
    return cluster_assignments_table(rows, dbt.config.get("research"))
