"""Seed stability of the HMM: pairwise ARI of aligned causal states on the test rows."""

from market_warehouse.research.dbt_models import hmm_stability_table, input_columns, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    dataset = dbt.ref("research_dataset").project(input_columns(config, outcomes=False))
    return hmm_stability_table(to_frame(dataset), config)
