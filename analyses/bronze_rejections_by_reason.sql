-- What kinds of lines are rejected, and an example of each.
select
    reject_reason,
    count(*) as rejected_lines,
    count(distinct source_file) as files,
    min(source_file || ':' || source_line_no) as example_line
from {{ ref('bronze_rejected_lines') }}
group by reject_reason
order by rejected_lines desc
