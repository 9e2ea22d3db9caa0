"""One row per kept gold_ml_dataset row with its canonical cluster (docs/research.md)."""

from market_warehouse.research.dbt_models import (
    cluster_assignments_table,
    outcome_columns,
    to_frame,
    zscore_columns,
)


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    zscores = dbt.ref("research_zscores").project(zscore_columns(config))
    outcome = dbt.ref("research_dataset").project(outcome_columns())
    return cluster_assignments_table(to_frame(zscores.join(outcome, "ticker, trade_date")), config)
