-- Live: the operating block's surgery events, numbered per clinic in commit
-- order, and a wake-up for a log's streams when the log is completed.
-- Idempotent like every migration.

-- One row per clinic holds its newest surgery-event number. Writers take that
-- row's lock (after the log's own, which every writer of these events already
-- holds), so per clinic the numbers are handed out in commit order, as
-- anesthesia_logs.vitals_seq does per log.
CREATE TABLE IF NOT EXISTS surgery_event_counters (
  tenant_id text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  seq       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id)
);

-- What a board of the clinic's open surgeries is built on: a log opened, a
-- phase recorded, a log completed, an alarm raised or cleared.
CREATE TABLE IF NOT EXISTS surgery_events (
  tenant_id         text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  seq               bigint NOT NULL,
  anesthesia_log_id uuid NOT NULL,
  kind              text NOT NULL
    CHECK (kind IN ('log_opened', 'phase_recorded', 'log_completed', 'alarm_raised', 'alarm_cleared')),
  phase             text CHECK (phase IN ('induction_time', 'maintenance_start', 'recovery_start',
                                          'extubation_time', 'full_recovery_time')),
  alarm_id          uuid,
  occurred_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, seq),
  FOREIGN KEY (tenant_id, anesthesia_log_id) REFERENCES anesthesia_logs (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, alarm_id) REFERENCES anesthesia_alarms (tenant_id, id) ON DELETE CASCADE,
  CHECK ((kind = 'phase_recorded') = (phase IS NOT NULL)),
  CHECK ((kind IN ('alarm_raised', 'alarm_cleared')) = (alarm_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS surgery_events_log_idx ON surgery_events (tenant_id, anesthesia_log_id, seq);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['surgery_event_counters', 'surgery_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS staff_all ON %I', t);
    EXECUTE format($p$
      CREATE POLICY staff_all ON %I FOR ALL TO vetql_app
        USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
        WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
    $p$, t);
  END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON surgery_event_counters TO vetql_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON surgery_events TO vetql_app;

-- Numbers and stores one event, and wakes the clinic's listeners on commit
-- (the payload names the clinic, the log and the number only).
CREATE OR REPLACE FUNCTION vetql.add_surgery_event(
  t text, log uuid, what text, phase_column text, alarm uuid, at timestamptz
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  INSERT INTO surgery_event_counters AS c (tenant_id, seq) VALUES (t, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = c.seq + 1
    RETURNING c.seq INTO n;
  INSERT INTO surgery_events (tenant_id, seq, anesthesia_log_id, kind, phase, alarm_id, occurred_at)
    VALUES (t, n, log, what, phase_column, alarm, at);
  PERFORM pg_notify('vetql_surgery', json_build_object('t', t, 'l', log, 's', n)::text);
END
$$;

CREATE OR REPLACE FUNCTION vetql.surgery_log_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  c text;
  before jsonb := CASE WHEN TG_OP = 'INSERT' THEN '{}'::jsonb ELSE to_jsonb(OLD) END;
  after jsonb := to_jsonb(NEW);
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM vetql.add_surgery_event(NEW.tenant_id, NEW.id, 'log_opened', NULL, NULL, NEW.created_at);
  END IF;
  -- a log written whole (an import) gets its phases and completion as events too
  FOREACH c IN ARRAY ARRAY['induction_time', 'maintenance_start', 'recovery_start', 'extubation_time',
                           'full_recovery_time'] LOOP
    IF (before ->> c) IS NULL AND (after ->> c) IS NOT NULL THEN
      PERFORM vetql.add_surgery_event(NEW.tenant_id, NEW.id, 'phase_recorded', c, NULL,
                                      CAST(after ->> c AS timestamptz));
    END IF;
  END LOOP;
  IF (before ->> 'completed_at') IS NULL AND NEW.completed_at IS NOT NULL THEN
    PERFORM vetql.add_surgery_event(NEW.tenant_id, NEW.id, 'log_completed', NULL, NULL, NEW.completed_at);
    -- the log's own streams (vitalsRecorded, anesthesiaAlarms) read on, see it completed and end
    PERFORM pg_notify('vetql_vitals', json_build_object('t', NEW.tenant_id, 'l', NEW.id)::text);
    PERFORM pg_notify('vetql_alarms', json_build_object('t', NEW.tenant_id, 'l', NEW.id)::text);
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER anesthesia_logs_opened
  AFTER INSERT ON anesthesia_logs FOR EACH ROW EXECUTE FUNCTION vetql.surgery_log_events();
-- Not on every reading's counter bump: only when a phase or the completion is first set.
CREATE OR REPLACE TRIGGER anesthesia_logs_progress
  AFTER UPDATE ON anesthesia_logs FOR EACH ROW
  WHEN ((OLD.induction_time IS NULL AND NEW.induction_time IS NOT NULL)
     OR (OLD.maintenance_start IS NULL AND NEW.maintenance_start IS NOT NULL)
     OR (OLD.recovery_start IS NULL AND NEW.recovery_start IS NOT NULL)
     OR (OLD.extubation_time IS NULL AND NEW.extubation_time IS NOT NULL)
     OR (OLD.full_recovery_time IS NULL AND NEW.full_recovery_time IS NOT NULL)
     OR (OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL))
  EXECUTE FUNCTION vetql.surgery_log_events();

CREATE OR REPLACE FUNCTION vetql.surgery_alarm_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM vetql.add_surgery_event(NEW.tenant_id, NEW.anesthesia_log_id, 'alarm_' || NEW.transition, NULL,
                                  NEW.alarm_id, NEW.occurred_at);
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER anesthesia_alarm_events_surgery
  AFTER INSERT ON anesthesia_alarm_events FOR EACH ROW EXECUTE FUNCTION vetql.surgery_alarm_events();

-- Logs open before this migration: their opening, phases and open alarms become
-- events once, in that order (re-runnable: only logs that have none yet).
DO $$
DECLARE l record; c text; a record;
BEGIN
  FOR l IN SELECT * FROM anesthesia_logs g WHERE g.completed_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM surgery_events e WHERE e.tenant_id = g.tenant_id
                               AND e.anesthesia_log_id = g.id)
           ORDER BY g.tenant_id, g.created_at, g.id LOOP
    PERFORM vetql.add_surgery_event(l.tenant_id, l.id, 'log_opened', NULL, NULL, l.created_at);
    FOREACH c IN ARRAY ARRAY['induction_time', 'maintenance_start', 'recovery_start', 'extubation_time',
                             'full_recovery_time'] LOOP
      IF (to_jsonb(l) ->> c) IS NOT NULL THEN
        PERFORM vetql.add_surgery_event(l.tenant_id, l.id, 'phase_recorded', c, NULL,
                                        CAST(to_jsonb(l) ->> c AS timestamptz));
      END IF;
    END LOOP;
    FOR a IN SELECT * FROM anesthesia_alarms x WHERE x.tenant_id = l.tenant_id AND x.anesthesia_log_id = l.id
               AND x.cleared_at IS NULL ORDER BY x.raised_at, x.id LOOP
      PERFORM vetql.add_surgery_event(l.tenant_id, l.id, 'alarm_raised', NULL, a.id, a.raised_at);
    END LOOP;
  END LOOP;
END
$$;

-- The clinic-wide vitals feed looks for logs opened since it began among the open ones.
CREATE INDEX IF NOT EXISTS anesthesia_logs_open_idx ON anesthesia_logs (tenant_id, created_at)
  WHERE completed_at IS NULL;
