{#
  One row per job offer, with the fields the analyses use extracted from the API's JSON.

  Incremental by day: with the vars jour_debut and jour_fin a run processes only those days of
  raw.offres (the engine passes the range of partitions it materialises); without them, every
  day. Each processed day ends up exactly equal to raw.offres for that day: delete+insert on
  `id` replaces the offers present, and the pre-hook deletes the ones that have disappeared
  (macros/supprimer_offres_retirees.sql). The first build with vars creates the table with
  those days only; --full-refresh rebuilds it from every day, vars or not.

  The post-hook refreshes the planner's statistics of the days built (macros/analyser_jours.sql).

  `meta` tells the platform that the model is partitioned like raw.offres (daily from
  2024-05-23, Europe/Paris) and which vars receive the range of days it materialises.

  A change of columns is applied to the existing table (on_schema_change='sync_all_columns'):
  a new column is NULL in the days not rebuilt since, which the platform sees as stale (the
  model's code changed) and rebuilds day by day; --full-refresh does all at once.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='id',
        on_schema_change='sync_all_columns',
        pre_hook="{{ supprimer_offres_retirees() }}",
        post_hook="{{ analyser_jours() }}",
        indexes=[
            {'columns': ['id'], 'unique': true},
            {'columns': ['jour']},
        ],
        meta={
            'lignee_partitions': 'daily',
            'lignee_start': '2024-05-23',
            'lignee_timezone': 'Europe/Paris',
            'lignee_partition_vars': {'start': 'jour_debut', 'end': 'jour_fin'},
        },
    )
}}

{%- set jours = jours_demandes() %}

with offres as (
    -- An offer's creation date never changes, so an id belongs to one day. Should the source
    -- ever hold it on two days, keep the latest, so that id stays a key.
    select distinct on (o.id)
        o.jour,
        o.id,
        o.data
    from {{ source('raw', 'offres') }} as o
    {% if jours is not none and not should_full_refresh() -%}
    where o.jour between '{{ jours.debut }}'::date and '{{ jours.fin }}'::date
    {% endif -%}
    order by o.id, o.jour desc
)

select
    id,
    -- The partition: the day of creation in Europe/Paris, as the collector filed it.
    jour,
    -- The API writes instants in UTC ("2024-08-01T09:12:44.000Z"): keep them as instants.
    (data ->> 'dateCreation')::timestamptz as date_creation,
    (data ->> 'dateActualisation')::timestamptz as date_actualisation,
    data ->> 'intitule' as intitule,
    data ->> 'romeCode' as rome_code,
    data ->> 'romeLibelle' as rome_libelle,
    data ->> 'appellationlibelle' as appellation_libelle,
    -- NAF sous-classe of the employer ("47.11F"); missing from about one offer in five.
    data ->> 'codeNAF' as code_naf,
    data ->> 'secteurActiviteLibelle' as secteur_activite_libelle,
    data -> 'lieuTravail' ->> 'libelle' as lieu_travail,
    -- INSEE code of the commune, of the arrondissement in Paris, Lyon and Marseille; missing
    -- when the offer is located only by département or region.
    data -> 'lieuTravail' ->> 'commune' as code_commune,
    data -> 'lieuTravail' ->> 'codePostal' as code_postal,
    -- The libelle starts with the département ("69 - Lyon 3e", "2A - Ajaccio", "974 - …")
    -- even when the commune is unknown: the finest place every located offer has.
    substring(data -> 'lieuTravail' ->> 'libelle' from '^(97[0-9]|2[AB]|[0-9]{2}) - ')
        as code_departement,
    (data -> 'lieuTravail' ->> 'latitude')::double precision as latitude,
    (data -> 'lieuTravail' ->> 'longitude')::double precision as longitude,
    data ->> 'typeContrat' as type_contrat,
    data ->> 'typeContratLibelle' as type_contrat_libelle,
    data ->> 'natureContrat' as nature_contrat,
    (data ->> 'alternance')::boolean as alternance,
    data ->> 'experienceExige' as experience_exige,
    data ->> 'experienceLibelle' as experience_libelle,
    data ->> 'qualificationCode' as qualification_code,
    data ->> 'qualificationLibelle' as qualification_libelle,
    data ->> 'dureeTravailLibelleConverti' as duree_travail,
    (data ->> 'nombrePostes')::integer as nombre_postes,
    data -> 'entreprise' ->> 'nom' as entreprise_nom,
    data ->> 'trancheEffectifEtab' as tranche_effectif_etablissement,
    data -> 'salaire' ->> 'libelle' as salaire_libelle
from offres
