"""Seed stability of the clustering: pairwise ARI of the test-row labels."""

from market_warehouse.research.dbt_models import cluster_stability_table


def model(dbt, session):
    dbt.config(materialized="table")
    return cluster_stability_table(
        dbt.ref("research_zscores"),
        dbt.config.get("research"),
        dbt.ref("research_cluster_assignments"),  # the main fit is seed research_seed
    )
