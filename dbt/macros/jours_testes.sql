{#
  dbt's tests on the days a run built, not on the whole table.

  A run of the platform builds a day-partitioned model for a range of days and passes that
  range in the vars its meta names (`lignee_partition_vars`: jour_debut / jour_fin); its tests
  then look at those days only, as the platform records them: one result per day built. The
  other days were tested when they were built (see below for what that misses). Without the vars (a full build, `dbt build` or
  `dbt test` by hand) or with --full-refresh, the tests look at the whole table, as before.

  What each test means on a range of days: not_null, accepted_values, relationships (the days'
  rows against the whole parent table) and the singular tests are about each row, so they say
  the same of those days as of the table; `unique` on `id` says that no id repeats within the
  days, and the unique index on `id` (see the model) keeps an id from repeating across days.
  One thing a daily run no longer sees: a relationships test also depends on its dimension, so
  a dimension rebuilt without a code that older days use leaves those days' rows pointing
  nowhere, which only a run of the tests without vars (a full build, `dbt test` by hand)
  reports. Those tests warn; none of them holds data back.

  `get_where_subquery` is the macro dbt wraps the tested model in for every generic test (it
  applies the test's `where` config, which still applies, combined with the days). Singular
  tests call `jours_construits(ref('…'))` themselves.
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set jours = jours_du_run(relation) -%}
    {%- if jours is not none -%}
        {%- do conditions.append(adapter.quote(jours.colonne) ~ " between '" ~ jours.debut
            ~ "'::date and '" ~ jours.fin ~ "'::date") -%}
    {%- endif -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append("(" ~ where ~ ")") -%}
    {%- endif -%}
    {%- if conditions | length == 0 -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ conditions | join(" and ") }}) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}

{#
  `relation` restricted to the days of the run when it is a day-partitioned model and the run
  names its days (see above); `relation` itself otherwise. For singular tests:
    select … from {{ jours_construits(ref('fait_offre_emploi')) }} where …
#}
{% macro jours_construits(relation) -%}
    {%- set jours = jours_du_run(relation) -%}
    {%- if jours is none -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ adapter.quote(jours.colonne) }} between
         '{{ jours.debut }}'::date and '{{ jours.fin }}'::date) jours_construits
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}

{#
  The days of the run for the model stored in `relation`: {"colonne": "jour", "debut": …,
  "fin": …} when the model's meta names its partition vars (`lignee_partition_vars`, the
  column in `lignee_partition_column`, default `jour`) and the run sets them; none otherwise
  (another relation, no vars, --full-refresh, or at parse time).
#}
{% macro jours_du_run(relation) -%}
    {%- if not execute or flags.FULL_REFRESH or relation is string -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model'
              and (node.schema | lower) == (relation.schema | lower)
              and ((node.alias or node.name) | lower) == (relation.identifier | lower) -%}
            {%- set meta = dict(node.meta or {}) -%}
            {%- do meta.update(node.config.meta or {}) -%}
            {%- set noms = meta.get('lignee_partition_vars') -%}
            {%- if noms is mapping and noms.get('start') and noms.get('end') -%}
                {%- set jours = jours_demandes(noms['start'], noms['end']) -%}
                {%- if jours is not none -%}
                    {{ return({
                        "colonne": meta.get('lignee_partition_column', 'jour'),
                        "debut": jours.debut,
                        "fin": jours.fin}) }}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
