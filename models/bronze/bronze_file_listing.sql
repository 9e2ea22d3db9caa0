with

bronze_raw_files as (

    select * from {{ ref('bronze_raw_files') }}

),

exchange_folders as (

    select * from {{ ref('exchange_folders') }}

),

-- a file belongs to the exchange folder named by one of its parent folders
files_with_folder as (

    select
        bronze_raw_files.*,
        exchange_folders.folder_name,
        exchange_folders.exchange,
        exchange_folders.asset_type
    from bronze_raw_files
    left join exchange_folders
        on contains('/' || lower(bronze_raw_files.relative_path), '/' || exchange_folders.folder_name || '/')

),

final as (

    select
        relative_path,
        absolute_path,
        coalesce(exchange, 'UNKNOWN') as exchange,
        coalesce(asset_type, 'unknown') as asset_type,
        folder_name as exchange_folder,
        upper(trim(regexp_replace(
            regexp_extract(relative_path, '[^/]*$'), '\.txt$', '', 'i'
        ))) as ticker_hint,
        size_bytes,
        modified_at,
        -- size and modification time (ns): cheap, and changes whenever Stooq rewrites a file
        case
            when size_bytes is not null
                then size_bytes::varchar || ':' || modified_ns::varchar
        end as fingerprint,
        is_symlink,
        is_loadable,
        scan_error
    from files_with_folder

)

select * from final
