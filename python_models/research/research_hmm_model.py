"""The fitted Gaussian HMM (one row per state); the only HMM fit of the main run."""

from market_warehouse.research.dbt_models import hmm_model_table


def model(dbt, session):
    dbt.config(materialized="table")
    return hmm_model_table(dbt.ref("research_zscores"), dbt.config.get("research"))
