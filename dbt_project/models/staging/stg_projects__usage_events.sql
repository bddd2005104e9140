with

source as (

    select * from {{ source('raw', 'usage_events') }}

),

renamed as (

    select
        solution_id,
        activity_date,
        user_id,
        n_actions
    from source

)

select * from renamed
