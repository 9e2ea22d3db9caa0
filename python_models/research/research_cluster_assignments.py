"""One row per kept gold_ml_dataset row with its canonical cluster (docs/research.md)."""

from market_warehouse.research.dbt_models import cluster_assignments_table


def model(dbt, session):
    dbt.config(materialized="table")
    return cluster_assignments_table(dbt.ref("research_zscores"), dbt.config.get("research"))
