"""Observed HMM state transitions per sample side next to the fitted matrix."""

from market_warehouse.research.dbt_models import hmm_transitions_table


def model(dbt, session):
    dbt.config(materialized="table")
    hmm_model = dbt.ref("research_hmm_model").df()
    states = dbt.ref("research_hmm_states")
    return hmm_transitions_table(states, hmm_model, dbt.config.get("research"))
