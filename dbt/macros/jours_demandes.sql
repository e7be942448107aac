{#
  The range of days a run asks for, from the vars `jour_debut` and `jour_fin` (YYYY-MM-DD,
  inclusive; other names when given): {"debut": "2024-08-01", "fin": "2024-08-03"}, or none
  when neither is set (every day). Anything else stops the run with a message naming the
  problem: the values end up in SQL, so only real calendar dates get through.
#}
{% macro jours_demandes(var_debut='jour_debut', var_fin='jour_fin') %}
    {%- set debut = var(var_debut, none) -%}
    {%- set fin = var(var_fin, none) -%}
    {%- if debut is none and fin is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if debut is none or fin is none -%}
        {{ exceptions.raise_compiler_error(
            "vars " ~ var_debut ~ " and " ~ var_fin ~ " go together: got " ~ var_debut ~ "="
            ~ debut ~ ", " ~ var_fin ~ "=" ~ fin) }}
    {%- endif -%}
    {#- YAML reads an unquoted 2024-08-01 as a date: compare as text either way. -#}
    {%- set debut = debut | string -%}
    {%- set fin = fin | string -%}
    {%- for name, value in [(var_debut, debut), (var_fin, fin)] -%}
        {%- if not _est_un_jour(value) -%}
            {{ exceptions.raise_compiler_error(
                "var " ~ name ~ " must be a date YYYY-MM-DD, got '" ~ value ~ "'") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if debut > fin -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ var_debut ~ " (" ~ debut ~ ") is after " ~ var_fin ~ " (" ~ fin ~ ")") }}
    {%- endif -%}
    {{ return({"debut": debut, "fin": fin}) }}
{% endmacro %}

{# Whether `value` is a YYYY-MM-DD calendar date (2024-02-30 is not). #}
{% macro _est_un_jour(value) %}
    {%- if not modules.re.fullmatch("[0-9]{4}-[0-9]{2}-[0-9]{2}", value) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set parts = value.split("-") | map("int") | list -%}
    {%- set year, month, day = parts[0], parts[1], parts[2] -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set days_in_month = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{ return(1 <= month <= 12 and 1 <= day <= days_in_month[month - 1]) }}
{% endmacro %}
