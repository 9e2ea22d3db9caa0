"""HMM states against the rule-based flow states (flow_state_code) per sample side."""

from market_warehouse.research.dbt_models import hmm_crosstab_table, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    states = dbt.ref("research_hmm_states").project(
        "ticker, trade_date, hmm_state, flow_state_code, is_train, is_test"
    )
    return hmm_crosstab_table(to_frame(states), dbt.config.get("research"))
