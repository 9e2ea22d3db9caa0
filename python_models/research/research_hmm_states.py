"""Causal (forward-filtered) HMM state of every kept row, from research_hmm_model."""

from market_warehouse.research.dbt_models import hmm_states_table, to_frame, zscore_columns


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    zscores = dbt.ref("research_zscores").project(zscore_columns(config))
    hmm_model = dbt.ref("research_hmm_model").df()
    return hmm_states_table(to_frame(zscores), hmm_model, config)
