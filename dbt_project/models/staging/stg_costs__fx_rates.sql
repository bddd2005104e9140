with

source as (

    select * from {{ source('raw', 'fx_rates') }}

),

renamed as (

    select
        period_month as month,
        currency,
        rate_to_eur
    from source

)

select * from renamed
