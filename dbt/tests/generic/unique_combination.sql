{#
  The combination of `columns` is unique in the model (a composite key), e.g.
    data_tests:
      - unique_combination:
          arguments:
            columns: [code_commune, code_naf]
  Returns the repeated combinations and how often each occurs.
#}
{% test unique_combination(model, columns) %}
select
    {{ columns | join(", ") }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(", ") }}
having count(*) > 1
{% endtest %}
