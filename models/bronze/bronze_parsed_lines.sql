{#-
    Every physical line of every loaded raw file, parsed once. `bronze_ohlcv` (typed rows) and
    `bronze_rejected_lines` (lines that cannot become a typed row) are the two halves of this
    table. Incremental: the pre-hooks pick the files whose fingerprint is not loaded yet and
    delete the rows of those files and of files that are gone or no longer loadable, so a run
    parses only NEW and CHANGED files and leaves no stale rows behind.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ bronze_prepare_file_load() }}",
) }}

with

bronze_file_listing as (

    select * from {{ ref('bronze_file_listing') }}

),

raw_files as (

    {{ read_text_files('files_to_load') }}

),

files as (

    select
        bronze_file_listing.relative_path as source_file,
        bronze_file_listing.fingerprint as source_fingerprint,
        bronze_file_listing.exchange,
        bronze_file_listing.asset_type,
        raw_files.is_utf8,
        raw_files.file_text,
        -- the first non-blank line decides the delimiter and may be the header
        regexp_extract(raw_files.file_text, '^\s*', 0) as leading_blank_text,
        trim(
            regexp_extract(raw_files.file_text, '^\s*([^\n]*)', 1),
            ' ' || chr(9) || chr(13) || chr(65279)
        ) as first_line,
        regexp_matches(raw_files.file_text, '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]')
            as has_control_characters
    from raw_files
    inner join bronze_file_listing
        on raw_files.absolute_path = bronze_file_listing.absolute_path

),

files_described as (

    select
        * exclude (leading_blank_text),
        length(leading_blank_text)
        - length(replace(leading_blank_text, chr(10), '')) + 1 as first_line_no,
        -- the most frequent of , tab | ; in the first line wins; ties go to the earlier one
        case
            when greatest(
                length(first_line) - length(replace(first_line, ',', '')),
                length(first_line) - length(replace(first_line, chr(9), '')),
                length(first_line) - length(replace(first_line, '|', '')),
                length(first_line) - length(replace(first_line, ';', ''))
            ) = 0 then ','
            when length(first_line) - length(replace(first_line, ',', ''))
                >= greatest(
                    length(first_line) - length(replace(first_line, chr(9), '')),
                    length(first_line) - length(replace(first_line, '|', '')),
                    length(first_line) - length(replace(first_line, ';', ''))
                ) then ','
            when length(first_line) - length(replace(first_line, chr(9), ''))
                >= greatest(
                    length(first_line) - length(replace(first_line, '|', '')),
                    length(first_line) - length(replace(first_line, ';', ''))
                ) then chr(9)
            when length(first_line) - length(replace(first_line, '|', ''))
                >= length(first_line) - length(replace(first_line, ';', '')) then '|'
            else ';'
        end as delimiter
    from files

),

files_with_header as (

    select
        *,
        starts_with(
            replace(regexp_replace(upper(first_line), '[<>\s]', '', 'g'), delimiter, ','),
            'TICKER,PER,DATE,TIME,OPEN,HIGH,LOW,CLOSE,VOL,OPENINT'
        ) as has_header
    from files_described

),

lines as (

    select
        files_with_header.* exclude (file_text, first_line),
        split_lines.source_line_no,
        len(string_split(files_with_header.file_text, chr(10))) as element_count,
        split_lines.line_text = '' as is_empty_element,
        rtrim(split_lines.line_text, chr(13)) as line_text
    from files_with_header,
        {{ unnest_lines('files_with_header.file_text') }}

),

lines_classified as (

    select
        *,
        case
            when source_line_no = first_line_no and has_header then 'header'
            when trim(replace(line_text, chr(65279), '')) = '' then 'blank'
            else 'data'
        end as line_kind
    from lines
    -- the empty string after a final newline (or of an empty file) is not a line
    where not (is_empty_element and source_line_no = element_count)

),

fields_split as (

    select
        *,
        string_split(
            trim(
                case when source_line_no = 1 then replace(line_text, chr(65279), '') else line_text end
            ),
            delimiter
        ) as fields
    from lines_classified

),

fields_named as (

    select
        source_file,
        source_fingerprint,
        source_line_no,
        exchange,
        asset_type,
        line_kind,
        line_text,
        is_utf8,
        has_control_characters,
        len(fields) as field_count,
        trim(fields[1]) as raw_ticker,
        upper(trim(fields[2])) as raw_per,
        trim(fields[3]) as raw_date,
        trim(fields[4]) as raw_time,
        trim(fields[5]) as raw_open,
        trim(fields[6]) as raw_high,
        trim(fields[7]) as raw_low,
        trim(fields[8]) as raw_close,
        trim(fields[9]) as raw_volume,
        trim(fields[10]) as raw_openint
    from fields_split

),

fields_typed as (

    select
        *,
        case
            when length(raw_date) = 8
                then try_strptime(raw_date, '%Y%m%d')::date
        end as trade_date,
        case
            when length(raw_time) between 1 and 6
                then try_strptime(lpad(raw_time, 6, '0'), '%H%M%S')
        end as parsed_time,
        try_cast(raw_open as double) as open,
        try_cast(raw_high as double) as high,
        try_cast(raw_low as double) as low,
        try_cast(raw_close as double) as close,
        try_cast(raw_volume as double) as volume,
        try_cast(raw_openint as bigint) as openint
    from fields_named

),

