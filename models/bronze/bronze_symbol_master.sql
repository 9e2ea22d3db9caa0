with

bronze_ohlcv as (

    select * from {{ ref('bronze_ohlcv') }}

),

-- one pass over the rows; everything else works on this small per-file table
per_file as (

    select
        ticker,
        exchange,
        source_file,
        min(asset_type) as asset_type,
        min(trade_date) filter (where is_valid) as first_date,
        max(trade_date) filter (where is_valid) as last_date,
        count(*) as rows_total,
        count(*) filter (where is_valid) as rows_valid,
        count(*) filter (where not is_valid) as rows_invalid,
        count(*) filter (where has_warning) as rows_with_warnings,
        count(*) filter (where q_duplicate_identical or q_duplicate_conflicting) as duplicate_rows,
        count(*) filter (where q_suspicious_bar) as suspicious_bars,
        count(*) filter (where q_gap_in_calendar) as calendar_gap_rows,
        min(least(open, high, low, close)) filter (where is_valid) as min_price,
        max(greatest(open, high, low, close)) filter (where is_valid) as max_price,
        sum(volume) filter (where is_valid) as volume_sum
    from bronze_ohlcv
    group by ticker, exchange, source_file

),

-- the file silver reads for a ticker (same rule as bronze_valid_bars)
primary_files as (

    select
        ticker,
        source_file as primary_source_file
    from per_file
    where rows_valid > 0
    qualify row_number() over (
        partition by ticker order by rows_valid desc, source_file asc
    ) = 1

),

files_per_ticker as (

    select
        ticker,
        count(*) as ticker_file_count
    from per_file
    group by ticker

),

per_listing as (

    select
        ticker,
        exchange,
        min(asset_type) as asset_type,
        min(first_date) as first_date,
        max(last_date) as last_date,
        sum(rows_total) as rows_total,
        sum(rows_valid) as rows_valid,
        sum(rows_invalid) as rows_invalid,
        sum(rows_with_warnings) as rows_with_warnings,
        sum(duplicate_rows) as duplicate_rows,
        sum(suspicious_bars) as suspicious_bars,
        sum(calendar_gap_rows) as calendar_gap_rows,
        min(min_price) as min_price,
        max(max_price) as max_price,
        sum(volume_sum) / nullif(sum(rows_valid), 0) as avg_volume,
        string_agg(source_file, ' | ' order by source_file) as source_files,
        count(*) as source_file_count
    from per_file
    group by ticker, exchange

),

final as (

    select
        per_listing.ticker,
        per_listing.exchange,
        per_listing.asset_type,
        per_listing.first_date,
        per_listing.last_date,
        per_listing.rows_total,
        per_listing.rows_valid,
        per_listing.rows_invalid,
        per_listing.rows_with_warnings,
        per_listing.duplicate_rows,
        per_listing.suspicious_bars,
        per_listing.calendar_gap_rows,
        per_listing.min_price,
        per_listing.max_price,
        per_listing.avg_volume,
        per_listing.source_files,
        per_listing.source_file_count,
        files_per_ticker.ticker_file_count > 1 as is_in_multiple_files,
        primary_files.primary_source_file,
        coalesce(
            contains(
                ' | ' || per_listing.source_files || ' | ',
                ' | ' || primary_files.primary_source_file || ' | '
            ),
            false
        ) as is_primary_listing
    from per_listing
    left join files_per_ticker
        on per_listing.ticker = files_per_ticker.ticker
    left join primary_files
        on per_listing.ticker = primary_files.ticker

)

select * from final
