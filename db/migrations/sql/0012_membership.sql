-- Membership: a profile can be deactivated (someone who left the clinic). VetQL honours a
-- token only for an ACTIVE profile of its clinic with the token's role, checked before it
-- sets the claims (db/membership.py); policies keep trusting the verified claims (no
-- sub-selects on profiles in policies: Citus cannot run them). Idempotent.
ALTER TABLE profiles ADD COLUMN IF NOT EXISTS is_active boolean NOT NULL DEFAULT true;

-- An owner may update their own profile on any route into the database (owner_update_self),
-- and staff any profile of their clinic: who is a member stays with the admin, like the role
-- (vetql.guard_profile_identity). A trigger of its own, so no earlier migration's function
-- is redefined here.
CREATE OR REPLACE FUNCTION vetql.guard_profile_membership() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.is_active IS DISTINCT FROM OLD.is_active AND coalesce(vetql.role(), '') NOT IN ('admin', '') THEN
    RAISE insufficient_privilege USING MESSAGE = 'only an admin activates or deactivates a profile';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER profiles_guard_membership BEFORE UPDATE OF is_active ON profiles
  FOR EACH ROW EXECUTE FUNCTION vetql.guard_profile_membership();
