{#- Path of the ML dataset's Parquet dataset directory: var `ml_dataset_export_path`, or when
    that is empty `ml_dataset_v1.parquet` in the folder of the DuckDB file (which always exists).
    Relative paths are taken from the directory dbt runs in. -#}
{% macro gold_dataset_export_path() -%}
    {%- set configured = var('ml_dataset_export_path') -%}
    {%- if configured -%}
        {{ return(configured) }}
    {%- endif -%}
    {%- set database_path = target.path | string -%}
    {%- set folder = database_path.rsplit('/', 1)[0] if '/' in database_path else '.' -%}
    {{ return(folder ~ '/ml_dataset_v1.parquet') }}
{%- endmacro %}
