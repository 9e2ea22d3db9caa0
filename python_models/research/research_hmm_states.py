"""Causal (forward-filtered) HMM state of every kept row, from research_hmm_model."""

from market_warehouse.research.dbt_models import hmm_states_table, input_columns, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    dataset = dbt.ref("research_dataset").project(input_columns(config, outcomes=False))
    hmm_model = dbt.ref("research_hmm_model").df()
    return hmm_states_table(to_frame(dataset), hmm_model, config)
