-- What is due next for a pet, computed by the database from what is booked and vaccinated
-- whenever it is read; emergencies marked on the appointment. Idempotent like the others.
-- On Citus the API writes the same SQL into its statements (db/expressions.py): there a
-- function that reads other tables cannot run inside a statement on a shard, so
-- public.pets_next_visit_due serves a single PostgreSQL only (vetql.pet_due called on its
-- own works on both).
--
-- Why computed when read, not a column kept by triggers: a kept column makes every writer
-- that can move it (a booking, a cancel, a vaccine, ...) write the pet's row. Two such
-- writers of one pet at REPEATABLE READ then fail to serialize (tests/test_billing.py books
-- 20 visits of one pet at once and needs all to commit), and at READ COMMITTED they must
-- take the pet's lock before computing or they lose updates (a booking that leaves the
-- value as it was writes nothing, so a concurrent cancel recomputes without it). Computed
-- from the rows themselves it is right after any sequence of writes, whatever their
-- isolation, and no writer waits for another; it costs one probe of a partial index and one
-- of the pet's vaccines per pet read. So pets.next_visit_due (the seed's column, kept by
-- 0021 from vaccines only, and stale as days passed) goes; other readers of the database
-- get the same value from public.pets_next_visit_due(pets), a computed column in
-- PostGraphile's and PostgREST's sense.

-- Emergencies ------------------------------------------------------------------------
-- Set by the booking rule (domain/scheduling/rules.py: a staff booking outside business
-- hours or off the slot grid), never taken from the client.
ALTER TABLE appointments ADD COLUMN IF NOT EXISTS is_emergency boolean NOT NULL DEFAULT false;
-- An owner's booking is never one, whatever a writer with an owner's claims sends. A trigger,
-- not a restrictive policy: Citus (13.2) creates a restrictive policy on the shards as a
-- permissive one, which would let any writer through.
CREATE OR REPLACE FUNCTION vetql.owner_books_no_emergency() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.is_emergency AND vetql.role() = 'owner' THEN
    RAISE insufficient_privilege USING MESSAGE = 'an owner cannot book an emergency',
                                       CONSTRAINT = 'appointments_owner_no_emergency';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER appointments_owner_no_emergency BEFORE INSERT OR UPDATE OF is_emergency ON appointments
  FOR EACH ROW WHEN (NEW.is_emergency) EXECUTE FUNCTION vetql.owner_books_no_emergency();

-- What is due ------------------------------------------------------------------------
-- The earliest of: a booked visit not yet attended (scheduled or confirmed: a recurring
-- occurrence, a recheck, any booking), on its day where the clinic is; and each vaccine's
-- next dose as its latest administration set it (the same vaccine: its name, accents and
-- case aside; a booster given early replaces the dose it was). Nothing here reads the
-- clock: a date that passes stays, overdue, until the visit is attended, cancelled or
-- missed, or the dose is given. Read under the caller's policies, like the pet.
-- PL/pgSQL, not SQL: Citus plans a PL/pgSQL statement with its arguments' values (one clinic),
-- which it cannot do for a SQL function's.
CREATE OR REPLACE FUNCTION vetql.pet_due(p_tenant text, p_pet uuid) RETURNS date
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN least(
    (SELECT (min(a.start_time) AT TIME ZONE (SELECT t.timezone FROM tenants t WHERE t.id = p_tenant))::date
       FROM appointments a
      WHERE a.tenant_id = p_tenant AND a.pet_id = p_pet AND a.status IN ('scheduled', 'confirmed')),
    (SELECT min(latest.next_dose_date)
       FROM (SELECT DISTINCT ON (vetql.fold(v.name)) v.next_dose_date
               FROM vaccines v
              WHERE v.tenant_id = p_tenant AND v.pet_id = p_pet
              ORDER BY vetql.fold(v.name), v.administered_date DESC, v.created_at DESC, v.id DESC) latest));
END
$$;
GRANT EXECUTE ON FUNCTION vetql.pet_due(text, uuid) TO vetql_app;

-- Nothing is due for a deceased pet (its future visits are cancelled by 0016's pet_died).
CREATE OR REPLACE FUNCTION public.pets_next_visit_due(p public.pets) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p.is_deceased THEN NULL ELSE vetql.pet_due(p.tenant_id, p.id) END
$$;
COMMENT ON FUNCTION public.pets_next_visit_due(public.pets) IS
  'When the next visit is due: the earliest booked visit not yet attended or next vaccine dose; null for a deceased pet.';
GRANT EXECUTE ON FUNCTION public.pets_next_visit_due(public.pets) TO vetql_app;

-- The booked visits of a pet, soonest first: the one probe above.
CREATE INDEX IF NOT EXISTS appointments_pet_booked_idx ON appointments (tenant_id, pet_id, start_time)
  WHERE status IN ('scheduled', 'confirmed');

-- The kept column and 0021's feed of it go.
DROP TRIGGER IF EXISTS vaccines_feed_next_visit_insert ON vaccines;
DROP TRIGGER IF EXISTS vaccines_feed_next_visit_update ON vaccines;
DROP FUNCTION IF EXISTS vetql.vaccine_due_changed();
ALTER TABLE pets DROP COLUMN IF EXISTS next_visit_due;
