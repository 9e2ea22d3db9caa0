{#- One row per file named in the list variable `variable_name`: `absolute_path`, `file_id`
    (its 1-based position in the list), `file_text` and `is_utf8`. A file that is not valid
    UTF-8 is not an error: its text is given with every non-ASCII byte escaped as `\xNN`, so
    its lines can still be numbered, rejected with a reason and shown. -#}
{% macro read_text_files(variable_name) -%}
    {{ return(adapter.dispatch('read_text_files', 'market_warehouse')(variable_name)) }}
{%- endmacro %}

{#- `read_blob` hands all its rows to one thread, and every operator that follows it in the
    pipeline (splitting and typing ~10M lines) stays on that thread. Reading the list in
    `buckets` interleaved slices, one `read_blob` each, gives the scheduler one pipeline per
    slice: measured on 2,000 files (2 threads), the parse query went from 1.4 to 2.0 cores busy. -#}
{% macro duckdb__read_text_files(variable_name, buckets=8) -%}
    {%- for bucket in range(1, buckets + 1) %}
    select
        filename as absolute_path,
        {{ list_variable_position(variable_name, 'filename') }} as file_id,
        try(decode(content)) is not null as is_utf8,
        coalesce(
            try(decode(content)),
            replace(replace(content::varchar, '\x0A', chr(10)), '\x0D', chr(13))
        ) as file_text
    from read_blob(list_slice(getvariable('{{ variable_name }}'), {{ bucket }}, -1, {{ buckets }}))
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
