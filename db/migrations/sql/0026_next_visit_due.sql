-- What is due next for a pet, kept by the database (pets.next_visit_due), and emergencies
-- marked on the appointment. Idempotent like the others; Citus-ready: every statement a
-- trigger runs names one clinic (tenant_id = a value), so it stays on the worker holding
-- that clinic's shards.
--
-- Why stored and kept by triggers, not computed when read: the pet lists and the overview
-- read it on every row (a column, like the seed's, costs nothing there; a computed value
-- costs two index probes per pet), other readers of the database (PostgREST, reports) see
-- the same value, and "who is due" can be asked of one column.
--
-- Why concurrent writers of one pet both succeed and leave the right value: each trigger
-- first locks the pets' rows (in id order), then computes in a new statement. Writes run
-- READ COMMITTED (db/session.py), where every statement takes a fresh snapshot: a second
-- booking of the pet waits for the first's lock and then counts the first's appointment,
-- committed. Computing first and updating only when the value differs (without the lock)
-- loses updates: a booking that leaves the value unchanged writes nothing, so it neither
-- waits for nor is seen by a concurrent cancel that recomputes without it. Locks are taken
-- appointments, then rooms, then pets, everywhere (a booking locks its room before it
-- inserts; marking a pet deceased locks its visits before the pet): no cycle, no deadlock.

-- Emergencies ------------------------------------------------------------------------
-- Set by the booking rule (domain/scheduling/rules.py: a staff booking outside business
-- hours or off the slot grid), never taken from the client.
ALTER TABLE appointments ADD COLUMN IF NOT EXISTS is_emergency boolean NOT NULL DEFAULT false;
-- An owner's booking is never one, whatever a writer with an owner's claims sends.
DROP POLICY IF EXISTS owner_no_emergency ON appointments;
CREATE POLICY owner_no_emergency ON appointments AS RESTRICTIVE FOR INSERT TO vetql_app
  WITH CHECK (vetql.role() IS DISTINCT FROM 'owner' OR NOT is_emergency);

