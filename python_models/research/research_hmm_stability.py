"""Seed stability of the HMM: pairwise ARI of aligned causal states on the test rows."""

from market_warehouse.research.dbt_models import hmm_stability_table, to_frame, zscore_columns


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    zscores = dbt.ref("research_zscores").project(zscore_columns(config))
    return hmm_stability_table(to_frame(zscores), config)
