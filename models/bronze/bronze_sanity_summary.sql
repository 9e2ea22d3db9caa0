with

bronze_file_manifest as (

    select * from {{ ref('bronze_file_manifest') }}

),

bronze_symbol_master as (

    select * from {{ ref('bronze_symbol_master') }}

),

files as (

    select
        count(*) filter (where status != 'MISSING') as file_count,
        count(*) filter (where status = 'NEW') as files_new,
        count(*) filter (where status = 'CHANGED') as files_changed,
        count(*) filter (where status = 'UNCHANGED') as files_unchanged,
        count(*) filter (where status = 'MISSING') as files_missing,
        count(*) filter (where load_outcome = 'failed') as files_failed,
        count(*) filter (where status != 'MISSING' and lines_read = 0) as files_empty,
        coalesce(sum(lines_read), 0) as lines_read,
        coalesce(sum(data_lines), 0) as data_lines,
        coalesce(sum(typed_rows), 0) as typed_rows,
        coalesce(sum(rejected_lines), 0) as rejected_lines,
        coalesce(sum(header_lines), 0) as header_lines,
        coalesce(sum(blank_lines), 0) as blank_lines,
        max(checked_at) as checked_at
    from bronze_file_manifest

),

rows as (

    select
        count(distinct ticker) as ticker_count,
        count(distinct ticker) filter (where is_in_multiple_files) as tickers_in_multiple_files,
        coalesce(sum(rows_valid), 0) as rows_valid,
        coalesce(sum(rows_invalid), 0) as rows_invalid,
        coalesce(sum(rows_with_warnings), 0) as rows_with_warnings,
        coalesce(sum(duplicate_rows), 0) as duplicate_rows,
        min(first_date) as first_date,
        max(last_date) as last_date
    from bronze_symbol_master

),

final as (

    select
        files.file_count,
        files.files_new,
        files.files_changed,
        files.files_unchanged,
        files.files_missing,
        files.files_failed,
        files.files_empty,
        files.lines_read,
        files.data_lines,
        files.typed_rows,
        files.rejected_lines,
        files.header_lines,
        files.blank_lines,
        rows.ticker_count,
        rows.tickers_in_multiple_files,
        rows.rows_valid,
        rows.rows_invalid,
        rows.rows_with_warnings,
        rows.duplicate_rows,
        rows.first_date,
        rows.last_date,
        files.rejected_lines / nullif(files.data_lines, 0) as rejected_line_share,
        rows.rows_invalid / nullif(files.typed_rows, 0) as invalid_row_share,
        files.checked_at
    from files
    cross join rows

)

select * from final
