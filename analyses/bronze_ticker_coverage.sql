-- Coverage of each ticker: history span, valid share and warnings.
select
    ticker,
    exchange,
    asset_type,
    first_date,
    last_date,
    rows_valid,
    rows_invalid,
    rows_with_warnings,
    round(rows_valid / nullif(rows_total, 0), 4) as valid_share,
    is_in_multiple_files
from {{ ref('bronze_symbol_master') }}
order by rows_invalid desc, rows_with_warnings desc, ticker asc
