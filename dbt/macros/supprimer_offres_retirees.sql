{#
  Pre-hook of fait_offre_emploi: deletes the rows of the days the run processes whose offer is
  no longer in raw.offres for that day.

  Why: a day of raw.offres is replaced whole when it is collected again, and an offer withdrawn
  in between is no longer there. delete+insert on `id` replaces the offers still present but
  cannot see the missing ones, which would stay in the table for good. With this hook, after
  a run the rows of every processed day are exactly the offers of raw.offres for that day.

  It runs in the model's transaction, before the delete+insert: a failing run leaves the table
  as it was. On the first build and with --full-refresh the table is rebuilt from raw.offres,
  so there is nothing to delete (is_incremental() is false).
#}
{% macro supprimer_offres_retirees() %}
    {%- if is_incremental() -%}
        {%- set jours = jours_demandes() -%}
        delete from {{ this }} as f
        where
            {% if jours is not none -%}
            f.jour between '{{ jours.debut }}'::date and '{{ jours.fin }}'::date and
            {% endif -%}
            not exists (
                select 1
                from {{ source('raw', 'offres') }} as r
                where r.jour = f.jour and r.id = f.id
            )
    {%- endif -%}
{% endmacro %}
