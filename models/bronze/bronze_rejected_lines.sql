{{ config(materialized='view') }}

with

bronze_parsed_lines as (

    select * from {{ ref('bronze_parsed_lines') }}
    where reject_reason is not null

),

final as (

    select
        source_file,
        source_line_no,
        exchange,
        asset_type,
        reject_reason,
        raw_line,
        loaded_at
    from bronze_parsed_lines

)

select * from final
