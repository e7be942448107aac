-- The NAF rév. 2 flattened: one row per sous-classe (732), with its classe, groupe, division
-- and section, so that offers and establishments (coded by sous-classe) can be rolled up to any
-- level without joins. Inner joins: the loader checks that every parent exists, so none is lost.
select
    sc.code as code_naf,
    sc.libelle as libelle_naf,
    c.code as code_classe,
    c.libelle as libelle_classe,
    g.code as code_groupe,
    g.libelle as libelle_groupe,
    dv.code as code_division,
    dv.libelle as libelle_division,
    s.code as code_section,
    s.libelle as libelle_section
from {{ source('raw', 'naf_sous_classes') }} as sc
join {{ source('raw', 'naf_classes') }} as c on c.code = sc.classe
join {{ source('raw', 'naf_groupes') }} as g on g.code = c.groupe
join {{ source('raw', 'naf_divisions') }} as dv on dv.code = g.division
join {{ source('raw', 'naf_sections') }} as s on s.code = dv.section
order by sc.code
