"""Split, null policy and scaler (fitted on train rows) once: z-scores of every kept row."""

from market_warehouse.research.dbt_models import zscores_input_columns, zscores_table


def model(dbt, session):
    dbt.config(materialized="table")
    config = dbt.config.get("research")
    dataset = dbt.ref("research_dataset").project(zscores_input_columns(config))
    return zscores_table(dataset, config)
