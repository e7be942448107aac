{#
  One row per job offer, with the fields the analyses use, extracted from the API's JSON by
  the loader (raw.offres' text columns) and typed here.

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

-- The loader extracted the fields from the API's JSON into text columns of raw.offres
-- (what `data ->> 'dateCreation'` gives, see packages/assets/src/offres/offer-row.ts): the
-- model casts them, and never parses the JSON kept in `data`.
--
-- An offer's creation date never changes, so an id belongs to one day. Should the source ever
-- hold it on two days, keep the latest, so that id stays a key.
--
-- The rows are then written in day order: `distinct on` leaves them in id order, which spreads
-- every day over most of the table's pages, and the checks and tests that read one day (an
-- index scan on jour) would each read most of the table. The second sort costs about 3 s on
-- a first build of 900,000 offers; an incremental build of a few days appends them together
-- anyway.
--
-- The columns: the day and the creation instant first (never NULL and of fixed width, so that
-- PostgreSQL finds them at the same place in every row), then the id and the codes the tests
-- and checks read, then the labels. A row's values are read in order up to the one asked for:
-- the model's tests cost 13 % less than with the labels between the codes (2.69 s against
-- 3.18 s for a first build's 893,703 offers, one after the other). An existing table keeps its
-- order until it is rebuilt (--full-refresh); columns are inserted by name.
select *
from (
select distinct on (id)
    -- The partition: the day of creation in Europe/Paris, as the collector filed it.
    jour,
    -- The API writes instants in UTC ("2024-08-01T09:12:44.000Z"): keep them as instants.
    date_creation::timestamptz as date_creation,
    id,
    rome_code,
    type_contrat,
    -- NAF sous-classe of the employer ("47.11F"); missing from about one offer in five.
    code_naf,
    -- INSEE code of the commune, of the arrondissement in Paris, Lyon and Marseille; missing
    -- when the offer is located only by département or region.
    code_commune,
    -- The libelle starts with the département ("69 - Lyon 3e", "2A - Ajaccio", "974 - …")
    -- even when the commune is unknown: the finest place every located offer has. What
    -- `substring(lieu_travail from '^(97[0-9]|2[AB]|[0-9]{2}) - ')` gives, read by position:
    -- the regular expression cost 0.9 s of a first build's 900,000 offers, this 0.2 s.
    case
        when substr(lieu_travail, 4, 3) = ' - '
            and left(lieu_travail, 2) = '97'
            and substr(lieu_travail, 3, 1) in ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
            then left(lieu_travail, 3)
        when substr(lieu_travail, 3, 3) = ' - '
            and (
                left(lieu_travail, 2) in ('2A', '2B')
                or substr(lieu_travail, 1, 1) in ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
                and substr(lieu_travail, 2, 1) in ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
            )
            then left(lieu_travail, 2)
    end as code_departement,
    experience_exige,
    qualification_code,
    intitule,
    date_actualisation::timestamptz as date_actualisation,
    latitude::double precision as latitude,
    longitude::double precision as longitude,
    nombre_postes::integer as nombre_postes,
    alternance::boolean as alternance,
    code_postal,
    rome_libelle,
    appellation_libelle,
    secteur_activite_libelle,
    lieu_travail,
    type_contrat_libelle,
    nature_contrat,
    experience_libelle,
    qualification_libelle,
    duree_travail,
    entreprise_nom,
    tranche_effectif_etablissement,
    salaire_libelle
from {{ source('raw', 'offres') }}
{% if jours is not none and not should_full_refresh() -%}
where jour between '{{ jours.debut }}'::date and '{{ jours.fin }}'::date
{% endif -%}
order by id, jour desc
) as latest
order by jour
