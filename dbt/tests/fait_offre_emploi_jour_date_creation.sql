-- An offer is filed under the day it was created, in Europe/Paris: the collector asks the API
-- for that day's offers. One that is not points at a collection or time-zone bug.
select id, jour, date_creation
from {{ ref('fait_offre_emploi') }}
where jour <> (date_creation at time zone 'Europe/Paris')::date
