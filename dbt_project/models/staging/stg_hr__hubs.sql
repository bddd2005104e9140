with

source as (

    select * from {{ source('raw', 'hubs') }}

),

renamed as (

    select
        hub_id,
        hub_name,
        site,
        opened_on,
        closed_on,
        critical_mass_target
    from source

)

select * from renamed
