{{ config(materialized='view') }}

with

bronze_parsed_lines as (

    select * from {{ ref('bronze_parsed_lines') }}
    where line_kind = 'data'
        and reject_reason is null

),

bronze_file_listing as (

    select * from {{ ref('bronze_file_listing') }}

),

-- the flags of a row on its own (those that compare rows of a file come from the parse)
rows_flagged as (

    select
        bronze_parsed_lines.*,
        bronze_file_listing.exchange,
        bronze_file_listing.asset_type,
        bronze_parsed_lines.timeframe != 'D1' as q_bad_timeframe,
        least(
            bronze_parsed_lines.open,
            bronze_parsed_lines.high,
            bronze_parsed_lines.low,
            bronze_parsed_lines.close
        ) <= 0 as q_nonpositive_price,
        bronze_parsed_lines.high < bronze_parsed_lines.low as q_high_lt_low,
        bronze_parsed_lines.open < bronze_parsed_lines.low
        or bronze_parsed_lines.open > bronze_parsed_lines.high
        or bronze_parsed_lines.close < bronze_parsed_lines.low
        or bronze_parsed_lines.close > bronze_parsed_lines.high as q_ohlc_outside_hl,
        bronze_parsed_lines.volume < 0 as q_negative_volume,
        -- silver's exact rolling sums are scaled for values up to these bounds
        greatest(
            bronze_parsed_lines.open,
            bronze_parsed_lines.high,
            bronze_parsed_lines.low,
            bronze_parsed_lines.close
        ) > {{ var('max_valid_price') }}
        or bronze_parsed_lines.volume > {{ var('max_valid_volume') }} as q_out_of_range,
        coalesce(
            (
                abs(bronze_parsed_lines.close) > 0
                and (bronze_parsed_lines.high - bronze_parsed_lines.low)
                / abs(bronze_parsed_lines.close) > {{ var('suspicious_range_pct_threshold') }}
            )
            or (
                abs(bronze_parsed_lines.open) > 0
                and abs(bronze_parsed_lines.close / bronze_parsed_lines.open - 1)
                > {{ var('suspicious_return_pct_threshold') }}
            ),
            false
        ) as q_suspicious_bar
    from bronze_parsed_lines
    left join bronze_file_listing
        on bronze_parsed_lines.source_file = bronze_file_listing.relative_path

),

final as (

    select
        source_file,
        source_line_no,
        ticker,
        exchange,
        asset_type,
        timeframe,
        trade_date,
        open,
        high,
        low,
        close,
        volume,
        openint,
        q_bad_timeframe,
        q_nonpositive_price,
        q_high_lt_low,
        q_ohlc_outside_hl,
        q_negative_volume,
        q_out_of_range,
        q_duplicate_identical,
        q_duplicate_conflicting,
        q_suspicious_bar,
        q_gap_in_calendar,
        not q_bad_timeframe
        and not q_nonpositive_price
        and not q_high_lt_low
        and not q_ohlc_outside_hl
        and not q_negative_volume
        and not q_out_of_range
        and not q_duplicate_identical
        and not q_duplicate_conflicting as is_valid,
        concat_ws(
            ',',
            case when q_bad_timeframe then 'bad_timeframe' end,
            case when q_nonpositive_price then 'nonpositive_price' end,
            case when q_high_lt_low then 'high_lt_low' end,
            case when q_ohlc_outside_hl then 'ohlc_outside_hl' end,
            case when q_negative_volume then 'negative_volume' end,
            case when q_out_of_range then 'out_of_range' end,
            case when q_duplicate_identical then 'duplicate_identical' end,
            case when q_duplicate_conflicting then 'duplicate_conflicting' end
        ) as invalid_reasons,
        concat_ws(
            ',',
            case when q_suspicious_bar then 'suspicious_bar' end,
            case when q_gap_in_calendar then 'gap_in_calendar' end
        ) as warning_reasons,
        (q_suspicious_bar or q_gap_in_calendar) as has_warning,
        loaded_at
    from rows_flagged

)

select * from final
