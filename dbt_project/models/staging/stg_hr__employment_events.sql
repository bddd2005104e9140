with

source as (

    select * from {{ source('raw', 'employment_events') }}

),

renamed as (

    select
        event_id,
        employee_id,
        event_type,
        effective_date,
        hub_id,
        role,
        fte,
        exit_type,
        is_regretted,
        requisition_id
    from source

)

select * from renamed
