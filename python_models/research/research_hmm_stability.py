"""Seed stability of the HMM: pairwise ARI of aligned causal states on the test rows."""

from market_warehouse.research.dbt_models import hmm_stability_table


def model(dbt, session):
    dbt.config(materialized="table")
    return hmm_stability_table(dbt.ref("research_zscores"), dbt.config.get("research"))
