"""Cluster profiles per sample side: sizes, feature moments, forward outcomes."""

from market_warehouse.research.dbt_models import cluster_profiles_table, profile_columns


def model(dbt, session):
    dbt.config(materialized="table")
    dataset = dbt.ref("research_dataset").project(profile_columns("cluster"))
    joined = dbt.ref("research_cluster_assignments").join(dataset, "ticker, trade_date")
    return cluster_profiles_table(joined, dbt.config.get("research"))
