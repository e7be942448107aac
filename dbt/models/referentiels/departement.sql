-- The 101 départements (96 mainland, 5 overseas), each with its région. Read from the région
-- model, not from raw, so that a département is kept exactly when its région is.
select
    d.code as code_departement,
    d.nom as nom_departement,
    d.chef_lieu,
    d.zone,
    r.code_region,
    r.nom_region
from {{ source('raw', 'cog_departements') }} as d
join {{ ref('region') }} as r on r.code_region = d.region
order by d.code
