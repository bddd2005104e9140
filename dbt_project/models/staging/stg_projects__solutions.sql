with

source as (

    select * from {{ source('raw', 'solutions') }}

),

renamed as (

    select
        solution_id,
        hub_id,
        solution_name,
        business_domain,
        target_users,
        created_on,
        monitoring_enabled_on
    from source

)

select * from renamed
