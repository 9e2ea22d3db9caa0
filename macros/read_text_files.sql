{#- One row per file named in the list variable `variable_name`: `absolute_path` and its
    `file_text`, plus `is_utf8`. A file that is not valid UTF-8 is not an error: its text is
    given with every non-ASCII byte escaped as `\xNN`, so its lines can still be numbered,
    rejected with a reason and shown. -#}
{% macro read_text_files(variable_name) -%}
    {{ return(adapter.dispatch('read_text_files', 'market_warehouse')(variable_name)) }}
{%- endmacro %}

{% macro duckdb__read_text_files(variable_name) -%}
    select
        filename as absolute_path,
        try(decode(content)) is not null as is_utf8,
        coalesce(
            try(decode(content)),
            replace(replace(content::varchar, '\x0A', chr(10)), '\x0D', chr(13))
        ) as file_text
    from read_blob(getvariable('{{ variable_name }}'))
{%- endmacro %}
