-- No stale rows: every parsed line belongs to a file that is present and loadable now.
select parsed.source_file
from {{ ref('bronze_parsed_lines') }} as parsed
left join {{ ref('bronze_file_manifest') }} as manifest
    on parsed.source_file = manifest.relative_path
where manifest.relative_path is null
    or manifest.load_outcome not in ('loaded', 'unchanged')
