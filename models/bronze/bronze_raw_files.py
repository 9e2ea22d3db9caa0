from market_warehouse.raw_files import scan_raw_root


def model(dbt, session):
    dbt.config(materialized="table")
    return scan_raw_root(dbt.config.get("raw_root"))
