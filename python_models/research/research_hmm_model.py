"""The fitted Gaussian HMM (one row per state); the only HMM fit of the main run."""

from market_warehouse.research.dbt_models import hmm_model_table, to_frame, zscore_columns


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    zscores = dbt.ref("research_zscores").project(zscore_columns(config))
    return hmm_model_table(to_frame(zscores), config)
