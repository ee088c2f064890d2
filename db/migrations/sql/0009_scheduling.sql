-- Scheduling: the visit flow, room capacity, vets never double-booked, owners
-- booking and cancelling their own pets' visits, recurring series.
-- Idempotent like every migration. The rules are the database's, so they hold
-- for every writer, not only for the API:
--   * a room never holds more live appointments at one instant than its capacity
--     (a constraint trigger that serializes bookers of one room on its row);
--   * a vet is never in two live appointments at once (an exclusion constraint);
--   * status moves only along the visit flow, and the flow's timestamps and
--     durations are the database's clock, never the client's;
--   * an owner may book a visit for their own pet and cancel it, nothing else.
-- "Live" is any status but cancelled and no_show.

-- Rooms: bumped by every booking of the room. Bookers UPDATE the room row, which
-- serializes them: under READ COMMITTED the second waits and then counts what the
-- first committed; under REPEATABLE READ (the API's level) it fails with a
-- serialization error and the API retries it on a fresh snapshot.
ALTER TABLE exam_rooms ADD COLUMN IF NOT EXISTS booking_seq bigint NOT NULL DEFAULT 0;

-- Room assignments carry the appointment's time range, kept equal to it by
-- triggers, so overlap is a range question on one table (GiST-indexed).
ALTER TABLE room_assignments ADD COLUMN IF NOT EXISTS during tstzrange;
UPDATE room_assignments r SET during = tstzrange(a.start_time, a.end_time)
  FROM appointments a
 WHERE a.tenant_id = r.tenant_id AND a.id = r.appointment_id
   AND r.during IS DISTINCT FROM tstzrange(a.start_time, a.end_time);
ALTER TABLE room_assignments ALTER COLUMN during SET NOT NULL;
CREATE INDEX IF NOT EXISTS room_assignments_during_idx
  ON room_assignments USING gist (tenant_id, room_id, during) WHERE released_at IS NULL;

-- Recurring series: who, where, and how far they have been materialized.
ALTER TABLE appointment_recurrence
  ADD COLUMN IF NOT EXISTS vet_id uuid,
  ADD COLUMN IF NOT EXISTS room_id uuid,
  ADD COLUMN IF NOT EXISTS reason text,
  ADD COLUMN IF NOT EXISTS materialized_until date;
CALL vetql.add_constraint('appointment_recurrence', 'appointment_recurrence_vet_fkey',
  'FOREIGN KEY (tenant_id, vet_id) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (vet_id)');
CALL vetql.add_constraint('appointment_recurrence', 'appointment_recurrence_room_fkey',
  'FOREIGN KEY (tenant_id, room_id) REFERENCES exam_rooms (tenant_id, id) ON DELETE SET NULL (room_id)');

-- A vet is in one live appointment at a time.
CALL vetql.add_constraint('appointments', 'appointments_vet_no_overlap',
  'EXCLUDE USING gist (tenant_id WITH =, vet_id WITH =, tstzrange(start_time, end_time) WITH &&)
   WHERE (vet_id IS NOT NULL AND status NOT IN (''cancelled'', ''no_show''))');

-- Room capacity -------------------------------------------------------------------
-- The most live assignments of a room in effect at one instant within `span`.
-- The peak of a set of intervals is reached at the start of one of them, so
-- the instants to look at are the starts inside `span` (and span's own start).
CREATE OR REPLACE FUNCTION vetql.room_peak(tenant text, room uuid, span tstzrange) RETURNS bigint
LANGUAGE sql STABLE AS $$
  WITH live AS (
    SELECT r.during FROM room_assignments r
      JOIN appointments a ON a.tenant_id = r.tenant_id AND a.id = r.appointment_id
     WHERE r.tenant_id = tenant AND r.room_id = room AND r.released_at IS NULL
       AND a.status NOT IN ('cancelled', 'no_show') AND r.during && span
  )
  SELECT coalesce(max((SELECT count(*) FROM live l WHERE l.during @> p.at)), 0)
    FROM (SELECT greatest(lower(during), lower(span)) AS at FROM live) p
$$;

CREATE OR REPLACE FUNCTION vetql.check_room_capacity() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cap int;
  active boolean;
BEGIN
  IF NEW.released_at IS NOT NULL THEN
    RETURN NULL;
  END IF;
  UPDATE exam_rooms SET booking_seq = booking_seq + 1
   WHERE tenant_id = NEW.tenant_id AND id = NEW.room_id
  RETURNING capacity, is_active INTO cap, active;
  IF cap IS NULL THEN
    RAISE foreign_key_violation USING MESSAGE = 'exam room not found', CONSTRAINT = 'room_assignments_room';
  END IF;
  IF TG_OP = 'INSERT' AND NOT active THEN
    RAISE check_violation USING MESSAGE = 'exam room is not in use', CONSTRAINT = 'room_assignments_room_active';
  END IF;
  IF vetql.room_peak(NEW.tenant_id, NEW.room_id, NEW.during) > cap THEN
    RAISE exclusion_violation USING MESSAGE = 'exam room is fully booked at that time',
      CONSTRAINT = 'room_assignments_capacity';
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS room_assignments_capacity ON room_assignments;
CREATE CONSTRAINT TRIGGER room_assignments_capacity
  AFTER INSERT OR UPDATE OF room_id, during, released_at ON room_assignments
  FOR EACH ROW EXECUTE FUNCTION vetql.check_room_capacity();

-- A room's capacity cannot drop below what is already booked from now on.
CREATE OR REPLACE FUNCTION vetql.check_room_capacity_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF vetql.room_peak(NEW.tenant_id, NEW.id, tstzrange(now(), NULL)) > NEW.capacity THEN
    RAISE exclusion_violation USING MESSAGE = 'more appointments are booked in this room than the new capacity',
      CONSTRAINT = 'room_assignments_capacity';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER exam_rooms_capacity_change
  BEFORE UPDATE OF capacity ON exam_rooms
  FOR EACH ROW WHEN (NEW.capacity < OLD.capacity) EXECUTE FUNCTION vetql.check_room_capacity_change();

-- An assignment takes its time range from its appointment, whatever the writer sent.
CREATE OR REPLACE FUNCTION vetql.room_assignment_during() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  SELECT tstzrange(a.start_time, a.end_time) INTO NEW.during
    FROM appointments a WHERE a.tenant_id = NEW.tenant_id AND a.id = NEW.appointment_id;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER room_assignments_during
  BEFORE INSERT OR UPDATE OF appointment_id, during ON room_assignments
  FOR EACH ROW EXECUTE FUNCTION vetql.room_assignment_during();

-- appointments.room_id mirrors the appointment's unreleased assignment.
CREATE OR REPLACE FUNCTION vetql.sync_appointment_room() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  active_room uuid;
BEGIN
  SELECT r.room_id INTO active_room FROM room_assignments r
   WHERE r.tenant_id = NEW.tenant_id AND r.appointment_id = NEW.appointment_id AND r.released_at IS NULL;
  UPDATE appointments SET room_id = active_room
   WHERE tenant_id = NEW.tenant_id AND id = NEW.appointment_id AND room_id IS DISTINCT FROM active_room;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER room_assignments_sync_room
  AFTER INSERT OR UPDATE OF room_id, released_at ON room_assignments
  FOR EACH ROW EXECUTE FUNCTION vetql.sync_appointment_room();

-- The visit flow ------------------------------------------------------------------
CREATE OR REPLACE FUNCTION vetql.appointment_transition_allowed(from_status text, to_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (from_status, to_status) IN (
    ('scheduled', 'confirmed'), ('scheduled', 'checked_in'), ('scheduled', 'cancelled'), ('scheduled', 'no_show'),
    ('confirmed', 'checked_in'), ('confirmed', 'cancelled'), ('confirmed', 'no_show'),
    ('checked_in', 'in_progress'), ('checked_in', 'cancelled'),
    ('in_progress', 'completed'))
$$;

-- Before an update: only allowed transitions; the flow's clock is the
-- database's; a cancelled or no-show visit gives up its room; an owner may only
-- cancel, and only before the clinic's cancellation window.
CREATE OR REPLACE FUNCTION vetql.appointment_flow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  window_hours int;
BEGIN
  IF vetql.role() = 'owner' THEN
    IF NEW.status <> 'cancelled'
       OR (to_jsonb(NEW) - ARRAY['status', 'room_id', 'updated_at'])
          IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['status', 'room_id', 'updated_at']) THEN
      RAISE insufficient_privilege USING MESSAGE = 'an owner may only cancel an appointment';
    END IF;
    SELECT coalesce((t.appointment_settings ->> 'cancellation_hours')::int, 24) INTO window_hours
      FROM tenants t WHERE t.id = NEW.tenant_id;
    IF OLD.start_time < now() + make_interval(hours => coalesce(window_hours, 24)) THEN
      RAISE check_violation USING MESSAGE = 'too late to cancel', CONSTRAINT = 'appointments_cancellation_window';
    END IF;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF NOT vetql.appointment_transition_allowed(OLD.status, NEW.status) THEN
      RAISE check_violation USING MESSAGE = format('an appointment cannot go from %s to %s', OLD.status, NEW.status),
        CONSTRAINT = 'appointments_status_transition';
    END IF;
    CASE NEW.status
      WHEN 'checked_in' THEN
        NEW.checked_in_at := now();
        NEW.checked_in_by := vetql.user_id();
      WHEN 'in_progress' THEN
        NEW.started_at := now();
        NEW.wait_time_minutes := floor(extract(epoch FROM now() - NEW.checked_in_at) / 60)::int;
      WHEN 'completed' THEN
        NEW.completed_at := now();
        NEW.visit_duration_minutes := floor(extract(epoch FROM now() - NEW.started_at) / 60)::int;
      WHEN 'cancelled', 'no_show' THEN
        NEW.room_id := NULL;
      ELSE
        NULL;
    END CASE;
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER appointments_flow BEFORE UPDATE ON appointments
  FOR EACH ROW EXECUTE FUNCTION vetql.appointment_flow();

-- After an update: assignments follow the appointment's times; a cancelled or
-- no-show visit releases its room; a completed one is the pet's last visit (in
-- the clinic's time zone). An owner's cancel cannot see room assignments, and
-- need not: a cancelled appointment's assignment counts for nothing.
CREATE OR REPLACE FUNCTION vetql.appointment_followups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('cancelled', 'no_show') AND OLD.status NOT IN ('cancelled', 'no_show') THEN
    UPDATE room_assignments SET released_at = greatest(now(), assigned_at)
     WHERE tenant_id = NEW.tenant_id AND appointment_id = NEW.id AND released_at IS NULL;
  ELSIF (NEW.start_time, NEW.end_time) IS DISTINCT FROM (OLD.start_time, OLD.end_time) THEN
    UPDATE room_assignments SET during = tstzrange(NEW.start_time, NEW.end_time)
     WHERE tenant_id = NEW.tenant_id AND appointment_id = NEW.id AND released_at IS NULL;
  END IF;
  IF NEW.status = 'completed' AND OLD.status <> 'completed' THEN
    UPDATE pets p SET last_visit_date = d.day
      FROM (SELECT (NEW.completed_at AT TIME ZONE t.timezone)::date AS day FROM tenants t WHERE t.id = NEW.tenant_id) d
     WHERE p.tenant_id = NEW.tenant_id AND p.id = NEW.pet_id
       AND (p.last_visit_date IS NULL OR p.last_visit_date < d.day);
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER appointments_followups AFTER UPDATE ON appointments
  FOR EACH ROW EXECUTE FUNCTION vetql.appointment_followups();

-- Owners book and cancel their own pets' visits --------------------------------------
-- (they already read them: owner_read in 0004). A booking by an owner is theirs,
-- not yet in the flow, without room or series.
DROP POLICY IF EXISTS owner_book ON appointments;
CREATE POLICY owner_book ON appointments FOR INSERT TO vetql_app
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner'
              AND created_by = (SELECT vetql.user_id()) AND status IN ('scheduled', 'confirmed')
              AND checked_in_at IS NULL AND started_at IS NULL AND completed_at IS NULL
              AND room_id IS NULL AND recurrence_id IS NULL
              AND EXISTS (SELECT 1 FROM pets p WHERE p.tenant_id = appointments.tenant_id AND p.id = appointments.pet_id));
DROP POLICY IF EXISTS owner_cancel ON appointments;
CREATE POLICY owner_cancel ON appointments FOR UPDATE TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner'
         AND EXISTS (SELECT 1 FROM pets p WHERE p.tenant_id = appointments.tenant_id AND p.id = appointments.pet_id))
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner' AND status = 'cancelled'
              AND EXISTS (SELECT 1 FROM pets p WHERE p.tenant_id = appointments.tenant_id AND p.id = appointments.pet_id));

-- Index for "this and all following" of a series, and a vet's day.
CREATE INDEX IF NOT EXISTS appointments_vet_idx ON appointments (tenant_id, vet_id, start_time) WHERE vet_id IS NOT NULL;