-- why a data line cannot become a typed row (NULL for a typed row)
lines_judged as (

    select
        *,
        case
            when line_kind != 'data' then null
            when not is_utf8 and contains(line_text, '\x') then 'invalid_utf8'
            when has_control_characters
                and regexp_matches(line_text, '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]')
                then 'control_characters'
            when field_count != 10 then 'field_count:' || field_count::varchar
            else nullif(concat_ws(
                ',',
                case when coalesce(raw_ticker, '') = '' then 'missing_field:ticker' end,
                case when coalesce(raw_per, '') = '' then 'missing_field:per' end,
                case
                    when coalesce(raw_date, '') = '' then 'missing_field:date'
                    when trade_date is null then 'unparsable_date'
                end,
                case
                    when coalesce(raw_time, '') = '' then 'missing_field:time'
                    when parsed_time is null then 'unparsable_time'
                end,
                case
                    when coalesce(raw_open, '') = '' then 'missing_field:open'
                    when not coalesce(isfinite(open), false) then 'unparsable_number:open'
                end,
                case
                    when coalesce(raw_high, '') = '' then 'missing_field:high'
                    when not coalesce(isfinite(high), false) then 'unparsable_number:high'
                end,
                case
                    when coalesce(raw_low, '') = '' then 'missing_field:low'
                    when not coalesce(isfinite(low), false) then 'unparsable_number:low'
                end,
                case
                    when coalesce(raw_close, '') = '' then 'missing_field:close'
                    when not coalesce(isfinite(close), false) then 'unparsable_number:close'
                end,
                case
                    when coalesce(raw_volume, '') = '' then 'missing_field:volume'
                    when not coalesce(isfinite(volume), false) then 'unparsable_number:volume'
                end,
                case
                    when coalesce(raw_openint, '') != '' and openint is null
                        then 'unparsable_number:openint'
                end
            ), '')
        end as reject_reason
    from fields_typed

),

typed_rows as (

    select
        * exclude (trade_date),
        line_kind = 'data' and reject_reason is null as is_typed,
        case when line_kind = 'data' and reject_reason is null then upper(raw_ticker) end as ticker,
        case when line_kind = 'data' and reject_reason is null then trade_date end as trade_date,
        case when raw_per = 'D' then 'D1' else raw_per end as timeframe
    from lines_judged

),

-- duplicates and calendar gaps are judged among the typed rows of one file (every other line
-- has a NULL ticker and date, so it never shares a partition with a typed row)
rows_in_context as (

    select
        *,
        count(*) over same_day as copies_of_day,
        min(hash(raw_per, raw_time, open, high, low, close, volume, openint)) over same_day
        = max(hash(raw_per, raw_time, open, high, low, close, volume, openint)) over same_day
            as copies_are_identical,
        row_number() over (same_day order by source_line_no) as copy_number,
        trade_date - lag(trade_date) over (
            partition by source_file, ticker order by trade_date, source_line_no
        ) as calendar_days_since_previous
    from typed_rows
    window same_day as (partition by source_file, ticker, trade_date)

),

final as (

    select
        source_file,
        source_line_no,
        line_kind,
        reject_reason,
        case when reject_reason is not null then line_text end as raw_line,
        ticker,
        exchange,
        asset_type,
        case when is_typed then timeframe end as timeframe,
        trade_date,
        case when is_typed then open end as open,
        case when is_typed then high end as high,
        case when is_typed then low end as low,
        case when is_typed then close end as close,
        case when is_typed then volume end as volume,
        case when is_typed then openint end as openint,
        case when is_typed then timeframe != 'D1' end as q_bad_timeframe,
        case when is_typed then least(open, high, low, close) <= 0 end as q_nonpositive_price,
        case when is_typed then high < low end as q_high_lt_low,
        case
            when is_typed then open < low or open > high or close < low or close > high
        end as q_ohlc_outside_hl,
        case when is_typed then volume < 0 end as q_negative_volume,
        case
            when is_typed then copies_of_day > 1 and copies_are_identical and copy_number > 1
        end as q_duplicate_identical,
        case
            when is_typed then copies_of_day > 1 and not copies_are_identical
        end as q_duplicate_conflicting,
        case
            when is_typed then coalesce(
                (
                    abs(close) > 0
                    and (high - low) / abs(close) > {{ var('suspicious_range_pct_threshold') }}
                )
                or (
                    abs(open) > 0
                    and abs(close / open - 1) > {{ var('suspicious_return_pct_threshold') }}
                ),
                false
            )
        end as q_suspicious_bar,
        case
            when is_typed then coalesce(
                calendar_days_since_previous > {{ var('gap_days_warn_threshold') }}, false
            )
        end as q_gap_in_calendar,
        source_fingerprint,
        cast('{{ run_started_at.isoformat() }}' as timestamptz) as loaded_at
    from rows_in_context

)

select * from final
