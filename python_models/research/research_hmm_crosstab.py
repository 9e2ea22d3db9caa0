"""HMM states against the rule-based flow states (flow_state_code) per sample side."""

from market_warehouse.research.dbt_models import hmm_crosstab_table


def model(dbt, session):
    dbt.config(materialized="table")
    return hmm_crosstab_table(dbt.ref("research_hmm_states"), dbt.config.get("research"))
