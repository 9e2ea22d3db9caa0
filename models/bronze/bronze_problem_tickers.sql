with

bronze_symbol_master as (

    select * from {{ ref('bronze_symbol_master') }}

),

final as (

    select
        ticker,
        exchange,
        rows_total,
        rows_valid,
        rows_invalid,
        rows_with_warnings,
        duplicate_rows,
        is_in_multiple_files,
        first_date,
        last_date,
        source_files
    from bronze_symbol_master
    where rows_invalid > 0
        or rows_with_warnings > 0
        or is_in_multiple_files

)

select * from final
