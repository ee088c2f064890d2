-- The audit trail: every write to clinical and financial records appends rows here in
-- the same transaction, from statement triggers (one INSERT ... SELECT per statement,
-- however many rows it wrote): who (the claims' profile and role), when, which record,
-- which action, and the changed fields with their old and new values. Nothing updates
-- it and the app role cannot delete it: there are policies to insert and to read (a
-- clinic's admins), none to change, and a trigger refuses any UPDATE.

CREATE TABLE IF NOT EXISTS audit_events (
  tenant_id      text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  occurred_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  actor_id       uuid,
  actor_role     text,
  table_name     text NOT NULL,
  record_id      uuid NOT NULL,
  action         text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
  changes        jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS audit_events_time_idx ON audit_events (tenant_id, occurred_at, id);
CREATE INDEX IF NOT EXISTS audit_events_record_idx ON audit_events (tenant_id, record_id, occurred_at);

-- Field by field: an insert's values, an update's changed values (old and new), a
-- delete's last values. updated_at is left out: it changes with every update.
CREATE OR REPLACE FUNCTION vetql.audit_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit_events (tenant_id, actor_id, actor_role, table_name, record_id, action, changes)
    SELECT n.tenant_id, vetql.user_id(), vetql.role(), TG_TABLE_NAME, n.id, 'insert',
           (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('new', e.value)), '{}')
              FROM jsonb_each(to_jsonb(n)) e
             WHERE e.value <> 'null' AND e.key NOT IN ('tenant_id', 'id', 'updated_at'))
      FROM new_rows n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO audit_events (tenant_id, actor_id, actor_role, table_name, record_id, action, changes)
    SELECT n.tenant_id, vetql.user_id(), vetql.role(), TG_TABLE_NAME, n.id, 'update', d.changes
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
     CROSS JOIN LATERAL (
       SELECT jsonb_object_agg(e.key, jsonb_build_object('old', to_jsonb(o) -> e.key, 'new', e.value)) AS changes
         FROM jsonb_each(to_jsonb(n)) e
        WHERE e.key <> 'updated_at' AND e.value IS DISTINCT FROM to_jsonb(o) -> e.key) d
     WHERE d.changes IS NOT NULL;
  ELSE
    INSERT INTO audit_events (tenant_id, actor_id, actor_role, table_name, record_id, action, changes)
    SELECT o.tenant_id, vetql.user_id(), vetql.role(), TG_TABLE_NAME, o.id, 'delete',
           (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('old', e.value)), '{}')
              FROM jsonb_each(to_jsonb(o)) e
             WHERE e.value <> 'null' AND e.key NOT IN ('tenant_id', 'id', 'updated_at'))
      FROM old_rows o
     WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = o.tenant_id);  -- a clinic erased takes its trail along
  END IF;
  RETURN NULL;
END
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'pets', 'patient_alerts', 'patient_problems', 'medical_records', 'medical_record_addenda', 'vaccines',
    'anesthesia_logs', 'anesthesia_vitals', 'invoices', 'invoice_items', 'payments', 'refunds'] LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION vetql.audit_rows()', t || '_audit_insert', t);
    EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows'
                   ' NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vetql.audit_rows()',
                   t || '_audit_update', t);
    EXECUTE format('CREATE OR REPLACE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION vetql.audit_rows()', t || '_audit_delete', t);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION vetql.audit_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only'
    USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'audit_events_append_only';
END
$$;
CREATE OR REPLACE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION vetql.audit_is_append_only();

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS admin_read ON audit_events;
CREATE POLICY admin_read ON audit_events FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin');
-- whoever writes a clinic's records writes their trail, in that clinic only
DROP POLICY IF EXISTS member_append ON audit_events;
CREATE POLICY member_append ON audit_events FOR INSERT TO vetql_app
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()));
-- table privileges as for every table (0004); what the role may do is the policies above
GRANT SELECT, INSERT, UPDATE, DELETE ON audit_events TO vetql_app;