-- What is due ------------------------------------------------------------------------
-- The earliest of: a booked visit not yet attended (scheduled or confirmed: a recurring
-- occurrence, a recheck, any booking), on its day where the clinic is; and each vaccine's
-- next dose as its latest administration set it (a booster given replaces the dose it was).
-- Nothing here reads the clock, so the stored value cannot go stale while nothing changes:
-- a date that passes stays, overdue, until the visit happens or is cancelled, or the dose
-- is given. A deceased pet has nothing due (the callers say so: they know the pet's row).
CREATE OR REPLACE FUNCTION vetql.pet_due(p_tenant text, p_pet uuid) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT least(
    (SELECT (min(a.start_time) AT TIME ZONE (SELECT t.timezone FROM tenants t WHERE t.id = p_tenant))::date
       FROM appointments a
      WHERE a.tenant_id = p_tenant AND a.pet_id = p_pet AND a.status IN ('scheduled', 'confirmed')),
    (SELECT min(latest.next_dose_date)
       FROM (SELECT DISTINCT ON (vetql.fold(v.name)) v.next_dose_date
               FROM vaccines v
              WHERE v.tenant_id = p_tenant AND v.pet_id = p_pet
              ORDER BY vetql.fold(v.name), v.administered_date DESC, v.created_at DESC, v.id DESC) latest))
$$;

-- Recompute the pets' value: lock them in id order, then read and write in later
-- statements (see the top). As the function's owner, since an owner's booking or cancel
-- must keep its pet's value although owners may not update pets; only for the caller's
-- clinic when the caller has claims.
CREATE OR REPLACE FUNCTION vetql.refresh_next_visit_due(p_tenant text, p_pets uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF vetql.tenant_id() IS NOT NULL AND vetql.tenant_id() IS DISTINCT FROM p_tenant THEN
    RAISE insufficient_privilege USING MESSAGE = 'another clinic''s pets';
  END IF;
  PERFORM 1 FROM pets WHERE tenant_id = p_tenant AND id = ANY (p_pets) ORDER BY id FOR NO KEY UPDATE;
  UPDATE pets p SET next_visit_due = d.due
    FROM (SELECT x.id, CASE WHEN x.is_deceased THEN NULL ELSE vetql.pet_due(x.tenant_id, x.id) END AS due
            FROM pets x WHERE x.tenant_id = p_tenant AND x.id = ANY (p_pets)) d
   WHERE p.tenant_id = p_tenant AND p.id = d.id AND p.next_visit_due IS DISTINCT FROM d.due;
END
$$;
REVOKE ALL ON FUNCTION vetql.refresh_next_visit_due(text, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.refresh_next_visit_due(text, uuid[]) TO vetql_app;
GRANT EXECUTE ON FUNCTION vetql.pet_due(text, uuid) TO vetql_app;

-- Statement triggers (one recompute per pet and statement, however many rows: a series'
-- cancel, a bulk load), grouped by clinic. Only changes that can move the value count.
CREATE OR REPLACE FUNCTION vetql.appointments_change_due() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE c record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    FOR c IN SELECT n.tenant_id, array_agg(DISTINCT n.pet_id) AS pets FROM new_rows n
              WHERE n.status IN ('scheduled', 'confirmed') GROUP BY n.tenant_id ORDER BY n.tenant_id LOOP
      PERFORM vetql.refresh_next_visit_due(c.tenant_id, c.pets);
    END LOOP;
  ELSIF TG_OP = 'DELETE' THEN
    FOR c IN SELECT o.tenant_id, array_agg(DISTINCT o.pet_id) AS pets FROM old_rows o
              WHERE o.status IN ('scheduled', 'confirmed') GROUP BY o.tenant_id ORDER BY o.tenant_id LOOP
      PERFORM vetql.refresh_next_visit_due(c.tenant_id, c.pets);
    END LOOP;
  ELSE
    FOR c IN SELECT m.tenant_id, array_agg(DISTINCT m.pet_id) AS pets
               FROM (SELECT n.tenant_id, unnest(ARRAY[n.pet_id, o.pet_id]) AS pet_id
                       FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
                      WHERE (n.status, n.start_time, n.pet_id) IS DISTINCT FROM (o.status, o.start_time, o.pet_id)
                        AND (n.status IN ('scheduled', 'confirmed') OR o.status IN ('scheduled', 'confirmed'))) m
              GROUP BY m.tenant_id ORDER BY m.tenant_id LOOP
      PERFORM vetql.refresh_next_visit_due(c.tenant_id, c.pets);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER appointments_due_insert AFTER INSERT ON appointments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vetql.appointments_change_due();
CREATE OR REPLACE TRIGGER appointments_due_update AFTER UPDATE ON appointments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vetql.appointments_change_due();
CREATE OR REPLACE TRIGGER appointments_due_delete AFTER DELETE ON appointments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION vetql.appointments_change_due();

CREATE OR REPLACE FUNCTION vetql.vaccines_change_due() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE c record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    FOR c IN SELECT n.tenant_id, array_agg(DISTINCT n.pet_id) AS pets FROM new_rows n
              GROUP BY n.tenant_id ORDER BY n.tenant_id LOOP
      PERFORM vetql.refresh_next_visit_due(c.tenant_id, c.pets);
    END LOOP;
  ELSIF TG_OP = 'DELETE' THEN
    FOR c IN SELECT o.tenant_id, array_agg(DISTINCT o.pet_id) AS pets FROM old_rows o
              GROUP BY o.tenant_id ORDER BY o.tenant_id LOOP
      PERFORM vetql.refresh_next_visit_due(c.tenant_id, c.pets);
    END LOOP;
  ELSE
    FOR c IN SELECT m.tenant_id, array_agg(DISTINCT m.pet_id) AS pets
               FROM (SELECT n.tenant_id, unnest(ARRAY[n.pet_id, o.pet_id]) AS pet_id
                       FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
                      WHERE (n.pet_id, n.name, n.administered_date, n.next_dose_date)
                            IS DISTINCT FROM (o.pet_id, o.name, o.administered_date, o.next_dose_date)) m
              GROUP BY m.tenant_id ORDER BY m.tenant_id LOOP
      PERFORM vetql.refresh_next_visit_due(c.tenant_id, c.pets);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
-- These replace 0021's feed, which counted vaccines only (overwriting what appointments set)
-- and next doses from the day it ran (so the value went stale as days passed).
DROP TRIGGER IF EXISTS vaccines_feed_next_visit_insert ON vaccines;
DROP TRIGGER IF EXISTS vaccines_feed_next_visit_update ON vaccines;
DROP FUNCTION IF EXISTS vetql.vaccine_due_changed();
CREATE OR REPLACE TRIGGER vaccines_due_insert AFTER INSERT ON vaccines
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vetql.vaccines_change_due();
CREATE OR REPLACE TRIGGER vaccines_due_update AFTER UPDATE ON vaccines
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vetql.vaccines_change_due();
CREATE OR REPLACE TRIGGER vaccines_due_delete AFTER DELETE ON vaccines
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION vetql.vaccines_change_due();

-- Only the database writes the column: whatever a writer sends is replaced by what is due
-- (nothing for a new pet, nor for a deceased one: its future visits are cancelled by 0016's
-- vetql.pet_died, and nothing else will fall due).
CREATE OR REPLACE FUNCTION vetql.pet_next_visit_due() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.is_deceased THEN
    NEW.next_visit_due := NULL;
  ELSE
    NEW.next_visit_due := vetql.pet_due(NEW.tenant_id, NEW.id);
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER pets_next_visit_due_insert BEFORE INSERT ON pets
  FOR EACH ROW WHEN (NEW.next_visit_due IS NOT NULL) EXECUTE FUNCTION vetql.pet_next_visit_due();
CREATE OR REPLACE TRIGGER pets_next_visit_due_update BEFORE UPDATE OF next_visit_due, is_deceased ON pets
  FOR EACH ROW WHEN (NEW.next_visit_due IS DISTINCT FROM OLD.next_visit_due OR NEW.is_deceased AND NOT OLD.is_deceased)
  EXECUTE FUNCTION vetql.pet_next_visit_due();

-- The definer above is under FORCE when it is not a superuser: let exactly that owner, never
-- vetql_app, read and write what it needs of the caller's clinic (0016 does the same).
DROP POLICY IF EXISTS definer_due ON pets;
CREATE POLICY definer_due ON pets FOR ALL USING (current_user <> 'vetql_app') WITH CHECK (current_user <> 'vetql_app');
DROP POLICY IF EXISTS definer_due ON appointments;
CREATE POLICY definer_due ON appointments FOR SELECT USING (current_user <> 'vetql_app');
DROP POLICY IF EXISTS definer_due ON vaccines;
CREATE POLICY definer_due ON vaccines FOR SELECT USING (current_user <> 'vetql_app');
DROP POLICY IF EXISTS definer_due ON tenants;
CREATE POLICY definer_due ON tenants FOR SELECT USING (current_user <> 'vetql_app');

-- The audit trail records what people changed; a value the database derives (like
-- updated_at) is left out, so a booking does not write a change to the pet's record.
CREATE OR REPLACE FUNCTION vetql.audit_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit_events (tenant_id, actor_id, actor_role, table_name, record_id, action, changes)
    SELECT n.tenant_id, vetql.user_id(), vetql.role(), TG_TABLE_NAME, n.id, 'insert',
           (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('new', e.value)), '{}')
              FROM jsonb_each(to_jsonb(n)) e
             WHERE e.value <> 'null' AND e.key NOT IN ('tenant_id', 'id', 'updated_at', 'next_visit_due'))
      FROM new_rows n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO audit_events (tenant_id, actor_id, actor_role, table_name, record_id, action, changes)
    SELECT n.tenant_id, vetql.user_id(), vetql.role(), TG_TABLE_NAME, n.id, 'update', d.changes
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
     CROSS JOIN LATERAL (
       SELECT jsonb_object_agg(e.key, jsonb_build_object('old', to_jsonb(o) -> e.key, 'new', e.value)) AS changes
         FROM jsonb_each(to_jsonb(n)) e
        WHERE e.key NOT IN ('updated_at', 'next_visit_due') AND e.value IS DISTINCT FROM to_jsonb(o) -> e.key) d
     WHERE d.changes IS NOT NULL;
  ELSE
    INSERT INTO audit_events (tenant_id, actor_id, actor_role, table_name, record_id, action, changes)
    SELECT o.tenant_id, vetql.user_id(), vetql.role(), TG_TABLE_NAME, o.id, 'delete',
           (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('old', e.value)), '{}')
              FROM jsonb_each(to_jsonb(o)) e
             WHERE e.value <> 'null' AND e.key NOT IN ('tenant_id', 'id', 'updated_at', 'next_visit_due'))
      FROM old_rows o
     WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = o.tenant_id);  -- a clinic erased takes its trail along
  END IF;
  RETURN NULL;
END
$$;

-- What is due now, for the pets already there (one clinic at a time).
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT tenant_id, array_agg(id) AS pets FROM pets GROUP BY tenant_id ORDER BY tenant_id LOOP
    PERFORM vetql.refresh_next_visit_due(c.tenant_id, c.pets);
  END LOOP;
END
$$;
