-- Clinics and their staff: invitations accepted with a single-use, expiring code (only its
-- SHA-256 is stored), for staff and for a client to the owner app, and a clinic that always
-- keeps an active admin. Idempotent.

CREATE TABLE IF NOT EXISTS staff_invitations (
  tenant_id        text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  email            text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  role             text NOT NULL CHECK (role IN ('vet', 'admin', 'owner')),
  owner_profile    uuid,  -- an owner's invitation: the client profile the app signs in as
  code_hash        text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  expires_at       timestamptz NOT NULL,
  accepted_at      timestamptz,
  accepted_profile uuid,
  invited_by       uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, accepted_profile) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (accepted_profile),
  FOREIGN KEY (tenant_id, invited_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (invited_by),
  FOREIGN KEY (tenant_id, owner_profile) REFERENCES profiles (tenant_id, id) ON DELETE CASCADE,
  CHECK ((role = 'owner') = (owner_profile IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS staff_invitations_code_key ON staff_invitations (tenant_id, code_hash);
CREATE INDEX IF NOT EXISTS staff_invitations_created_idx ON staff_invitations (tenant_id, created_at, id);
ALTER TABLE staff_invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_invitations FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_invitations TO vetql_app;
-- A clinic's admins manage its invitations; the platform writes the first admin's (no read).
DROP POLICY IF EXISTS admin_all ON staff_invitations;
CREATE POLICY admin_all ON staff_invitations FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin')
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin');
-- Reception (any staff) invites a client to the owner app.
DROP POLICY IF EXISTS staff_owner_invites ON staff_invitations;
CREATE POLICY staff_owner_invites ON staff_invitations FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()) AND role = 'owner')
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()) AND role = 'owner');
DROP POLICY IF EXISTS platform_insert ON staff_invitations;
CREATE POLICY platform_insert ON staff_invitations FOR INSERT TO vetql_app
  WITH CHECK ((SELECT vetql.is_platform()) AND role = 'admin');
-- vetql.accept_invitation runs as its owner (the migrating role): a superuser skips RLS; a
-- non-superuser owner does not (FORCE), so these let exactly that owner, never vetql_app, act.
DROP POLICY IF EXISTS definer_accept ON staff_invitations;
CREATE POLICY definer_accept ON staff_invitations FOR ALL
  USING (current_user <> 'vetql_app') WITH CHECK (current_user <> 'vetql_app');
DROP POLICY IF EXISTS definer_accept ON profiles;
CREATE POLICY definer_accept ON profiles FOR INSERT WITH CHECK (current_user <> 'vetql_app');

-- Accepting: the code is the credential (the caller has no token of the clinic yet). One
-- statement locks the invitation, so a code used twice at once makes one profile.
CREATE OR REPLACE FUNCTION vetql.accept_invitation(p_tenant text, p_code_hash text, p_full_name text)
RETURNS TABLE (outcome text, profile_id uuid, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v public.staff_invitations;
  v_profile uuid := gen_random_uuid();
BEGIN
  SELECT * INTO v FROM public.staff_invitations
   WHERE tenant_id = p_tenant AND code_hash = p_code_hash FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::uuid, NULL::text; RETURN;
  ELSIF v.accepted_at IS NOT NULL THEN
    RETURN QUERY SELECT 'used'::text, NULL::uuid, NULL::text; RETURN;
  ELSIF v.expires_at <= now() THEN
    RETURN QUERY SELECT 'expired'::text, NULL::uuid, NULL::text; RETURN;
  END IF;
  IF v.role = 'owner' THEN  -- a client joins the owner app as the profile the clinic keeps
    v_profile := v.owner_profile;
  ELSE
    INSERT INTO public.profiles (tenant_id, id, role, full_name, email)
    VALUES (v.tenant_id, v_profile, v.role, p_full_name, v.email);
  END IF;
  UPDATE public.staff_invitations SET accepted_at = now(), accepted_profile = v_profile
   WHERE tenant_id = v.tenant_id AND id = v.id;
  RETURN QUERY SELECT 'accepted'::text, v_profile, v.role;
END
$$;
REVOKE ALL ON FUNCTION vetql.accept_invitation(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.accept_invitation(text, text, text) TO vetql_app;

-- A clinic always keeps an active admin, also between two admins demoting or deactivating each
-- other at once: every change that takes an admin away first writes the clinic's row, so the
-- second of two such transactions waits for the first and then (REPEATABLE READ) fails to
-- serialize and is retried on a snapshot that shows the first, or (READ COMMITTED) counts
-- after it; either way it sees the admins that are left.
CREATE OR REPLACE FUNCTION vetql.keep_an_admin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tenants SET updated_at = now() WHERE id = NEW.tenant_id;
  IF NOT EXISTS (SELECT 1 FROM profiles
                  WHERE tenant_id = NEW.tenant_id AND role = 'admin' AND is_active) THEN
    RAISE check_violation USING MESSAGE = 'a clinic keeps at least one active admin',
                                CONSTRAINT = 'profiles_last_admin';
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER profiles_keep_an_admin AFTER UPDATE OF role, is_active ON profiles
  FOR EACH ROW WHEN (OLD.role = 'admin' AND OLD.is_active AND (NEW.role <> 'admin' OR NOT NEW.is_active))
  EXECUTE FUNCTION vetql.keep_an_admin();
