-- Ingest: what PostgreSQL does for every recordVitals statement, made cheaper without
-- changing what it keeps (issue 15, point 4). Idempotent like every migration.

-- 1. The tenant foreign key of anesthesia_vitals is implied by the composite key to its
-- log, (tenant_id, anesthesia_log_id) -> anesthesia_logs (tenant_id, id), whose tenant_id
-- references tenants with ON DELETE CASCADE: a reading's clinic exists whenever its log
-- does, and erasing a clinic still takes its readings (through its logs). One check per
-- row fewer.
ALTER TABLE anesthesia_vitals DROP CONSTRAINT IF EXISTS anesthesia_vitals_tenant_id_fkey;
