"""The fitted Gaussian HMM (one row per state); the only HMM fit of the main run."""

from market_warehouse.research.dbt_models import hmm_model_table, input_columns, to_frame


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    dataset = dbt.ref("research_dataset").project(input_columns(config, outcomes=False))
    return hmm_model_table(to_frame(dataset), config)
