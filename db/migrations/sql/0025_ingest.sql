-- Ingest: what PostgreSQL does for every recordVitals statement, made cheaper without
-- changing what it keeps (issue 15, point 4). Idempotent like every migration.

-- 1. The tenant foreign key of anesthesia_vitals is implied by the composite key to its
-- log, (tenant_id, anesthesia_log_id) -> anesthesia_logs (tenant_id, id), whose tenant_id
-- references tenants with ON DELETE CASCADE: a reading's clinic exists whenever its log
-- does, and erasing a clinic still takes its readings (through its logs). One check per
-- row fewer.
ALTER TABLE anesthesia_vitals DROP CONSTRAINT IF EXISTS anesthesia_vitals_tenant_id_fkey;

-- 2. Active users (0011), with static statements: the dynamic format() INSERT was planned
-- again on every statement (1.4 ms per 100-row insert against 0.37 ms for a static one).
-- PL/pgSQL keeps a plan per statement of a function per table it fires on, so each branch
-- is planned once per session. The triggers keep their arguments (actor column, time
-- column); an unknown pair fails loudly instead of counting nothing.
CREATE OR REPLACE FUNCTION vetql.count_active_users() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_ARGV[0] = 'created_by' AND TG_ARGV[1] = 'created_at' THEN
    INSERT INTO tenant_active_user_deltas (tenant_id, period_start, profile_id)
    SELECT DISTINCT n.tenant_id, vetql.usage_month(n.created_at, t.timezone), n.created_by
      FROM new_rows n JOIN tenants t ON t.id = n.tenant_id
     WHERE n.created_by IS NOT NULL
    ON CONFLICT (tenant_id, period_start, profile_id, xact) DO NOTHING;
  ELSIF TG_ARGV[0] = 'recorded_by' AND TG_ARGV[1] = 'recorded_at' THEN
    INSERT INTO tenant_active_user_deltas (tenant_id, period_start, profile_id)
    SELECT DISTINCT n.tenant_id, vetql.usage_month(n.recorded_at, t.timezone), n.recorded_by
      FROM new_rows n JOIN tenants t ON t.id = n.tenant_id
     WHERE n.recorded_by IS NOT NULL
    ON CONFLICT (tenant_id, period_start, profile_id, xact) DO NOTHING;
  ELSE
    RAISE EXCEPTION 'count_active_users: no statement for (%, %)', TG_ARGV[0], TG_ARGV[1];
  END IF;
  RETURN NULL;
END
$$;
