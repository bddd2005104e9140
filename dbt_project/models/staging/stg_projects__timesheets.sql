with

source as (

    select * from {{ source('raw', 'timesheets') }}

),

renamed as (

    select
        employee_id,
        week_start,
        activity_type,
        solution_id,
        hours
    from source

)

select * from renamed
