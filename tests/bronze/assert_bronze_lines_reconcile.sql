-- Every loaded file accounts for each of its lines: data lines = typed rows in bronze_ohlcv +
-- rejected lines, and lines read = data + header + blank lines. Counted from the two views,
-- independently of the counts stored in the manifest, and compared with those too.
with

bronze_file_manifest as (

    select * from {{ ref('bronze_file_manifest') }}
    where load_outcome in ('loaded', 'unchanged')

),

typed_per_file as (

    select
        source_file,
        count(*) as typed_rows
    from {{ ref('bronze_ohlcv') }}
    group by source_file

),

rejected_per_file as (

    select
        source_file,
        count(*) as rejected_lines
    from {{ ref('bronze_rejected_lines') }}
    group by source_file

),

compared as (

    select
        bronze_file_manifest.relative_path,
        bronze_file_manifest.lines_read,
        bronze_file_manifest.data_lines,
        bronze_file_manifest.header_lines,
        bronze_file_manifest.blank_lines,
        bronze_file_manifest.typed_rows as manifest_typed_rows,
        bronze_file_manifest.rejected_lines as manifest_rejected_lines,
        coalesce(typed_per_file.typed_rows, 0) as typed_rows,
        coalesce(rejected_per_file.rejected_lines, 0) as rejected_lines
    from bronze_file_manifest
    left join typed_per_file
        on bronze_file_manifest.relative_path = typed_per_file.source_file
    left join rejected_per_file
        on bronze_file_manifest.relative_path = rejected_per_file.source_file

)

select * from compared
where data_lines != typed_rows + rejected_lines
    or lines_read != data_lines + header_lines + blank_lines
    or manifest_typed_rows != typed_rows
    or manifest_rejected_lines != rejected_lines
