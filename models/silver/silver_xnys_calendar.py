"""One row per calendar day with the XNYS session flag and a running session count."""

from market_warehouse.calendar import xnys_calendar_days


def model(dbt, session):
    dbt.config(materialized="table")
    return xnys_calendar_days(dbt.config.get("start_date"), dbt.config.get("end_date"))
