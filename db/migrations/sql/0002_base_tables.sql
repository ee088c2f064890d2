-- The clinic platform's base tables, which the seed document builds on.
-- Every clinic table: tenant_id TEXT NOT NULL, tenant_id first in the primary
-- key and in every key and foreign key between clinic tables (CONTRACT.md,
-- "Ready to outgrow one database"). tenant_id defaults to the caller's claim,
-- so it never comes from client input.

CREATE TABLE IF NOT EXISTS tenants (
  id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
  name       text NOT NULL CHECK (btrim(name) <> ''),
  legal_name text,
  ruc        text,                       -- Paraguayan tax id
  timezone   text NOT NULL DEFAULT 'America/Asuncion',
  currency   text NOT NULL DEFAULT 'PYG' CHECK (currency ~ '^[A-Z]{3}$'),
  locale     text NOT NULL DEFAULT 'es-PY',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS profiles (
  tenant_id  text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  role       text NOT NULL CHECK (role IN ('owner', 'vet', 'admin')),
  full_name  text NOT NULL CHECK (btrim(full_name) <> ''),
  email      text,
  phone      text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- One profile per e-mail within a clinic; other clinics may reuse it.
CREATE UNIQUE INDEX IF NOT EXISTS profiles_tenant_email_key ON profiles (tenant_id, lower(email));
CREATE INDEX IF NOT EXISTS profiles_tenant_role_idx ON profiles (tenant_id, role);

CREATE TABLE IF NOT EXISTS diagnosis_codes (   -- shared reference data: no tenant_id
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code        text NOT NULL,
  term        text NOT NULL,
  standard    text NOT NULL DEFAULT 'venom' CHECK (standard IN ('venom', 'snomed', 'icd10')),
  species     text[],
  is_active   boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (standard, code)
);
CREATE INDEX IF NOT EXISTS diagnosis_codes_term_trgm_idx ON diagnosis_codes USING gin (term gin_trgm_ops);

CREATE TABLE IF NOT EXISTS pets (
  tenant_id     text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  owner_id      uuid NOT NULL,
  name          text NOT NULL CHECK (btrim(name) <> ''),
  species       text NOT NULL CHECK (species IN ('dog', 'cat', 'bird', 'rabbit', 'rodent', 'reptile', 'ferret', 'other')),
  breed         text,
  sex           text NOT NULL DEFAULT 'unknown' CHECK (sex IN ('male', 'female', 'unknown')),
  is_neutered   boolean NOT NULL DEFAULT false,
  date_of_birth date,
  weight_kg     numeric(6, 2) CHECK (weight_kg > 0),
  color         text,
  microchip_id  text,
  is_deceased   boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES profiles (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS pets_owner_idx ON pets (tenant_id, owner_id);
CREATE INDEX IF NOT EXISTS pets_name_idx ON pets (tenant_id, name, id);
CREATE INDEX IF NOT EXISTS pets_created_idx ON pets (tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS pets_name_trgm_idx ON pets USING gin (name gin_trgm_ops);
CREATE UNIQUE INDEX IF NOT EXISTS pets_microchip_key ON pets (tenant_id, microchip_id) WHERE microchip_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS pet_insurance_policies (
  tenant_id     text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id        uuid NOT NULL,
  provider      text NOT NULL,
  policy_number text NOT NULL,
  coverage_limit numeric(14, 2) CHECK (coverage_limit >= 0),
  starts_on     date NOT NULL,
  ends_on       date,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'cancelled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  -- lets pets.insurance_policy_id point at a policy of the same pet
  UNIQUE (tenant_id, pet_id, id),
  UNIQUE (tenant_id, provider, policy_number),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE CASCADE,
  CHECK (ends_on IS NULL OR ends_on >= starts_on)
);

CREATE TABLE IF NOT EXISTS services (
  tenant_id        text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  name             text NOT NULL,
  category         text NOT NULL DEFAULT 'consultation'
                   CHECK (category IN ('consultation', 'vaccination', 'surgery', 'grooming', 'imaging', 'lab', 'dental', 'other')),
  base_price       numeric(14, 2) NOT NULL DEFAULT 0 CHECK (base_price >= 0),
  duration_minutes int NOT NULL DEFAULT 30 CHECK (duration_minutes > 0),
  is_active        boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE IF NOT EXISTS appointments (
  tenant_id  text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id     uuid NOT NULL,
  vet_id     uuid,
  service_id uuid,
  start_time timestamptz NOT NULL,
  end_time   timestamptz NOT NULL,
  status     text NOT NULL DEFAULT 'scheduled'
             CHECK (status IN ('scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show')),
  reason     text,
  notes      text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, vet_id) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (vet_id),
  FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id) ON DELETE SET NULL (service_id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (created_by),
  CHECK (end_time > start_time)
);
CREATE INDEX IF NOT EXISTS appointments_pet_idx ON appointments (tenant_id, pet_id, start_time);

CREATE TABLE IF NOT EXISTS medical_records (
  tenant_id         text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id            uuid NOT NULL,
  appointment_id    uuid,
  vet_id            uuid,
  record_type       text NOT NULL DEFAULT 'consultation'
                    CHECK (record_type IN ('consultation', 'surgery', 'vaccination', 'lab', 'imaging', 'hospitalization', 'other')),
  title             text NOT NULL,
  diagnosis_code_id uuid REFERENCES diagnosis_codes (id),
  notes             text,
  visit_date        date NOT NULL DEFAULT current_date,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, appointment_id) REFERENCES appointments (tenant_id, id) ON DELETE SET NULL (appointment_id),
  FOREIGN KEY (tenant_id, vet_id) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (vet_id)
);
CREATE INDEX IF NOT EXISTS medical_records_pet_idx ON medical_records (tenant_id, pet_id, visit_date);

CREATE TABLE IF NOT EXISTS vaccines (
  tenant_id        text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id           uuid NOT NULL,
  name             text NOT NULL,
  batch_number     text,
  administered_date date NOT NULL,
  next_dose_date   date,
  administered_by  uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, administered_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (administered_by),
  CHECK (next_dose_date IS NULL OR next_dose_date > administered_date)
);
CREATE INDEX IF NOT EXISTS vaccines_pet_idx ON vaccines (tenant_id, pet_id);

CREATE TABLE IF NOT EXISTS invoices (
  tenant_id      text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  invoice_number text NOT NULL,
  client_id      uuid NOT NULL,
  pet_id         uuid,
  status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'partial', 'paid', 'overdue', 'void')),
  issue_date     date NOT NULL DEFAULT current_date,
  due_date       date,
  subtotal       numeric(14, 2) NOT NULL DEFAULT 0 CHECK (subtotal >= 0),
  discount_total numeric(14, 2) NOT NULL DEFAULT 0 CHECK (discount_total >= 0),
  tax_total      numeric(14, 2) NOT NULL DEFAULT 0 CHECK (tax_total >= 0),
  total          numeric(14, 2) NOT NULL DEFAULT 0 CHECK (total >= 0),
  currency       text NOT NULL DEFAULT 'PYG',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, invoice_number),
  FOREIGN KEY (tenant_id, client_id) REFERENCES profiles (tenant_id, id),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE SET NULL (pet_id),
  CHECK (due_date IS NULL OR due_date >= issue_date),
  CHECK (discount_total <= subtotal)
);
CREATE INDEX IF NOT EXISTS invoices_pet_idx ON invoices (tenant_id, pet_id);
CREATE INDEX IF NOT EXISTS invoices_client_idx ON invoices (tenant_id, client_id);

CREATE TABLE IF NOT EXISTS invoice_items (
  tenant_id   text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  invoice_id  uuid NOT NULL,
  item_type   text NOT NULL CHECK (item_type IN ('service', 'product')),
  service_id  uuid,
  product_id  uuid,
  description text NOT NULL,
  quantity    numeric(10, 2) NOT NULL DEFAULT 1 CHECK (quantity > 0),
  unit_price  numeric(14, 2) NOT NULL CHECK (unit_price >= 0),
  line_total  numeric(14, 2) GENERATED ALWAYS AS (round(quantity * unit_price, 2)) STORED,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
  CHECK (item_type <> 'service' OR service_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS invoice_items_invoice_idx ON invoice_items (tenant_id, invoice_id);

CREATE TABLE IF NOT EXISTS conversations (
  tenant_id       text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  client_id       uuid NOT NULL,
  pet_id          uuid,
  subject         text,
  channel         text NOT NULL DEFAULT 'app' CHECK (channel IN ('app', 'whatsapp', 'sms', 'email')),
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed')),
  last_message_at timestamptz,
  deleted_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, client_id) REFERENCES profiles (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE SET NULL (pet_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenants', 'profiles', 'pets', 'appointments', 'invoices'] LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER %I BEFORE UPDATE ON %I
                    FOR EACH ROW EXECUTE FUNCTION vetql.touch_updated_at()', t || '_touch', t);
  END LOOP;
END
$$;
