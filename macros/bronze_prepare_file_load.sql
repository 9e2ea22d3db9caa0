{#- Pre-hook of `bronze_parsed_lines`. Puts the absolute paths of the files to parse in the
    session variable `files_to_load` (every loadable file on a full build; on an incremental
    run only those whose path and fingerprint are not loaded yet, i.e. NEW, CHANGED and
    previously failed files) and their listing entries (path below raw_root, fingerprint) in
    `files_to_load_sources`, both ordered by absolute path so that
    position n of one list is the file at position n of the other. Then, on an incremental
    run, deletes the rows of those files and of files that are gone or no longer loadable. -#}
{% macro bronze_prepare_file_load() -%}
    {%- set listing = ref('bronze_file_listing') -%}
    {%- set files_to_load -%}
        select listing.absolute_path
        from {{ listing }} as listing
        where listing.is_loadable
        {%- if is_incremental() %}
            and not exists (
                select 1
                from {{ this }} as loaded
                where loaded.source_file = listing.relative_path
                    and loaded.source_fingerprint = listing.fingerprint
            )
        {%- endif %}
    {%- endset -%}
    {%- set files_to_load_sources -%}
        select
            {
                'absolute_path': absolute_path,
                'source_file': relative_path,
                'source_fingerprint': fingerprint
            }
        from {{ listing }}
        where absolute_path in ({{ files_to_load }})
    {%- endset -%}
    {{ set_list_variable('files_to_load', files_to_load) }};
    {{ set_list_variable('files_to_load_sources', files_to_load_sources) }};
    {%- if is_incremental() %}
    delete from {{ this }}
    where source_file not in (
        select listing.relative_path
        from {{ listing }} as listing
        where listing.is_loadable
    )
    or source_file in (
        select listing.relative_path
        from {{ listing }} as listing
        where list_contains(getvariable('files_to_load'), listing.absolute_path)
    );
    {%- endif %}
{%- endmacro %}
