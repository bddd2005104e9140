with

source as (

    select * from {{ source('raw', 'requisitions') }}

),

renamed as (

    select
        requisition_id,
        hub_id,
        role,
        opened_on,
        status,
        closed_on,
        hired_employee_id
    from source

)

select * from renamed
