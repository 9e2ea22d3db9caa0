"""Observed HMM state transitions per sample side next to the fitted matrix."""

from market_warehouse.research.dbt_models import hmm_transitions_table, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    states = dbt.ref("research_hmm_states").project(
        "ticker, trade_date, hmm_sequence_id, hmm_state, is_train, is_test"
    )
    hmm_model = dbt.ref("research_hmm_model").df()
    return hmm_transitions_table(to_frame(states), hmm_model, dbt.config.get("research"))
