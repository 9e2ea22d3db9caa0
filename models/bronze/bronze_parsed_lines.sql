{#-
    Every physical line of every loaded raw file, parsed once. `bronze_ohlcv` (typed rows) and
    `bronze_rejected_lines` (lines that cannot become a typed row) are the two halves of this
    table. Incremental: the pre-hooks pick the files whose fingerprint is not loaded yet and
    delete the rows of those files and of files that are gone or no longer loadable, so a run
    parses only NEW and CHANGED files and leaves no stale rows behind. The files come from
    `bronze_file_listing` through the session variables the pre-hook sets.
-#}
-- depends_on: {{ ref('bronze_file_listing') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ bronze_prepare_file_load() }}",
) }}

with

raw_files as (

    {{ read_text_files('files_to_load') }}

),

files as (

    select
        file_id,
        is_utf8,
        file_text,
        -- the first non-blank line decides the delimiter and may be the header
        regexp_extract(file_text, '^\s*', 0) as leading_blank_text,
        trim(
            regexp_extract(file_text, '^\s*([^\n]*)', 1),
            ' ' || chr(9) || chr(13) || chr(65279)
        ) as first_line
    from raw_files

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
            regexp_replace(upper(replace(first_line, delimiter, ',')), '[<>\s]', '', 'g'),
            'TICKER,PER,DATE,TIME,OPEN,HIGH,LOW,CLOSE,VOL,OPENINT'
        ) as has_header
    from files_described

),

file_lines as (

    select
        * exclude (file_text, first_line),
        -- a leading BOM is dropped and CRLF line ends become LF here, once per file (per-line
        -- rtrim/replace is far slower)
        string_split(
            replace(
                case when starts_with(file_text, chr(65279)) then substr(file_text, 2) else file_text end,
                chr(13) || chr(10),
                chr(10)
            ),
            chr(10)
        ) as line_list
    from files_with_header

),

unnested_lines as (

    select
        * exclude (line_list),
        len(line_list) as element_count,
        {{ unnest_with_position('line_list', 'element_text', 'source_line_no') }}
    from file_lines

),

lines as (

    select
        * exclude (element_text),
        element_text = '' as is_empty_element,
        element_text as line_text
    from unnested_lines

),

lines_classified as (

    select
        *,
        case
            when source_line_no = first_line_no and has_header then 'header'
            -- a visible first character settles it without trimming (most lines)
            when ascii(line_text) between 33 and 126 then 'data'
            when trim(line_text) = '' then 'blank'
            else 'data'
        end as line_kind
    from lines
    -- the empty string after a final newline (or of an empty file) is not a line
    where not (is_empty_element and source_line_no = element_count)

),

fields_split as (

    select
        * exclude (line_text),
        line_text,
        case
            when delimiter = ',' then string_split(line_text, ',')
            else string_split(line_text, delimiter)
        end as fields
    from (
        select
            *,
            -- bytes that are not UTF-8 are rejected before any attempt to split the line
            case
                when line_kind = 'data' and not is_utf8 and contains(line_text, '\x')
                    then 'invalid_utf8'
            end as reject_reason_before_split
        from lines_classified
    ) as lines_screened

),

-- numbers are cast without trimming (the cast ignores surrounding spaces); text fields are
-- trimmed; the TIME field must be an integer HHMMSS
fields_typed as (

    select
        *,
        len(fields) as field_count,
        upper(trim(fields[1])) as ticker_text,
        upper(trim(fields[2])) as per_text,
        case
            when length(trim(fields[3])) = 8
                then try_strptime(trim(fields[3]), '%Y%m%d')::date
        end as parsed_date,
        try_cast(fields[4] as integer) as parsed_time,
        try_cast(fields[5] as double) as parsed_open,
        try_cast(fields[6] as double) as parsed_high,
        try_cast(fields[7] as double) as parsed_low,
        try_cast(fields[8] as double) as parsed_close,
        try_cast(fields[9] as double) as parsed_volume,
        try_cast(fields[10] as bigint) as parsed_openint
    from fields_split

),

-- why a data line cannot become a typed row (NULL for a typed row)
lines_judged as (

    select
        *,
        case
            when line_kind != 'data' then null
            when reject_reason_before_split is not null then reject_reason_before_split
            when field_count = 10
                and ticker_text != ''
                and not regexp_matches(ticker_text, '[\x00-\x1F\x7F]')
                and per_text != ''
                and parsed_date is not null
                and parsed_time between 0 and 235959
                and isfinite(parsed_open)
                and isfinite(parsed_high)
                and isfinite(parsed_low)
                and isfinite(parsed_close)
                and isfinite(parsed_volume)
                and (parsed_openint is not null or trim(fields[10]) = '')
                then null
            -- only lines that fail get the (slower) explanation
            when regexp_matches(line_text, '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]')
                then 'control_characters'
            when field_count != 10 then 'field_count:' || field_count::varchar
            else concat_ws(
                    ',',
                    case when ticker_text = '' then 'missing_field:ticker' end,
                    case when per_text = '' then 'missing_field:per' end,
                    case
                        when trim(fields[3]) = '' then 'missing_field:date'
                        when parsed_date is null then 'unparsable_date'
                    end,
                    case
                        when trim(fields[4]) = '' then 'missing_field:time'
                        when not coalesce(parsed_time between 0 and 235959, false)
                            then 'unparsable_time'
                    end,
                    case
                        when trim(fields[5]) = '' then 'missing_field:open'
                        when not coalesce(isfinite(parsed_open), false) then 'unparsable_number:open'
                    end,
                    case
                        when trim(fields[6]) = '' then 'missing_field:high'
                        when not coalesce(isfinite(parsed_high), false) then 'unparsable_number:high'
                    end,
                    case
                        when trim(fields[7]) = '' then 'missing_field:low'
                        when not coalesce(isfinite(parsed_low), false) then 'unparsable_number:low'
                    end,
                    case
                        when trim(fields[8]) = '' then 'missing_field:close'
                        when not coalesce(isfinite(parsed_close), false)
                            then 'unparsable_number:close'
                    end,
                    case
                        when trim(fields[9]) = '' then 'missing_field:volume'
                        when not coalesce(isfinite(parsed_volume), false)
                            then 'unparsable_number:volume'
                    end,
                    case
                        when parsed_openint is null and trim(fields[10]) != ''
                            then 'unparsable_number:openint'
                    end
                )
        end as reject_reason
    from fields_typed

),

