-- Per file: how every line was accounted for, worst files first.
select
    relative_path,
    status,
    load_outcome,
    lines_read,
    data_lines,
    typed_rows,
    rejected_lines,
    header_lines,
    blank_lines,
    load_error
from {{ ref('bronze_file_manifest') }}
order by rejected_lines desc, load_outcome desc, relative_path asc
