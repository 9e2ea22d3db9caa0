"""Causal (forward-filtered) HMM state of every kept row, from research_hmm_model."""

from market_warehouse.research.dbt_models import hmm_states_table


def model(dbt, session):
    dbt.config(materialized="table")
    hmm_model = dbt.ref("research_hmm_model").df()
    return hmm_states_table(dbt.ref("research_zscores"), hmm_model, dbt.config.get("research"))
