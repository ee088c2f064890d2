-- The front desk: owners registered with their document, patients kept whole (death,
-- archive, weight history), and search that ignores accents and case. Idempotent.

CREATE EXTENSION IF NOT EXISTS unaccent;   -- accent-insensitive search (contrib)
CREATE EXTENSION IF NOT EXISTS btree_gin;  -- tenant_id first in the search indexes (GIN)

-- Text folded for search: no accents, lower case. unaccent() is only STABLE (its dictionary
-- could change); naming the dictionary makes the result fixed, so the wrapper may be
-- IMMUTABLE, used by the stored columns below (computed once per write, not per row read).
CREATE OR REPLACE FUNCTION vetql.fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;
GRANT EXECUTE ON FUNCTION vetql.fold(text) TO vetql_app;

-- Owners: a document (cédula or RUC) unique per clinic; archived owners are kept, hidden by default.
ALTER TABLE profiles
  ADD COLUMN IF NOT EXISTS document_type text CHECK (document_type IN ('ci', 'ruc', 'passport', 'other')),
  ADD COLUMN IF NOT EXISTS document_number text CHECK (document_number ~ '^[0-9A-Z-]{1,20}$'),
  ADD COLUMN IF NOT EXISTS archived_at timestamptz;
CREATE UNIQUE INDEX IF NOT EXISTS profiles_document_key ON profiles (tenant_id, document_number)
  WHERE document_number IS NOT NULL;
-- Search: the name folded once per write; GIN trigram indexes with tenant_id first (btree_gin), so a
-- clinic's search reads only its own entries.
ALTER TABLE profiles ADD COLUMN IF NOT EXISTS full_name_folded text GENERATED ALWAYS AS (vetql.fold(full_name)) STORED;
CREATE INDEX IF NOT EXISTS profiles_name_search_idx ON profiles USING gin (tenant_id, full_name_folded gin_trgm_ops);
CREATE INDEX IF NOT EXISTS profiles_email_search_idx ON profiles USING gin (tenant_id, lower(email) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS profiles_phone_idx ON profiles (tenant_id, phone);
CREATE INDEX IF NOT EXISTS profiles_secondary_phone_idx ON profiles (tenant_id, secondary_phone);
CREATE INDEX IF NOT EXISTS profiles_name_idx ON profiles (tenant_id, full_name, id);

-- Patients: death (date and cause), archive.
ALTER TABLE pets
  ADD COLUMN IF NOT EXISTS deceased_on date,
  ADD COLUMN IF NOT EXISTS cause_of_death text,
  ADD COLUMN IF NOT EXISTS archived_at timestamptz;
CALL vetql.add_constraint('pets', 'pets_death_check',
  'CHECK ((deceased_on IS NULL OR is_deceased) AND (deceased_on IS NULL OR date_of_birth IS NULL OR deceased_on >= date_of_birth))');
ALTER TABLE pets ADD COLUMN IF NOT EXISTS name_folded text GENERATED ALWAYS AS (vetql.fold(name)) STORED;
CREATE INDEX IF NOT EXISTS pets_name_search_idx ON pets USING gin (tenant_id, name_folded gin_trgm_ops);

-- A death is final; only an admin brings an archived pet or owner back.
CREATE OR REPLACE FUNCTION vetql.guard_pet_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.is_deceased AND NOT NEW.is_deceased THEN
    RAISE check_violation USING MESSAGE = 'a death is final', CONSTRAINT = 'pets_death_is_final';
  END IF;
  IF OLD.archived_at IS NOT NULL AND NEW.archived_at IS NULL AND coalesce(vetql.role(), '') NOT IN ('admin', '') THEN
    RAISE insufficient_privilege USING MESSAGE = 'only an admin restores an archived record';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER pets_guard_lifecycle BEFORE UPDATE OF is_deceased, archived_at ON pets
  FOR EACH ROW EXECUTE FUNCTION vetql.guard_pet_lifecycle();

CREATE OR REPLACE FUNCTION vetql.guard_profile_archive() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.archived_at IS NOT NULL AND NEW.archived_at IS NULL AND coalesce(vetql.role(), '') NOT IN ('admin', '') THEN
    RAISE insufficient_privilege USING MESSAGE = 'only an admin restores an archived record';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER profiles_guard_archive BEFORE UPDATE OF archived_at ON profiles
  FOR EACH ROW EXECUTE FUNCTION vetql.guard_profile_archive();

-- When a pet dies, on any route: its future visits are cancelled and its recurring series end.
CREATE OR REPLACE FUNCTION vetql.pet_died() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE last_day date := coalesce(NEW.deceased_on, current_date);
BEGIN
  UPDATE appointments SET status = 'cancelled'
   WHERE tenant_id = NEW.tenant_id AND pet_id = NEW.id AND status IN ('scheduled', 'confirmed')
     AND start_time > now();
  UPDATE appointment_recurrence
     SET is_active = false, ends_on = greatest(starts_on, least(coalesce(ends_on, last_day), last_day))
   WHERE tenant_id = NEW.tenant_id AND pet_id = NEW.id AND is_active;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER pets_died AFTER UPDATE OF is_deceased ON pets
  FOR EACH ROW WHEN (NEW.is_deceased AND NOT OLD.is_deceased) EXECUTE FUNCTION vetql.pet_died();

-- A deceased or archived pet cannot be booked, and a deceased one not anaesthetised.
CREATE OR REPLACE FUNCTION vetql.check_pet_bookable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pets WHERE tenant_id = NEW.tenant_id AND id = NEW.pet_id
                AND (is_deceased OR archived_at IS NOT NULL)) THEN
    RAISE check_violation USING MESSAGE = 'a deceased or archived pet cannot be booked',
                                CONSTRAINT = 'appointments_pet_bookable';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER appointments_pet_bookable BEFORE INSERT OR UPDATE OF pet_id, start_time ON appointments
  FOR EACH ROW WHEN (NEW.status IN ('scheduled', 'confirmed')) EXECUTE FUNCTION vetql.check_pet_bookable();

