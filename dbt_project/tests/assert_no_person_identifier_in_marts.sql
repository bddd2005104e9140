-- Privacy (spec/kpis.md): published tables hold aggregates only, never an employee_id.
select table_name, column_name
from information_schema.columns
where table_schema = 'marts'
  and (column_name ilike '%employee%' or column_name ilike '%user_id%')
