-- An offer is filed under the day it was created, in Europe/Paris: the collector asks the API
-- for that day's offers. One that is not points at a collection or time-zone bug. On the days
-- the run built (macros/jours_testes.sql).
select id, jour, date_creation
from {{ jours_construits(ref('fait_offre_emploi')) }}
where jour <> (date_creation at time zone 'Europe/Paris')::date
