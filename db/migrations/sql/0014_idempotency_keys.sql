-- Idempotency keys: a POST retried with the same Idempotency-Key header gets the stored
-- response instead of running again (server/idempotency.py). Idempotent like every migration.
--
-- Keys are the caller's own: per clinic and profile, under RLS like any clinic table, so
-- one member's key never reveals or replays another's. The platform operator (no clinic)
-- keeps its keys under tenant_id ''. `status` is NULL while the first request is in flight.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  tenant_id    text NOT NULL DEFAULT coalesce(vetql.tenant_id(), ''),
  profile_id   uuid NOT NULL,
  key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash text NOT NULL,
  status       smallint CHECK (status BETWEEN 100 AND 599),
  response     bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, profile_id, key),
  CHECK ((status IS NULL) = (response IS NULL))
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_idx ON idempotency_keys (tenant_id, created_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS self_all ON idempotency_keys;
CREATE POLICY self_all ON idempotency_keys FOR ALL TO vetql_app
  USING (tenant_id = coalesce((SELECT vetql.tenant_id()), '') AND profile_id = (SELECT vetql.user_id()))
  WITH CHECK (tenant_id = coalesce((SELECT vetql.tenant_id()), '') AND profile_id = (SELECT vetql.user_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO vetql_app;
