{#-
    One row per raw file ever seen. Each run re-emits every row: the status compares the
    file on disk now with the fingerprint of its last successful load, so a file that failed
    to load is NEW or CHANGED again on the next run and is retried.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='relative_path',
    on_schema_change='fail',
) }}

with

bronze_file_listing as (

    select * from {{ ref('bronze_file_listing') }}

),

bronze_parsed_lines as (

    select * from {{ ref('bronze_parsed_lines') }}

),

previous_manifest as (

    {% if is_incremental() %}
        select * from {{ this }}
    {% else %}
    -- first build: no previous manifest, so every file is NEW
    select
        null::varchar as relative_path,
        null::varchar as absolute_path,
        null::varchar as exchange,
        null::varchar as asset_type,
        null::varchar as ticker_hint,
        null::varchar as loaded_fingerprint,
        null::varchar as status,
        null::timestamptz as first_seen_at,
        null::timestamptz as last_loaded_at
    limit 0
    {% endif %}

),

line_counts as (

    select
        source_file,
        count(*) as lines_read,
        count(*) filter (where line_kind = 'data') as data_lines,
        count(*) filter (where line_kind = 'data' and reject_reason is null) as typed_rows,
        count(*) filter (where reject_reason is not null) as rejected_lines,
        count(*) filter (where line_kind = 'header') as header_lines,
        count(*) filter (where line_kind = 'blank') as blank_lines,
        max(loaded_at) as loaded_at
    from bronze_parsed_lines
    group by source_file

),

files_compared as (

    select
        coalesce(bronze_file_listing.relative_path, previous_manifest.relative_path)
            as relative_path,
        coalesce(bronze_file_listing.absolute_path, previous_manifest.absolute_path)
            as absolute_path,
        coalesce(bronze_file_listing.exchange, previous_manifest.exchange) as exchange,
        coalesce(bronze_file_listing.asset_type, previous_manifest.asset_type) as asset_type,
        coalesce(bronze_file_listing.ticker_hint, previous_manifest.ticker_hint) as ticker_hint,
        bronze_file_listing.size_bytes,
        bronze_file_listing.modified_at,
        bronze_file_listing.fingerprint,
        bronze_file_listing.is_symlink,
        bronze_file_listing.is_loadable,
        bronze_file_listing.scan_error,
        bronze_file_listing.relative_path is not null as is_present,
        previous_manifest.loaded_fingerprint as previous_loaded_fingerprint,
        previous_manifest.status as previous_status,
        previous_manifest.first_seen_at as previous_first_seen_at,
        previous_manifest.last_loaded_at as previous_last_loaded_at
    from bronze_file_listing
    full outer join previous_manifest
        on bronze_file_listing.relative_path = previous_manifest.relative_path

),

final as (

    select
        files_compared.relative_path,
        files_compared.absolute_path,
        files_compared.exchange,
        files_compared.asset_type,
        files_compared.ticker_hint,
        files_compared.size_bytes,
        files_compared.modified_at,
        files_compared.fingerprint,
        files_compared.is_symlink,
        case
            when not files_compared.is_present then 'MISSING'
            when files_compared.previous_status is null
                or files_compared.previous_status = 'MISSING'
                or files_compared.previous_loaded_fingerprint is null then 'NEW'
            when files_compared.fingerprint = files_compared.previous_loaded_fingerprint
                then 'UNCHANGED'
            else 'CHANGED'
        end as status,
        case
            when not files_compared.is_present then 'missing'
            when not files_compared.is_loadable then 'failed'
            when files_compared.fingerprint = files_compared.previous_loaded_fingerprint
                and files_compared.previous_status != 'MISSING' then 'unchanged'
            else 'loaded'
        end as load_outcome,
        files_compared.scan_error as load_error,
        case
            when files_compared.is_loadable then files_compared.fingerprint
            else files_compared.previous_loaded_fingerprint
        end as loaded_fingerprint,
        coalesce(line_counts.lines_read, 0) as lines_read,
        coalesce(line_counts.data_lines, 0) as data_lines,
        coalesce(line_counts.typed_rows, 0) as typed_rows,
        coalesce(line_counts.rejected_lines, 0) as rejected_lines,
        coalesce(line_counts.header_lines, 0) as header_lines,
        coalesce(line_counts.blank_lines, 0) as blank_lines,
        coalesce(
            files_compared.previous_first_seen_at,
            cast('{{ run_started_at }}' as timestamptz)
        ) as first_seen_at,
        case
            when files_compared.is_loadable
                then coalesce(
                        line_counts.loaded_at,
                        files_compared.previous_last_loaded_at,
                        cast('{{ run_started_at }}' as timestamptz)
                    )
            else files_compared.previous_last_loaded_at
        end as last_loaded_at,
        cast('{{ run_started_at }}' as timestamptz) as checked_at
    from files_compared
    left join line_counts
        on files_compared.relative_path = line_counts.source_file

)

select * from final
