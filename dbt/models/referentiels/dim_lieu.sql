-- Every place an offer or an establishment can be located in: the communes actuelles and the
-- arrondissements municipaux of Paris, Lyon and Marseille, in the 101 départements.
--
-- Both the city (75056, Paris) and its arrondissements (75101…75120) are rows, because
-- sources use either: France Travail and SIRENE locate by arrondissement, other sources by
-- city. Sum populations over `type_commune = 'commune-actuelle'` only, or Paris, Lyon and
-- Marseille count twice.
select
    c.code as code_commune,
    c.nom as nom_commune,
    c.type as type_commune,
    -- For an arrondissement, its city (75056); for a commune, itself, so that grouping by it
    -- rolls arrondissements up into their city.
    coalesce(c.commune_parente, c.code) as code_commune_parente,
    c.codes_postaux,
    c.population,
    d.code_departement,
    d.nom_departement,
    d.code_region,
    d.nom_region
from {{ source('raw', 'cog_communes') }} as c
join {{ ref('departement') }} as d on d.code_departement = c.departement
order by c.code
