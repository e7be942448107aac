-- The 18 régions: the 13 of mainland France and the 5 overseas régions (DROM). The overseas
-- collectivities (zone 'com': Polynésie, Saint-Martin, …) are left out, as in the offers: France
-- Travail and INSEE treat them apart.
select
    code as code_region,
    nom as nom_region,
    chef_lieu,
    zone
from {{ source('raw', 'cog_regions') }}
where zone in ('metro', 'drom')
order by code