typed_rows as materialized (

    select
        file_id,
        source_line_no,
        line_kind,
        reject_reason,
        case when reject_reason is not null then line_text end as raw_line,
        line_kind = 'data' and reject_reason is null as is_typed,
        case when line_kind = 'data' and reject_reason is null then ticker_text end as ticker,
        case when line_kind = 'data' and reject_reason is null then parsed_date end as trade_date,
        case when per_text = 'D' then 'D1' else per_text end as timeframe,
        parsed_open as open,
        parsed_high as high,
        parsed_low as low,
        parsed_close as close,
        parsed_volume as volume,
        parsed_openint as openint,
        hash(
            per_text, parsed_time, parsed_open, parsed_high, parsed_low, parsed_close,
            parsed_volume, parsed_openint
        ) as value_hash
    from lines_judged

),

-- typed rows in date order within each file and ticker (narrow, so the sort is cheap): a
-- repeated day sits next to its copies, and the previous row gives the calendar gap
typed_in_date_order as (

    select
        file_id,
        source_line_no,
        ticker,
        trade_date,
        value_hash,
        trade_date - lag(trade_date) over by_date as calendar_days_since_previous,
        coalesce(lag(trade_date) over by_date = trade_date, false)
        or coalesce(lead(trade_date) over by_date = trade_date, false) as is_repeated_day
    from typed_rows
    where is_typed
    window by_date as (partition by file_id, ticker order by trade_date, source_line_no)

),

-- the rows that get a flag from the comparison (both rare): the first row after a long calendar
-- gap, and every copy of a repeated day. Keeping only these makes the join back small.
rows_flagged_by_order as (

    select
        file_id,
        source_line_no,
        ticker,
        trade_date,
        value_hash,
        is_repeated_day,
        coalesce(
            calendar_days_since_previous > {{ var('gap_days_warn_threshold') }}, false
        ) as is_after_calendar_gap
    from typed_in_date_order
    where is_repeated_day
        or calendar_days_since_previous > {{ var('gap_days_warn_threshold') }}

),

-- a repeated day is identical when every copy has the same values
repeated_days as (

    select
        file_id,
        ticker,
        trade_date,
        min(value_hash) = max(value_hash) as copies_are_identical,
        min(source_line_no) as first_copy_line_no
    from rows_flagged_by_order
    where is_repeated_day
    group by file_id, ticker, trade_date

),

-- the listing entry (path below raw_root, fingerprint) of each loaded file, by its position in
-- the load list
load_sources as (

    select
        numbered_sources.file_id,
        numbered_sources.load_source.source_file,
        numbered_sources.load_source.source_fingerprint
    from (
        select {{ list_variable_rows('files_to_load_sources', 'load_source', 'file_id') }}
    ) as numbered_sources

),

rows_in_context as (

    select
        typed_rows.*,
        load_sources.source_file,
        load_sources.source_fingerprint,
        rows_flagged_by_order.is_after_calendar_gap,
        repeated_days.copies_are_identical,
        repeated_days.first_copy_line_no
    from typed_rows
    left join load_sources
        on typed_rows.file_id = load_sources.file_id
    left join rows_flagged_by_order
        on typed_rows.file_id = rows_flagged_by_order.file_id
            and typed_rows.source_line_no = rows_flagged_by_order.source_line_no
    left join repeated_days
        on rows_flagged_by_order.file_id = repeated_days.file_id
            and rows_flagged_by_order.ticker = repeated_days.ticker
            and rows_flagged_by_order.trade_date = repeated_days.trade_date

),

final as (

    select
        source_file,
        source_line_no,
        line_kind,
        reject_reason,
        raw_line,
        ticker,
        case when is_typed then timeframe end as timeframe,
        trade_date,
        case when is_typed then open end as open,
        case when is_typed then high end as high,
        case when is_typed then low end as low,
        case when is_typed then close end as close,
        case when is_typed then volume end as volume,
        case when is_typed then openint end as openint,
        -- the flags that compare a row with other rows of its file; the flags of a row on
        -- its own are computed in `bronze_ohlcv`
        case
            when is_typed then coalesce(
                    copies_are_identical and source_line_no > first_copy_line_no, false
                )
        end as q_duplicate_identical,
        case
            when is_typed then coalesce(not copies_are_identical, false)
        end as q_duplicate_conflicting,
        case when is_typed then coalesce(is_after_calendar_gap, false) end as q_gap_in_calendar,
        source_fingerprint,
        cast('{{ run_started_at }}' as timestamptz) as loaded_at
    from rows_in_context

)

select * from final
