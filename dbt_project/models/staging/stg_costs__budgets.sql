with

source as (

    select * from {{ source('raw', 'budgets') }}

),

renamed as (

    select
        hub_id,
        year,
        budget_eur
    from source

)

select * from renamed
