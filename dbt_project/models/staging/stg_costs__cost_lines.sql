with

source as (

    select * from {{ source('raw', 'cost_lines') }}

),

renamed as (

    select
        line_id,
        posting_date,
        hub_id,
        solution_id,
        cost_category,
        charge_type,
        amount,
        currency
    from source

)

select * from renamed
