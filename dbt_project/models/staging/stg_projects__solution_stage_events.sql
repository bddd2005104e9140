with

source as (

    select * from {{ source('raw', 'solution_stage_events') }}

),

renamed as (

    select
        solution_id,
        stage,
        entered_on
    from source

)

select * from renamed
