-- Backfill pets.last_visit_date from completed visits (seed migration note 4).
-- Only fills what is empty or older than the record shows, so it is safe to
-- re-run and never overwrites a newer value.
UPDATE pets p
   SET last_visit_date = v.last_visit
  FROM (SELECT a.tenant_id, a.pet_id,
               -- the visit's date in the clinic's time zone, not the server's
               max((coalesce(a.completed_at, a.start_time) AT TIME ZONE t.timezone)::date) AS last_visit
          FROM appointments a
          JOIN tenants t ON t.id = a.tenant_id
         WHERE a.status = 'completed'
         GROUP BY a.tenant_id, a.pet_id) v
 WHERE p.tenant_id = v.tenant_id AND p.id = v.pet_id
   AND (p.last_visit_date IS NULL OR p.last_visit_date < v.last_visit);