CREATE OR REPLACE FUNCTION vetql.check_pet_alive() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pets WHERE tenant_id = NEW.tenant_id AND id = NEW.pet_id AND is_deceased) THEN
    RAISE check_violation USING MESSAGE = 'a deceased pet cannot be anaesthetised',
                                CONSTRAINT = 'anesthesia_logs_pet_alive';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER anesthesia_logs_pet_alive BEFORE INSERT ON anesthesia_logs
  FOR EACH ROW EXECUTE FUNCTION vetql.check_pet_alive();

-- Weight history: every weight a pet is given is kept with when, for a weight curve (staff only).
CREATE TABLE IF NOT EXISTS pet_weights (
  tenant_id   text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id      uuid NOT NULL,
  weight_kg   numeric(6, 2) NOT NULL CHECK (weight_kg > 0),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by uuid,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (recorded_by)
);
CREATE INDEX IF NOT EXISTS pet_weights_pet_idx ON pet_weights (tenant_id, pet_id, recorded_at, id);
ALTER TABLE pet_weights ENABLE ROW LEVEL SECURITY;
ALTER TABLE pet_weights FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON pet_weights TO vetql_app;
DROP POLICY IF EXISTS staff_all ON pet_weights;
CREATE POLICY staff_all ON pet_weights FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()));

CREATE OR REPLACE FUNCTION vetql.keep_pet_weight() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.weight_kg IS NOT DISTINCT FROM OLD.weight_kg THEN
    RETURN NULL;
  END IF;
  INSERT INTO pet_weights (tenant_id, pet_id, weight_kg, recorded_by)
  VALUES (NEW.tenant_id, NEW.id, NEW.weight_kg, vetql.user_id());
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER pets_keep_weight AFTER INSERT OR UPDATE OF weight_kg ON pets
  FOR EACH ROW WHEN (NEW.weight_kg IS NOT NULL) EXECUTE FUNCTION vetql.keep_pet_weight();

-- Search candidates. Under row-level security PostgreSQL uses an index only for LEAKPROOF
-- operators, and pg_trgm's (%>, LIKE) are not: as vetql_app the trigram indexes would go
-- unused and every search would read the whole clinic. These functions find the matching
-- ids as their owner (the migrating role, which a superuser or BYPASSRLS owner reads on the
-- indexes), for the caller's own clinic and staff only; the caller then reads the rows
-- under its own policies, so row-level security still decides what is shown. EXECUTE plans
-- each call with its values (a generic plan could not use the trigram indexes either).
CREATE OR REPLACE FUNCTION vetql.owner_candidates(
  p_folded text, p_folded_pattern text, p_pattern text, p_doc text, p_phone text
) RETURNS SETOF uuid ROWS 20
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE v_tenant text := vetql.tenant_id();
BEGIN
  IF v_tenant IS NULL OR NOT coalesce(vetql.is_staff(), false) THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'SELECT id FROM public.profiles WHERE tenant_id = $1 AND document_number = $5
     UNION SELECT id FROM public.profiles WHERE tenant_id = $1 AND phone = $6
     UNION SELECT id FROM public.profiles WHERE tenant_id = $1 AND secondary_phone = $6
     UNION SELECT id FROM public.profiles WHERE tenant_id = $1 AND lower(email) LIKE lower($4)
     UNION SELECT id FROM public.profiles WHERE tenant_id = $1 AND full_name_folded %> $2
     UNION SELECT id FROM public.profiles WHERE tenant_id = $1 AND full_name_folded LIKE $3'
    USING v_tenant, p_folded, p_folded_pattern, p_pattern, p_doc, p_phone;
END
$$;
CREATE OR REPLACE FUNCTION vetql.pet_candidates(p_folded text, p_folded_pattern text, p_chip text)
RETURNS SETOF uuid ROWS 20
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE v_tenant text := vetql.tenant_id();
BEGIN
  IF v_tenant IS NULL OR NOT coalesce(vetql.is_staff(), false) THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'SELECT id FROM public.pets WHERE tenant_id = $1 AND microchip_id = $4
     UNION SELECT id FROM public.pets WHERE tenant_id = $1 AND name_folded %> $2
     UNION SELECT id FROM public.pets WHERE tenant_id = $1 AND name_folded LIKE $3'
    USING v_tenant, p_folded, p_folded_pattern, p_chip;
END
$$;
REVOKE ALL ON FUNCTION vetql.owner_candidates(text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION vetql.pet_candidates(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.owner_candidates(text, text, text, text, text) TO vetql_app;
GRANT EXECUTE ON FUNCTION vetql.pet_candidates(text, text, text) TO vetql_app;
-- A non-superuser owner is under FORCE: let exactly that owner read the caller's clinic here.
DROP POLICY IF EXISTS definer_search ON profiles;
CREATE POLICY definer_search ON profiles FOR SELECT
  USING (current_user <> 'vetql_app' AND tenant_id = (SELECT vetql.tenant_id()));
DROP POLICY IF EXISTS definer_search ON pets;
CREATE POLICY definer_search ON pets FOR SELECT
  USING (current_user <> 'vetql_app' AND tenant_id = (SELECT vetql.tenant_id()));
