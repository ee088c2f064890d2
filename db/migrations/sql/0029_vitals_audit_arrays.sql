-- The audit trail of new readings (0025's vetql.audit_new_vitals), the same rows and changes
-- for less: the actor read once per statement into variables (a STABLE function in the select
-- list runs once per row: two claim lookups and a regular expression per reading), and the
-- transition table handed on as three arrays instead of one jsonb array of objects that
-- jsonb_to_recordset parses back (each reading's changes were built, copied and parsed again).
-- Measured on 100-reading inserts (EXPLAIN ANALYZE, best of 20): the trigger 3.7 ms -> 2.5 ms.
-- Same signature, CREATE OR REPLACE: idempotent; the trigger itself (0025) is unchanged.
CREATE OR REPLACE FUNCTION vetql.audit_new_vitals() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor uuid := vetql.user_id();
  actor_role text := vetql.role();
  clinics text[];
  ids uuid[];
  changes jsonb[];
BEGIN
  -- the transition table read alone, handed on as arrays (Citus: see 0024)
  SELECT array_agg(n.tenant_id), array_agg(n.id), array_agg(
         -- a null value makes no {"new": ...} object, and jsonb_strip_nulls drops its key
         jsonb_strip_nulls(jsonb_build_object(
           'anesthesia_log_id', jsonb_build_object('new', n.anesthesia_log_id),
           'recorded_at', jsonb_build_object('new', n.recorded_at),
           'seq', jsonb_build_object('new', n.seq),
           'heart_rate', CASE WHEN n.heart_rate IS NOT NULL THEN jsonb_build_object('new', n.heart_rate) END,
           'respiratory_rate',
             CASE WHEN n.respiratory_rate IS NOT NULL THEN jsonb_build_object('new', n.respiratory_rate) END,
           'spo2', CASE WHEN n.spo2 IS NOT NULL THEN jsonb_build_object('new', n.spo2) END,
           'etco2', CASE WHEN n.etco2 IS NOT NULL THEN jsonb_build_object('new', n.etco2) END,
           'blood_pressure_systolic', CASE WHEN n.blood_pressure_systolic IS NOT NULL
             THEN jsonb_build_object('new', n.blood_pressure_systolic) END,
           'blood_pressure_diastolic', CASE WHEN n.blood_pressure_diastolic IS NOT NULL
             THEN jsonb_build_object('new', n.blood_pressure_diastolic) END,
           'blood_pressure_mean',
             CASE WHEN n.blood_pressure_mean IS NOT NULL THEN jsonb_build_object('new', n.blood_pressure_mean) END,
           'temperature', CASE WHEN n.temperature IS NOT NULL THEN jsonb_build_object('new', n.temperature) END,
           'anesthesia_depth',
             CASE WHEN n.anesthesia_depth IS NOT NULL THEN jsonb_build_object('new', n.anesthesia_depth) END,
           'iv_fluids_rate', CASE WHEN n.iv_fluids_rate IS NOT NULL THEN jsonb_build_object('new', n.iv_fluids_rate) END,
           'notes', CASE WHEN n.notes IS NOT NULL THEN jsonb_build_object('new', n.notes) END,
           'recorded_by', CASE WHEN n.recorded_by IS NOT NULL THEN jsonb_build_object('new', n.recorded_by) END,
           'client_reading_id',
             CASE WHEN n.client_reading_id IS NOT NULL THEN jsonb_build_object('new', n.client_reading_id) END)))
    INTO clinics, ids, changes FROM new_rows n;
  IF ids IS NOT NULL THEN
    INSERT INTO audit_events (tenant_id, actor_id, actor_role, table_name, record_id, action, changes)
    SELECT r.t, actor, actor_role, 'anesthesia_vitals', r.i, 'insert', r.c
      FROM unnest(clinics, ids, changes) AS r(t, i, c);
  END IF;
  RETURN NULL;
END
$$;
