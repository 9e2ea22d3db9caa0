{{ config(materialized='view') }}

with

bronze_parsed_lines as (

    select * from {{ ref('bronze_parsed_lines') }}
    where reject_reason is not null

),

bronze_file_listing as (

    select * from {{ ref('bronze_file_listing') }}

),

final as (

    select
        bronze_parsed_lines.source_file,
        bronze_parsed_lines.source_line_no,
        bronze_file_listing.exchange,
        bronze_file_listing.asset_type,
        bronze_parsed_lines.reject_reason,
        bronze_parsed_lines.raw_line,
        bronze_parsed_lines.loaded_at
    from bronze_parsed_lines
    left join bronze_file_listing
        on bronze_parsed_lines.source_file = bronze_file_listing.relative_path

)

select * from final
