"""HMM state frequency, dwell (run length) statistics and initial distribution."""

from market_warehouse.research.dbt_models import hmm_dwell_table


def model(dbt, session):
    dbt.config(materialized="table")
    hmm_model = dbt.ref("research_hmm_model").df()
    return hmm_dwell_table(dbt.ref("research_hmm_states"), hmm_model, dbt.config.get("research"))
