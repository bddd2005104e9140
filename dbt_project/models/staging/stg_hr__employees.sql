with

source as (

    select * from {{ source('raw', 'employees') }}

),

renamed as (

    select
        employee_id,
        worker_type
    from source

)

select * from renamed
