-- Active users per month, counted by the database. Idempotent like every migration.
--
-- A profile is active in a month (the clinic's calendar month, in its time zone)
-- when it wrote something of the clinic's work that month: booked an appointment
-- (appointments.created_by), raised a patient alert or a problem
-- (patient_alerts/patient_problems.created_by), opened an anesthesia log
-- (anesthesia_logs.created_by) or recorded vitals (anesthesia_vitals.recorded_by).
-- Staff and owners alike (owners book their own appointments); a profile counts
-- once per month however much it did.
--
-- Distinct counts cannot be summed, so the pattern of tenant_usage_deltas is kept
-- with sets instead of numbers: each transaction inserts the (month, profile)
-- pairs it saw into its OWN rows (keyed by its transaction id: no conflict with a
-- concurrent writer, a rollback takes them along), and
-- vetql.roll_up_active_users() moves committed pairs into the set
-- tenant_active_users, adding to tenant_usage.active_users only the pairs that
-- were new. Reads add tenant_usage.active_users and the pending profiles not in
-- the set yet: nobody counts twice.
CREATE TABLE IF NOT EXISTS tenant_active_user_deltas (
  tenant_id    text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  period_start date NOT NULL,            -- first day of the calendar month, in the clinic's zone
  profile_id   uuid NOT NULL,
  xact         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  PRIMARY KEY (tenant_id, period_start, profile_id, xact),
  CHECK (extract(day FROM period_start) = 1)
);

-- Who was active, folded. No foreign key to profiles: a profile deleted later was
-- still active then.
CREATE TABLE IF NOT EXISTS tenant_active_users (
  tenant_id    text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  period_start date NOT NULL,
  profile_id   uuid NOT NULL,
  PRIMARY KEY (tenant_id, period_start, profile_id),
  CHECK (extract(day FROM period_start) = 1)
);

-- One statement-level trigger per table: TG_ARGV = (actor column, time column).
CREATE OR REPLACE FUNCTION vetql.count_active_users() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($q$
    INSERT INTO tenant_active_user_deltas (tenant_id, period_start, profile_id)
    SELECT DISTINCT n.tenant_id, vetql.usage_month(n.%2$I, t.timezone), n.%1$I
      FROM new_rows n JOIN tenants t ON t.id = n.tenant_id
     WHERE n.%1$I IS NOT NULL
    ON CONFLICT (tenant_id, period_start, profile_id, xact) DO NOTHING
  $q$, TG_ARGV[0], TG_ARGV[1]);
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER appointments_count_active_users
  AFTER INSERT ON appointments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.count_active_users('created_by', 'created_at');
CREATE OR REPLACE TRIGGER patient_alerts_count_active_users
  AFTER INSERT ON patient_alerts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.count_active_users('created_by', 'created_at');
CREATE OR REPLACE TRIGGER patient_problems_count_active_users
  AFTER INSERT ON patient_problems REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.count_active_users('created_by', 'created_at');
CREATE OR REPLACE TRIGGER anesthesia_logs_count_active_users
  AFTER INSERT ON anesthesia_logs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.count_active_users('created_by', 'created_at');
CREATE OR REPLACE TRIGGER anesthesia_vitals_count_active_users
  AFTER INSERT ON anesthesia_vitals REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.count_active_users('recorded_by', 'recorded_at');

-- Folds committed pairs into the set and the new ones into tenant_usage.active_users,
-- in one statement. Run by the server's roll-up task next to vetql.roll_up_usage(),
-- as vetql_app with the platform's claims (RLS lets only the platform fold).
CREATE OR REPLACE FUNCTION vetql.roll_up_active_users() RETURNS bigint
LANGUAGE sql AS $$
  WITH moved AS (
    DELETE FROM tenant_active_user_deltas WHERE xact <> pg_current_xact_id()
    RETURNING tenant_id, period_start, profile_id
  ), added AS (
    INSERT INTO tenant_active_users (tenant_id, period_start, profile_id)
    SELECT DISTINCT tenant_id, period_start, profile_id FROM moved
    ON CONFLICT (tenant_id, period_start, profile_id) DO NOTHING
    RETURNING tenant_id, period_start
  ), counted AS (
    INSERT INTO tenant_usage AS u (tenant_id, period_start, period_end, active_users)
    SELECT tenant_id, period_start, (period_start + interval '1 month')::date, count(*) FROM added GROUP BY 1, 2
    ON CONFLICT (tenant_id, period_start) DO UPDATE SET active_users = u.active_users + excluded.active_users
  )
  SELECT count(*) FROM moved   -- how many delta rows were folded
$$;
REVOKE ALL ON FUNCTION vetql.roll_up_active_users() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.roll_up_active_users() TO vetql_app;

-- As tenant_usage_deltas: writers their own transaction's rows, an admin reads
-- their clinic's, the platform reads and folds everything.
ALTER TABLE tenant_active_user_deltas ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_active_user_deltas FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_xact_all ON tenant_active_user_deltas;
CREATE POLICY own_xact_all ON tenant_active_user_deltas FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND xact = pg_current_xact_id())
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND xact = pg_current_xact_id());
DROP POLICY IF EXISTS admin_read ON tenant_active_user_deltas;
CREATE POLICY admin_read ON tenant_active_user_deltas FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin');
DROP POLICY IF EXISTS platform_all ON tenant_active_user_deltas;
CREATE POLICY platform_all ON tenant_active_user_deltas FOR ALL TO vetql_app
  USING ((SELECT vetql.is_platform())) WITH CHECK ((SELECT vetql.is_platform()));
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_active_user_deltas TO vetql_app;

-- As tenant_usage: the platform manages, a clinic's admin reads its own.
ALTER TABLE tenant_active_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_active_users FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS admin_read ON tenant_active_users;
CREATE POLICY admin_read ON tenant_active_users FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin');
DROP POLICY IF EXISTS platform_all ON tenant_active_users;
CREATE POLICY platform_all ON tenant_active_users FOR ALL TO vetql_app
  USING ((SELECT vetql.is_platform())) WITH CHECK ((SELECT vetql.is_platform()));
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_active_users TO vetql_app;
