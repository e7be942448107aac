{#
  Post-hook of fait_offre_emploi: refreshes the planner's statistics on the day column.

  Why: a day built for the first time is absent from the statistics until autovacuum gets to
  the table (a day is a few per cent of it: not soon). The planner then takes the day's tens of
  thousands of rows for a handful, and the queries that read the day right after the build
  (dbt's tests, the platform's quality checks) pick plans that take minutes instead of
  milliseconds. Only the columns these queries filter and join on, from a sample of 3,000 rows
  (statistics target 10, for this transaction only), a tenth of the pages of the default
  30,000: a few tens of milliseconds. For days of similar sizes it estimates a day's rows as
  well; for very uneven days, a few times off, which these queries do not depend on.
  It runs in the model's transaction: the statistics change with the data.
#}
{% macro analyser_jours() %}
    set local default_statistics_target = 10;
    analyze {{ this }} (jour, id)
{% endmacro %}
