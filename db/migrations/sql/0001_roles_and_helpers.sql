-- Roles, extensions and the claim helpers every policy is written against.
-- Idempotent: every statement checks or replaces what is already there.

CREATE EXTENSION IF NOT EXISTS btree_gist;  -- tenant_id in exclusion constraints
CREATE EXTENSION IF NOT EXISTS pg_trgm;     -- pet and diagnosis-code search

-- vetql_app: the role all request SQL runs as. Not a superuser, not
-- BYPASSRLS, owns nothing, cannot log in; reached with SET LOCAL ROLE.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vetql_app') THEN
    CREATE ROLE vetql_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
ALTER ROLE vetql_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;

-- The migrating login must be able to SET ROLE vetql_app for requests.
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'vetql_app', 'MEMBER') THEN
    EXECUTE format('GRANT vetql_app TO %I', current_user);
  END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS vetql;
REVOKE ALL ON SCHEMA vetql FROM PUBLIC;
GRANT USAGE ON SCHEMA vetql TO vetql_app;

-- Claims of the current transaction, as PostgREST and Supabase set them.
-- After a transaction that set them, current_setting() is '' (not NULL).
CREATE OR REPLACE FUNCTION vetql.claims() RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
$$;

CREATE OR REPLACE FUNCTION vetql.tenant_id() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(vetql.claims() ->> 'tenant_id', '')
$$;

CREATE OR REPLACE FUNCTION vetql.role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(vetql.claims() ->> 'role', '')
$$;

-- NULL unless `sub` is a well-formed UUID, so a bad claim matches no row
-- instead of failing every statement of the request.
CREATE OR REPLACE FUNCTION vetql.user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN vetql.claims() ->> 'sub' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN (vetql.claims() ->> 'sub')::uuid
  END
$$;

CREATE OR REPLACE FUNCTION vetql.is_staff() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(vetql.role() IN ('vet', 'admin'), false) AND vetql.tenant_id() IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION vetql.is_platform() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(vetql.role() = 'platform', false)
$$;

-- Named one by one: ON ALL FUNCTIONS would also touch functions later
-- migrations add, so a re-run of this file would change their grants.
GRANT EXECUTE ON FUNCTION vetql.claims(), vetql.tenant_id(), vetql.role(), vetql.user_id(),
  vetql.is_staff(), vetql.is_platform() TO vetql_app;

-- Keeps updated_at honest without trusting the client.
CREATE OR REPLACE FUNCTION vetql.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

-- ADD CONSTRAINT has no IF NOT EXISTS: this makes it re-runnable.
CREATE OR REPLACE PROCEDURE vetql.add_constraint(tbl regclass, name text, definition text)
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = tbl AND conname = name) THEN
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', tbl, name, definition);
  END IF;
END
$$;
REVOKE ALL ON PROCEDURE vetql.add_constraint(regclass, text, text) FROM PUBLIC, vetql_app;
