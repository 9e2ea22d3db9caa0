"""HMM state profiles per sample side: sizes, feature moments, forward outcomes."""

from market_warehouse.research.dbt_models import hmm_profiles_table, profile_columns


def model(dbt, session):
    dbt.config(materialized="table")
    dataset = dbt.ref("research_dataset").project(profile_columns("hmm"))
    joined = dbt.ref("research_hmm_states").join(dataset, "ticker, trade_date")
    return hmm_profiles_table(joined, dbt.config.get("research"))
