-- Active establishments counted per place and activity: how many establishments of each NAF
-- sous-classe each commune (or arrondissement) has, to set offers against the local economy.
--
-- Only establishments coded in the NAF rév. 2 are counted (older ones of the real stock are
-- still coded in NAF rév. 1 or earlier nomenclatures, whose codes mean something else), and
-- only those located in a place of dim_lieu (abroad, or in an overseas collectivity, they have
-- none). Pairs without any establishment are not rows.
select
    e.code_commune_etablissement as code_commune,
    e.activite_principale_etablissement as code_naf,
    count(*)::integer as nombre_etablissements,
    count(*) filter (where e.etablissement_siege)::integer as nombre_sieges
from {{ source('raw', 'sirene_etablissements') }} as e
join {{ ref('dim_lieu') }} as l on l.code_commune = e.code_commune_etablissement
join {{ ref('dim_naf') }} as n on n.code_naf = e.activite_principale_etablissement
where e.nomenclature_activite_principale_etablissement = 'NAFRev2'
group by 1, 2
