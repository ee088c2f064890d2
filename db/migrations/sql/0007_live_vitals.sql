-- Live intra-operative monitoring: commit-ordered vital sequence numbers,
-- alarms with their raised/cleared history, per-clinic thresholds, and the
-- NOTIFY that wakes subscribers. Idempotent like every migration.

-- Each log numbers its readings 1, 2, 3, ... Writers take the log's row lock to
-- advance the counter, so per log the numbers are handed out in commit order:
-- a subscriber that has seen n has seen everything up to n. (A global sequence
-- would not do: a transaction holding n can commit after one holding n+1.)
ALTER TABLE anesthesia_logs
  ADD COLUMN IF NOT EXISTS vitals_seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS alarm_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE anesthesia_vitals ADD COLUMN IF NOT EXISTS seq bigint;

-- Existing readings get numbers in recording order (re-runnable: only unnumbered rows).
WITH numbered AS (
  SELECT tenant_id, id,
         row_number() OVER (PARTITION BY tenant_id, anesthesia_log_id ORDER BY recorded_at, id) AS n
    FROM anesthesia_vitals
)
UPDATE anesthesia_vitals v SET seq = numbered.n
  FROM numbered
 WHERE v.tenant_id = numbered.tenant_id AND v.id = numbered.id AND v.seq IS NULL;
UPDATE anesthesia_logs l SET vitals_seq = m.max_seq
  FROM (SELECT tenant_id, anesthesia_log_id, max(seq) AS max_seq FROM anesthesia_vitals
         GROUP BY tenant_id, anesthesia_log_id) m
 WHERE l.tenant_id = m.tenant_id AND l.id = m.anesthesia_log_id AND l.vitals_seq < m.max_seq;
ALTER TABLE anesthesia_vitals ALTER COLUMN seq SET NOT NULL;

-- Any writer that leaves seq out (a script, another tool on this database)
-- still gets the next number under the log's lock. recordVitals reserves a
-- whole batch with one UPDATE instead, and fills seq itself.
CREATE OR REPLACE FUNCTION vetql.number_vital() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE anesthesia_logs SET vitals_seq = vitals_seq + 1
   WHERE tenant_id = NEW.tenant_id AND id = NEW.anesthesia_log_id
  RETURNING vitals_seq INTO NEW.seq;
  IF NEW.seq IS NULL THEN
    RAISE foreign_key_violation USING MESSAGE = 'anesthesia log not found';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER anesthesia_vitals_number
  BEFORE INSERT ON anesthesia_vitals FOR EACH ROW WHEN (NEW.seq IS NULL)
  EXECUTE FUNCTION vetql.number_vital();
CREATE UNIQUE INDEX IF NOT EXISTS anesthesia_vitals_seq_key ON anesthesia_vitals (tenant_id, anesthesia_log_id, seq);
-- the vitals connection's order: time taken, then recording order
CREATE INDEX IF NOT EXISTS anesthesia_vitals_time_seq_idx
  ON anesthesia_vitals (tenant_id, anesthesia_log_id, recorded_at, seq);

-- Alarms: one row per episode of a reading out of range, raised and later cleared.
CREATE TABLE IF NOT EXISTS anesthesia_alarms (
  tenant_id         text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  anesthesia_log_id uuid NOT NULL,
  kind              text NOT NULL CHECK (kind ~ '^[a-z0-9_]+$'),
  family            text NOT NULL CHECK (family ~ '^[a-z0-9_]+$'),   -- graded kinds share one (spo2, temperature, ...)
  severity          text NOT NULL CHECK (severity IN ('warning', 'critical')),
  message           text NOT NULL,
  value             numeric(8, 2),
  threshold         numeric(8, 2),
  raised_at         timestamptz NOT NULL,
  raised_by         uuid NOT NULL,            -- the reading that raised it
  cleared_at        timestamptz,
  cleared_by        uuid,                     -- the reading that cleared it
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, anesthesia_log_id) REFERENCES anesthesia_logs (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, raised_by) REFERENCES anesthesia_vitals (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, cleared_by) REFERENCES anesthesia_vitals (tenant_id, id) ON DELETE SET NULL (cleared_by),
  CHECK (cleared_at IS NULL OR cleared_at >= raised_at)
);
-- at most one open alarm per log and family: grades replace each other
CREATE UNIQUE INDEX IF NOT EXISTS anesthesia_alarms_open_key
  ON anesthesia_alarms (tenant_id, anesthesia_log_id, family) WHERE cleared_at IS NULL;
CREATE INDEX IF NOT EXISTS anesthesia_alarms_log_idx ON anesthesia_alarms (tenant_id, anesthesia_log_id, raised_at);

-- The stream of transitions subscribers receive, numbered per log like vitals.
CREATE TABLE IF NOT EXISTS anesthesia_alarm_events (
  tenant_id         text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  anesthesia_log_id uuid NOT NULL,
  alarm_id          uuid NOT NULL,
  seq               bigint NOT NULL,
  transition        text NOT NULL CHECK (transition IN ('raised', 'cleared')),
  occurred_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, anesthesia_log_id, seq),
  FOREIGN KEY (tenant_id, anesthesia_log_id) REFERENCES anesthesia_logs (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, alarm_id) REFERENCES anesthesia_alarms (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS anesthesia_alarm_events_time_idx ON anesthesia_alarm_events (tenant_id, occurred_at);

-- A clinic's own thresholds, overriding the defaults (see vetql/anesthesia/thresholds.py).
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS alarm_thresholds jsonb NOT NULL DEFAULT '{}'::jsonb;
CALL vetql.add_constraint('tenants', 'tenants_alarm_thresholds_check',
  'CHECK (jsonb_typeof(alarm_thresholds) = ''object'')');

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['anesthesia_alarms', 'anesthesia_alarm_events'] LOOP
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
GRANT SELECT, INSERT, UPDATE, DELETE ON anesthesia_alarms, anesthesia_alarm_events TO vetql_app;

-- Wake listeners when readings or alarm transitions commit. The payload names
-- the log and its newest number only: listeners re-read rows under each
-- subscriber's claims (notifications bypass RLS) and catch up from the table.
CREATE OR REPLACE FUNCTION vetql.notify_vitals() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tenant_id, anesthesia_log_id, max(seq) AS seq FROM new_rows GROUP BY 1, 2 LOOP
    PERFORM pg_notify('vetql_vitals', json_build_object('t', r.tenant_id, 'l', r.anesthesia_log_id, 's', r.seq)::text);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER anesthesia_vitals_notify
  AFTER INSERT ON anesthesia_vitals REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.notify_vitals();

CREATE OR REPLACE FUNCTION vetql.notify_alarms() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tenant_id, anesthesia_log_id, max(seq) AS seq FROM new_rows GROUP BY 1, 2 LOOP
    PERFORM pg_notify('vetql_alarms', json_build_object('t', r.tenant_id, 'l', r.anesthesia_log_id, 's', r.seq)::text);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER anesthesia_alarm_events_notify
  AFTER INSERT ON anesthesia_alarm_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.notify_alarms();
