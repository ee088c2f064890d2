-- Who sees what, enforced by PostgreSQL for every route into the data.
--   vet, admin: everything of their clinic (tenant_id claim).
--   owner:      their profile, their pets, and those pets' appointments,
--               problems, vaccines and invoices. Nothing staff-only.
--   platform:   plans, subscriptions and usage of every clinic; no clinical data.
--   no claims:  active subscription plans, nothing else.
-- Helpers are wrapped as (SELECT fn()) so they are evaluated once per
-- statement, not once per row; tenant_id leads every index they filter on.
-- CREATE POLICY has no IF NOT EXISTS: each is dropped and created in the same
-- transaction, so a re-run converges on exactly these policies.

DO $$
DECLARE
  t text;
  staff_only text[] := ARRAY[
    'patient_alerts', 'exam_rooms', 'room_assignments', 'anesthesia_logs', 'anesthesia_vitals',
    'medical_records', 'services', 'pet_insurance_policies', 'conversations', 'promotions',
    'promotion_usage', 'appointment_recurrence'];
  -- staff see them all; an owner reads those of their own pets
  owner_readable_by_pet text[] := ARRAY['appointments', 'patient_problems', 'vaccines'];
  clinic_tables text[];
BEGIN
  clinic_tables := staff_only || owner_readable_by_pet || ARRAY[
    'profiles', 'pets', 'invoices', 'invoice_items', 'user_devices',
    'tenant_subscriptions', 'tenant_usage'];

  FOREACH t IN ARRAY clinic_tables || ARRAY['tenants', 'subscription_plans', 'diagnosis_codes'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;

  FOREACH t IN ARRAY staff_only || owner_readable_by_pet || ARRAY['profiles', 'pets', 'invoices', 'invoice_items'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS staff_all ON %I', t);
    EXECUTE format($p$
      CREATE POLICY staff_all ON %I FOR ALL TO vetql_app
        USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
        WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
    $p$, t);
  END LOOP;

  FOREACH t IN ARRAY owner_readable_by_pet LOOP
    EXECUTE format('DROP POLICY IF EXISTS owner_read ON %I', t);
    -- the subquery on pets is itself under pets' policies: an owner's pets only
    EXECUTE format($p$
      CREATE POLICY owner_read ON %1$I FOR SELECT TO vetql_app
        USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner'
               AND EXISTS (SELECT 1 FROM pets p WHERE p.tenant_id = %1$I.tenant_id AND p.id = %1$I.pet_id))
    $p$, t);
  END LOOP;
END
$$;

DROP POLICY IF EXISTS owner_read ON profiles;
CREATE POLICY owner_read ON profiles FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND id = (SELECT vetql.user_id()));

DROP POLICY IF EXISTS owner_read ON pets;
CREATE POLICY owner_read ON pets FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner'
         AND owner_id = (SELECT vetql.user_id()));

DROP POLICY IF EXISTS owner_read ON invoices;
CREATE POLICY owner_read ON invoices FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner'
         AND client_id = (SELECT vetql.user_id()));

DROP POLICY IF EXISTS owner_read ON invoice_items;
CREATE POLICY owner_read ON invoice_items FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner'
         AND EXISTS (SELECT 1 FROM invoices i WHERE i.tenant_id = invoice_items.tenant_id
                                              AND i.id = invoice_items.invoice_id));

-- A user's own push devices, whatever their role in the clinic.
DROP POLICY IF EXISTS self_all ON user_devices;
CREATE POLICY self_all ON user_devices FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND user_id = (SELECT vetql.user_id()))
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND user_id = (SELECT vetql.user_id()));

-- Clinics: members read their own; an admin edits it; platform sees all.
DROP POLICY IF EXISTS member_read ON tenants;
CREATE POLICY member_read ON tenants FOR SELECT TO vetql_app
  USING (id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) IN ('owner', 'vet', 'admin'));
DROP POLICY IF EXISTS admin_update ON tenants;
CREATE POLICY admin_update ON tenants FOR UPDATE TO vetql_app
  USING (id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin')
  WITH CHECK (id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin');
DROP POLICY IF EXISTS platform_all ON tenants;
CREATE POLICY platform_all ON tenants FOR ALL TO vetql_app
  USING ((SELECT vetql.is_platform())) WITH CHECK ((SELECT vetql.is_platform()));

-- Billing: platform manages every clinic's; a clinic's admin reads its own.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenant_subscriptions', 'tenant_usage'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS platform_all ON %I', t);
    EXECUTE format('CREATE POLICY platform_all ON %I FOR ALL TO vetql_app
                      USING ((SELECT vetql.is_platform())) WITH CHECK ((SELECT vetql.is_platform()))', t);
    EXECUTE format('DROP POLICY IF EXISTS admin_read ON %I', t);
    EXECUTE format($p$CREATE POLICY admin_read ON %I FOR SELECT TO vetql_app
                      USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin')$p$, t);
  END LOOP;
END
$$;

-- Plans are public while active; platform manages them.
DROP POLICY IF EXISTS public_read ON subscription_plans;
CREATE POLICY public_read ON subscription_plans FOR SELECT TO vetql_app USING (is_active);
DROP POLICY IF EXISTS platform_all ON subscription_plans;
CREATE POLICY platform_all ON subscription_plans FOR ALL TO vetql_app
  USING ((SELECT vetql.is_platform())) WITH CHECK ((SELECT vetql.is_platform()));

-- Diagnosis codes: reference data for anyone signed in.
DROP POLICY IF EXISTS signed_in_read ON diagnosis_codes;
CREATE POLICY signed_in_read ON diagnosis_codes FOR SELECT TO vetql_app
  USING ((SELECT vetql.role()) IS NOT NULL);

-- Privileges: rows are filtered by the policies above; vetql_app owns nothing.
GRANT USAGE ON SCHEMA public TO vetql_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO vetql_app;
DO $$
BEGIN
  IF to_regclass('public.alembic_version') IS NOT NULL THEN
    -- readiness reads the applied revision; only migrations write it
    REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM vetql_app;
  END IF;
END
$$;
