with

bronze_file_manifest as (

    select * from {{ ref('bronze_file_manifest') }}
    where status != 'MISSING'

),

bronze_symbol_master as (

    select * from {{ ref('bronze_symbol_master') }}

),

files_per_exchange as (

    select
        exchange,
        count(*) as file_count,
        count(*) filter (where load_outcome = 'failed') as failed_file_count,
        sum(data_lines) as data_lines,
        sum(rejected_lines) as rejected_lines
    from bronze_file_manifest
    group by exchange

),

rows_per_exchange as (

    select
        exchange,
        count(distinct ticker) as ticker_count,
        sum(rows_total) as rows_total,
        sum(rows_valid) as rows_valid,
        sum(rows_invalid) as rows_invalid,
        sum(rows_with_warnings) as rows_with_warnings,
        min(first_date) as first_date,
        max(last_date) as last_date
    from bronze_symbol_master
    group by exchange

),

final as (

    select
        files_per_exchange.exchange,
        files_per_exchange.file_count,
        files_per_exchange.failed_file_count,
        coalesce(rows_per_exchange.ticker_count, 0) as ticker_count,
        files_per_exchange.data_lines,
        files_per_exchange.rejected_lines,
        coalesce(rows_per_exchange.rows_total, 0) as rows_total,
        coalesce(rows_per_exchange.rows_valid, 0) as rows_valid,
        coalesce(rows_per_exchange.rows_invalid, 0) as rows_invalid,
        coalesce(rows_per_exchange.rows_with_warnings, 0) as rows_with_warnings,
        rows_per_exchange.first_date,
        rows_per_exchange.last_date
    from files_per_exchange
    left join rows_per_exchange
        on files_per_exchange.exchange = rows_per_exchange.exchange

)

select * from final
