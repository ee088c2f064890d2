-- Patient records made editable: alerts, problem lists, the seed's new columns
-- on profiles, clinics and pets, and push devices. Idempotent like every migration.

-- Diagnosis codes are searched by code as well as by term.
CREATE INDEX IF NOT EXISTS diagnosis_codes_code_trgm_idx ON diagnosis_codes USING gin (code gin_trgm_ops);

-- Owners edit their own profile (staff already edit their clinic's via staff_all).
DROP POLICY IF EXISTS owner_update_self ON profiles;
CREATE POLICY owner_update_self ON profiles FOR UPDATE TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner' AND id = (SELECT vetql.user_id()))
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner' AND id = (SELECT vetql.user_id()));

-- The policy lets an owner UPDATE their row on any route into the database, so
-- the columns that say who they are stay out of reach: only an admin changes a
-- role, and nobody moves a profile to another id or clinic.
CREATE OR REPLACE FUNCTION vetql.guard_profile_identity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
     OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE insufficient_privilege USING MESSAGE = 'a profile keeps its id, clinic and creation time';
  END IF;
  IF NEW.role IS DISTINCT FROM OLD.role AND coalesce(vetql.role(), '') NOT IN ('admin', '') THEN
    RAISE insufficient_privilege USING MESSAGE = 'only an admin changes a role';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER profiles_guard_identity BEFORE UPDATE ON profiles
  FOR EACH ROW EXECUTE FUNCTION vetql.guard_profile_identity();

-- A pet's primary vet is a vet or admin of its clinic. The foreign key keeps
-- the clinic; this keeps the role, on every route that writes pets.
CREATE OR REPLACE FUNCTION vetql.check_primary_vet() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM profiles
                  WHERE tenant_id = NEW.tenant_id AND id = NEW.primary_vet_id AND role IN ('vet', 'admin')) THEN
    RAISE check_violation USING MESSAGE = 'the primary vet must be a vet or admin of the clinic',
                                CONSTRAINT = 'pets_primary_vet_is_staff';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER pets_primary_vet_is_staff BEFORE INSERT OR UPDATE OF primary_vet_id ON pets
  FOR EACH ROW WHEN (NEW.primary_vet_id IS NOT NULL) EXECUTE FUNCTION vetql.check_primary_vet();

-- Push devices. A token names one device, so it belongs to one user of a clinic
-- (unique (tenant_id, fcm_token)); when another user signs in on that device the
-- token moves to them. The caller cannot do that move under RLS: self_all hides
-- the previous user's row, and ON CONFLICT DO UPDATE on a row the caller may not
-- see fails. This SECURITY DEFINER function does it in one statement, and its
-- body is the whole of what it can do: it writes only the caller's clinic
-- (vetql.tenant_id()) and only ever assigns the token to the caller
-- (vetql.user_id()), both from the verified claims; it returns the caller's row
-- only. It reveals nothing of the previous owner. search_path is pinned so no
-- caller-created object can stand in for the ones named here.
CREATE OR REPLACE FUNCTION vetql.register_device(
  p_token text, p_device_type text, p_device_name text, p_device_model text, p_os_version text, p_app_version text
) RETURNS SETOF public.user_devices
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_tenant text := vetql.tenant_id();
  v_user uuid := vetql.user_id();
BEGIN
  IF v_tenant IS NULL OR v_user IS NULL OR coalesce(vetql.role(), '') NOT IN ('owner', 'vet', 'admin') THEN
    RAISE insufficient_privilege USING MESSAGE = 'only a member of a clinic registers a device';
  END IF;
  RETURN QUERY
  INSERT INTO public.user_devices AS d
         (tenant_id, user_id, fcm_token, device_type, device_name, device_model, os_version, app_version)
  VALUES (v_tenant, v_user, p_token, p_device_type, p_device_name, p_device_model, p_os_version, p_app_version)
  ON CONFLICT (tenant_id, fcm_token) DO UPDATE
     SET user_id = EXCLUDED.user_id, device_type = EXCLUDED.device_type, device_name = EXCLUDED.device_name,
         device_model = EXCLUDED.device_model, os_version = EXCLUDED.os_version,
         app_version = EXCLUDED.app_version, is_active = true, last_used_at = now()
  RETURNING d.*;
END
$$;
REVOKE ALL ON FUNCTION vetql.register_device(text, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.register_device(text, text, text, text, text, text) TO vetql_app;

-- The function runs as its owner, the migrating role. A superuser skips RLS; a
-- non-superuser owner of the tables does not (FORCE), and is a member of
-- vetql_app, so self_all would stop the move. This policy lets exactly that
-- owner (never vetql_app, which all request SQL runs as) write devices of the
-- clinic in the claims, and only for the user in the claims.
DROP POLICY IF EXISTS definer_register ON user_devices;
CREATE POLICY definer_register ON user_devices FOR ALL
  USING (current_user <> 'vetql_app' AND tenant_id = (SELECT vetql.tenant_id()))
  WITH CHECK (current_user <> 'vetql_app' AND tenant_id = (SELECT vetql.tenant_id())
              AND user_id = (SELECT vetql.user_id()));
