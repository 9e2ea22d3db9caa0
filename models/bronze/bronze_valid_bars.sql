{{ config(materialized='view') }}

{#- The one daily series per ticker that silver reads: the valid rows of the ticker's primary
    file, chosen in `bronze_symbol_master` (most valid rows, ties to the first path). -#}

with

bronze_ohlcv as (

    select * from {{ ref('bronze_ohlcv') }}
    where is_valid

),

primary_files as (

    select distinct
        ticker,
        primary_source_file as source_file
    from {{ ref('bronze_symbol_master') }}
    where primary_source_file is not null

),

final as (

    select
        bronze_ohlcv.ticker,
        bronze_ohlcv.trade_date,
        bronze_ohlcv.exchange,
        bronze_ohlcv.asset_type,
        bronze_ohlcv.open,
        bronze_ohlcv.high,
        bronze_ohlcv.low,
        bronze_ohlcv.close,
        bronze_ohlcv.volume,
        bronze_ohlcv.openint,
        bronze_ohlcv.q_suspicious_bar::integer
        + bronze_ohlcv.q_gap_in_calendar::integer as quality_warn_count,
        bronze_ohlcv.source_file,
        bronze_ohlcv.source_line_no,
        bronze_ohlcv.loaded_at
    from bronze_ohlcv
    inner join primary_files
        on bronze_ohlcv.ticker = primary_files.ticker
            and bronze_ohlcv.source_file = primary_files.source_file

)

select * from final
