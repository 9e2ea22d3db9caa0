"""Seed stability of the clustering: pairwise ARI of the test-row labels."""

from market_warehouse.research.dbt_models import (
    cluster_stability_table,
    outcome_columns,
    to_frame,
    zscore_columns,
)


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    zscores = dbt.ref("research_zscores").project(zscore_columns(config))
    outcome = dbt.ref("research_dataset").project(outcome_columns())
    return cluster_stability_table(to_frame(zscores.join(outcome, "ticker, trade_date")), config)
