{{ config(materialized='view') }}

{#- The one daily series per ticker that silver reads. A ticker found in more than one file
    (two exchange folders, two copies) is taken from its primary file: the file with the most
    valid rows for that ticker, ties going to the first relative path. -#}

with

bronze_ohlcv as (

    select * from {{ ref('bronze_ohlcv') }}
    where is_valid

),

valid_rows_per_file as (

    select
        ticker,
        source_file,
        count(*) as valid_rows
    from bronze_ohlcv
    group by ticker, source_file

),

primary_files as (

    select
        ticker,
        source_file
    from valid_rows_per_file
    qualify row_number() over (
            partition by ticker order by valid_rows desc, source_file asc
        ) = 1

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
