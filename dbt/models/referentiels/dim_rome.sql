-- The ROME v3 flattened: one row per métier (the code offers carry, "K2204") with its domaine
-- professionnel and grand domaine. Inner joins: the loader checks that every parent exists.
select
    m.code as code_rome,
    m.libelle as libelle_rome,
    dp.code as code_domaine_professionnel,
    dp.libelle as libelle_domaine_professionnel,
    gd.code as code_grand_domaine,
    gd.libelle as libelle_grand_domaine
from {{ source('raw', 'rome_metiers') }} as m
join {{ source('raw', 'rome_domaines_professionnels') }} as dp on dp.code = m.domaine_professionnel
join {{ source('raw', 'rome_grands_domaines') }} as gd on gd.code = dp.grand_domaine
order by m.code
