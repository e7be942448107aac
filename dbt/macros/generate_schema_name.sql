{#
  dbt's default names a model's schema `<target schema>_<custom schema>` (`emploi_emploi`).
  The warehouse's readers expect the tables in `emploi` whatever the target, so a custom schema
  is used as is, and a model without one goes to the target's schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
