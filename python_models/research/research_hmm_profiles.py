"""HMM state profiles per sample side: sizes, feature moments, forward outcomes."""

from market_warehouse.research.dbt_models import hmm_profiles_table, profile_columns, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    states = dbt.ref("research_hmm_states").project(
        "ticker, trade_date, hmm_state, hmm_state_run_length, is_train, is_test"
    )
    dataset = dbt.ref("research_dataset").project(profile_columns("hmm"))
    joined = states.join(dataset, "ticker, trade_date")
    return hmm_profiles_table(to_frame(joined), dbt.config.get("research"))
