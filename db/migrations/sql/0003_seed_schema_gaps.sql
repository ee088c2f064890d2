-- The seed document "Database Schema Gaps", built as it means rather than as
-- its sketch reads. Where this differs from the sketch, the comment says why:
--   * uuid_generate_v4() needs uuid-ossp; gen_random_uuid() is core.
--   * `ADD COLUMN IF NOT EXISTS a, b, c` is not PostgreSQL: one clause each.
--   * CREATE INDEX / CREATE POLICY without IF NOT EXISTS fail on a re-run.
--   * A CHECK passes on NULL, so flag columns with a default and a CHECK are
--     also NOT NULL, or `severity = NULL` would slip past the CHECK.
--   * Keys and foreign keys carry tenant_id (CONTRACT.md); child tables the
--     sketch left without one (vitals, room assignments, promotion usage)
--     get it, and the composite foreign key keeps it equal to the parent's.

-- 1. Patient alerts ----------------------------------------------------------
CREATE TABLE IF NOT EXISTS patient_alerts (
  tenant_id  text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id     uuid NOT NULL,
  alert_type text NOT NULL CHECK (alert_type IN (
               'aggressive', 'fearful', 'allergy', 'handling', 'financial', 'vip', 'medical', 'custom')),
  severity   text NOT NULL DEFAULT 'warning' CHECK (severity IN ('info', 'warning', 'danger')),
  title      text NOT NULL CHECK (btrim(title) <> ''),
  message    text,
  is_active  boolean NOT NULL DEFAULT true,
  expires_at timestamptz,           -- past this instant the alert is no longer active
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, created_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (created_by)
);
CREATE INDEX IF NOT EXISTS idx_patient_alerts_pet ON patient_alerts (tenant_id, pet_id, is_active);
CREATE INDEX IF NOT EXISTS idx_patient_alerts_type ON patient_alerts (tenant_id, alert_type);

-- 2. Problem list ------------------------------------------------------------
CREATE TABLE IF NOT EXISTS patient_problems (
  tenant_id         text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id            uuid NOT NULL,
  problem_name      text NOT NULL CHECK (btrim(problem_name) <> ''),
  diagnosis_code_id uuid REFERENCES diagnosis_codes (id),
  icd_code          text,
  onset_date        date,
  resolved_date     date,
  is_chronic        boolean NOT NULL DEFAULT false,
  is_active         boolean NOT NULL DEFAULT true,
  severity          text CHECK (severity IN ('mild', 'moderate', 'severe')),
  notes             text,
  created_by        uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, created_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (created_by),
  CHECK (resolved_date IS NULL OR onset_date IS NULL OR resolved_date >= onset_date),
  -- a resolved problem is not active
  CHECK (NOT (is_active AND resolved_date IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS idx_patient_problems_pet ON patient_problems (tenant_id, pet_id, is_active);
-- one active entry per pet and diagnosis code
CREATE UNIQUE INDEX IF NOT EXISTS patient_problems_active_code_key
  ON patient_problems (tenant_id, pet_id, diagnosis_code_id)
  WHERE is_active AND diagnosis_code_id IS NOT NULL;

-- 3. Exam rooms and room assignments -------------------------------------------
CREATE TABLE IF NOT EXISTS exam_rooms (
  tenant_id     text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  name          text NOT NULL CHECK (btrim(name) <> ''),
  room_type     text NOT NULL DEFAULT 'exam' CHECK (room_type IN ('exam', 'surgery', 'imaging', 'treatment', 'other')),
  capacity      int NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 50),
  equipment     text[] NOT NULL DEFAULT '{}',
  is_active     boolean NOT NULL DEFAULT true,
  display_order int NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS exam_rooms_name_key ON exam_rooms (tenant_id, lower(name));

CREATE TABLE IF NOT EXISTS room_assignments (
  tenant_id      text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  appointment_id uuid NOT NULL,
  room_id        uuid NOT NULL,
  assigned_by    uuid,
  assigned_at    timestamptz NOT NULL DEFAULT now(),
  released_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, appointment_id) REFERENCES appointments (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, room_id) REFERENCES exam_rooms (tenant_id, id),
  FOREIGN KEY (tenant_id, assigned_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (assigned_by),
  CHECK (released_at IS NULL OR released_at >= assigned_at)
);
-- The sketch's UNIQUE (appointment_id, room_id, released_at) prevents nothing:
-- NULLs are distinct, so any number of unreleased rows pass. What it means is
-- "an appointment holds at most one room at a time".
CREATE UNIQUE INDEX IF NOT EXISTS room_assignments_one_active_key
  ON room_assignments (tenant_id, appointment_id) WHERE released_at IS NULL;
CREATE INDEX IF NOT EXISTS room_assignments_room_idx
  ON room_assignments (tenant_id, room_id) WHERE released_at IS NULL;

-- 4. Anesthesia monitoring ---------------------------------------------------
CREATE TABLE IF NOT EXISTS anesthesia_logs (
  tenant_id                 text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                        uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id                    uuid NOT NULL,
  appointment_id            uuid,
  medical_record_id         uuid,
  procedure_name            text NOT NULL CHECK (btrim(procedure_name) <> ''),
  anesthesia_protocol       text,
  pre_anesthesia_assessment jsonb CHECK (jsonb_typeof(pre_anesthesia_assessment) = 'object'),
  induction_time            timestamptz,
  maintenance_start         timestamptz,
  recovery_start            timestamptz,
  extubation_time           timestamptz,
  full_recovery_time        timestamptz,
  complications             text,
  -- The sketch defaults outcome to 'normal', which declares every surgery
  -- still under way a normal one. It is set when the log is completed.
  outcome                   text CHECK (outcome IN ('normal', 'complicated', 'critical')),
  completed_at              timestamptz,
  notes                     text,
  created_by                uuid,
  created_at                timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  -- No cascade: deleting a pet must not silently erase its surgical records.
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id),
  FOREIGN KEY (tenant_id, appointment_id) REFERENCES appointments (tenant_id, id) ON DELETE SET NULL (appointment_id),
  FOREIGN KEY (tenant_id, medical_record_id) REFERENCES medical_records (tenant_id, id) ON DELETE SET NULL (medical_record_id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (created_by),
  -- phases move forward in time
  CHECK (maintenance_start >= induction_time),
  CHECK (recovery_start >= coalesce(maintenance_start, induction_time)),
  CHECK (extubation_time >= coalesce(recovery_start, maintenance_start, induction_time)),
  CHECK (full_recovery_time >= coalesce(extubation_time, recovery_start, maintenance_start, induction_time)),
  CHECK ((completed_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX IF NOT EXISTS anesthesia_logs_pet_idx ON anesthesia_logs (tenant_id, pet_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS anesthesia_vitals (
  tenant_id                text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                       uuid NOT NULL DEFAULT gen_random_uuid(),
  anesthesia_log_id        uuid NOT NULL,
  recorded_at              timestamptz NOT NULL DEFAULT now(),
  heart_rate               int CHECK (heart_rate BETWEEN 0 AND 400),
  respiratory_rate         int CHECK (respiratory_rate BETWEEN 0 AND 200),
  spo2                     numeric(5, 2) CHECK (spo2 BETWEEN 0 AND 100),
  etco2                    numeric(5, 2) CHECK (etco2 BETWEEN 0 AND 150),
  blood_pressure_systolic  int CHECK (blood_pressure_systolic BETWEEN 0 AND 350),
  blood_pressure_diastolic int CHECK (blood_pressure_diastolic BETWEEN 0 AND 300),
  blood_pressure_mean      int CHECK (blood_pressure_mean BETWEEN 0 AND 300),
  temperature              numeric(4, 2) CHECK (temperature BETWEEN 20 AND 45),  -- Celsius
  anesthesia_depth         text CHECK (anesthesia_depth IN ('light', 'surgical', 'deep', 'too_deep')),
  iv_fluids_rate           numeric(6, 2) CHECK (iv_fluids_rate >= 0),            -- mL/kg/h
  notes                    text,
  recorded_by              uuid,
  client_reading_id        text,     -- a monitor's own id, so a retried batch is not stored twice
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, anesthesia_log_id) REFERENCES anesthesia_logs (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (recorded_by),
  CHECK (blood_pressure_diastolic <= blood_pressure_systolic)
);
CREATE INDEX IF NOT EXISTS idx_anesthesia_vitals_log ON anesthesia_vitals (tenant_id, anesthesia_log_id, recorded_at, id);
CREATE UNIQUE INDEX IF NOT EXISTS anesthesia_vitals_client_reading_key
  ON anesthesia_vitals (tenant_id, anesthesia_log_id, client_reading_id) WHERE client_reading_id IS NOT NULL;

-- 5. User devices ------------------------------------------------------------
CREATE TABLE IF NOT EXISTS user_devices (
  tenant_id    text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL,
  fcm_token    text NOT NULL CHECK (length(fcm_token) BETWEEN 1 AND 4096),
  device_type  text CHECK (device_type IN ('ios', 'android', 'web')),
  device_name  text,
  device_model text,
  os_version   text,
  app_version  text,
  is_active    boolean NOT NULL DEFAULT true,
  last_used_at timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES profiles (tenant_id, id) ON DELETE CASCADE
);
-- The sketch's UNIQUE (user_id, fcm_token) lets one device token belong to two
-- users at once, so one user's pushes reach another's phone. A token names a
-- device: it belongs to one user, and moves when another user signs in there.
CREATE UNIQUE INDEX IF NOT EXISTS user_devices_token_key ON user_devices (tenant_id, fcm_token);
CREATE INDEX IF NOT EXISTS idx_user_devices_user ON user_devices (tenant_id, user_id, is_active);

-- 6. SaaS billing ------------------------------------------------------------
CREATE TABLE IF NOT EXISTS subscription_plans (   -- shared: no tenant_id
  id            text PRIMARY KEY CHECK (id ~ '^[a-z0-9_-]+$'),
  name          text NOT NULL,
  description   text,
  price_monthly numeric(14, 2) CHECK (price_monthly >= 0),
  price_yearly  numeric(14, 2) CHECK (price_yearly >= 0),
  features      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(features) = 'array'),
  limits        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(limits) = 'object'),
  is_active     boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS tenant_subscriptions (
  tenant_id              text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                     uuid NOT NULL DEFAULT gen_random_uuid(),
  plan_id                text NOT NULL REFERENCES subscription_plans (id),
  status                 text NOT NULL DEFAULT 'active'
                         CHECK (status IN ('trialing', 'active', 'past_due', 'canceled', 'suspended')),
  current_period_start   timestamptz,
  current_period_end     timestamptz,
  cancel_at_period_end   boolean NOT NULL DEFAULT false,
  stripe_customer_id     text,
  stripe_subscription_id text,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (current_period_end > current_period_start)
);
-- a clinic has at most one subscription that is not over
CREATE UNIQUE INDEX IF NOT EXISTS tenant_subscriptions_current_key
  ON tenant_subscriptions (tenant_id) WHERE status IN ('trialing', 'active', 'past_due', 'suspended');
CREATE UNIQUE INDEX IF NOT EXISTS tenant_subscriptions_stripe_key
  ON tenant_subscriptions (tenant_id, stripe_subscription_id) WHERE stripe_subscription_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS tenant_usage (
  tenant_id            text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  period_start         date NOT NULL,
  period_end           date NOT NULL,
  sms_sent             int NOT NULL DEFAULT 0 CHECK (sms_sent >= 0),
  emails_sent          int NOT NULL DEFAULT 0 CHECK (emails_sent >= 0),
  storage_bytes        bigint NOT NULL DEFAULT 0 CHECK (storage_bytes >= 0),
  active_users         int NOT NULL DEFAULT 0 CHECK (active_users >= 0),
  appointments_created int NOT NULL DEFAULT 0 CHECK (appointments_created >= 0),
  invoices_created     int NOT NULL DEFAULT 0 CHECK (invoices_created >= 0),
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, period_start),
  CHECK (period_end > period_start),
  -- UNIQUE (tenant_id, period_start) alone lets two periods overlap and count twice
  EXCLUDE USING gist (tenant_id WITH =, daterange(period_start, period_end) WITH &&)
);

-- 7. Promotions --------------------------------------------------------------
CREATE TABLE IF NOT EXISTS promotions (
  tenant_id          text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  code               text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{3,32}$'),
  name               text NOT NULL,
  description        text,
  discount_type      text NOT NULL CHECK (discount_type IN ('percentage', 'fixed')),
  discount_value     numeric(14, 2) NOT NULL CHECK (discount_value > 0),
  minimum_purchase   numeric(14, 2) CHECK (minimum_purchase >= 0),
  maximum_discount   numeric(14, 2) CHECK (maximum_discount > 0),
  applies_to         text NOT NULL DEFAULT 'all' CHECK (applies_to IN ('all', 'services', 'products')),
  applicable_items   uuid[],
  usage_limit        int CHECK (usage_limit > 0),
  usage_per_customer int DEFAULT 1 CHECK (usage_per_customer > 0),
  times_used         int NOT NULL DEFAULT 0 CHECK (times_used >= 0),
  starts_at          timestamptz,
  expires_at         timestamptz,
  is_active          boolean NOT NULL DEFAULT true,
  created_by         uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (created_by),
  CHECK (discount_type <> 'percentage' OR discount_value <= 100),
  CHECK (usage_limit IS NULL OR times_used <= usage_limit),
  CHECK (expires_at > starts_at)
);
-- The sketch's UNIQUE (tenant_id, code) lets 'VERANO' and 'verano' coexist.
CREATE UNIQUE INDEX IF NOT EXISTS promotions_code_key ON promotions (tenant_id, lower(code));

CREATE TABLE IF NOT EXISTS promotion_usage (
  tenant_id       text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  promotion_id    uuid NOT NULL,
  invoice_id      uuid,
  customer_id     uuid,
  discount_amount numeric(14, 2) NOT NULL CHECK (discount_amount > 0),
  used_at         timestamptz NOT NULL DEFAULT now(),
  voided_at       timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, promotion_id) REFERENCES promotions (tenant_id, id),
  FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (customer_id)
);
-- a code is applied to an invoice once
CREATE UNIQUE INDEX IF NOT EXISTS promotion_usage_invoice_key
  ON promotion_usage (tenant_id, promotion_id, invoice_id) WHERE voided_at IS NULL;
CREATE INDEX IF NOT EXISTS promotion_usage_customer_idx
  ON promotion_usage (tenant_id, promotion_id, customer_id) WHERE voided_at IS NULL;

-- 8. Recurring appointments ----------------------------------------------------
CREATE TABLE IF NOT EXISTS appointment_recurrence (
  tenant_id           text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id                  uuid NOT NULL DEFAULT gen_random_uuid(),
  pet_id              uuid NOT NULL,
  service_id          uuid,
  pattern             text NOT NULL CHECK (pattern IN ('daily', 'weekly', 'biweekly', 'monthly', 'yearly')),
  day_of_week         int CHECK (day_of_week BETWEEN 0 AND 6),    -- 0 = Sunday
  day_of_month        int CHECK (day_of_month BETWEEN 1 AND 31),
  time_of_day         time NOT NULL,                               -- in the clinic's time zone
  duration_minutes    int NOT NULL DEFAULT 30 CHECK (duration_minutes BETWEEN 5 AND 1440),
  starts_on           date NOT NULL,
  ends_on             date,
  max_occurrences     int CHECK (max_occurrences > 0),
  occurrences_created int NOT NULL DEFAULT 0 CHECK (occurrences_created >= 0),
  is_active           boolean NOT NULL DEFAULT true,
  created_by          uuid,
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, pet_id) REFERENCES pets (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id) ON DELETE SET NULL (service_id),
  FOREIGN KEY (tenant_id, created_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (created_by),
  CHECK (ends_on IS NULL OR ends_on >= starts_on),
  CHECK (pattern NOT IN ('weekly', 'biweekly') OR day_of_week IS NOT NULL),
  CHECK (pattern <> 'monthly' OR day_of_month IS NOT NULL),
  CHECK (max_occurrences IS NULL OR occurrences_created <= max_occurrences)
);

-- Column additions to existing tables ----------------------------------------
ALTER TABLE profiles
  ADD COLUMN IF NOT EXISTS address_line1 text,
  ADD COLUMN IF NOT EXISTS address_line2 text,
  ADD COLUMN IF NOT EXISTS city text,
  ADD COLUMN IF NOT EXISTS state text,
  ADD COLUMN IF NOT EXISTS postal_code text,
  ADD COLUMN IF NOT EXISTS country text NOT NULL DEFAULT 'PY' CHECK (country ~ '^[A-Z]{2}$'),
  ADD COLUMN IF NOT EXISTS secondary_phone text,
  ADD COLUMN IF NOT EXISTS emergency_contact_name text,
  ADD COLUMN IF NOT EXISTS emergency_contact_phone text,
  ADD COLUMN IF NOT EXISTS preferred_contact_method text NOT NULL DEFAULT 'email'
    CHECK (preferred_contact_method IN ('email', 'phone', 'sms', 'whatsapp')),
  ADD COLUMN IF NOT EXISTS communication_preferences jsonb NOT NULL
    DEFAULT '{"marketing": true, "reminders": true}'::jsonb
    CHECK (jsonb_typeof(communication_preferences) = 'object'),
  ADD COLUMN IF NOT EXISTS timezone text NOT NULL DEFAULT 'America/Asuncion',
  ADD COLUMN IF NOT EXISTS locale text NOT NULL DEFAULT 'es-PY';

ALTER TABLE tenants
  ADD COLUMN IF NOT EXISTS address text,
  ADD COLUMN IF NOT EXISTS city text,
  ADD COLUMN IF NOT EXISTS phone text,
  ADD COLUMN IF NOT EXISTS email text,
  ADD COLUMN IF NOT EXISTS website text,
  ADD COLUMN IF NOT EXISTS social_links jsonb CHECK (jsonb_typeof(social_links) = 'object'),
  ADD COLUMN IF NOT EXISTS business_hours jsonb CHECK (jsonb_typeof(business_hours) = 'object'),
  ADD COLUMN IF NOT EXISTS appointment_settings jsonb NOT NULL DEFAULT '{
    "slot_duration": 30,
    "buffer_time": 0,
    "max_advance_days": 30,
    "cancellation_hours": 24,
    "require_confirmation": true
  }'::jsonb CHECK (jsonb_typeof(appointment_settings) = 'object'),
  ADD COLUMN IF NOT EXISTS notification_settings jsonb CHECK (jsonb_typeof(notification_settings) = 'object'),
  ADD COLUMN IF NOT EXISTS subscription_tier text NOT NULL DEFAULT 'basic',
  ADD COLUMN IF NOT EXISTS features_enabled text[] NOT NULL DEFAULT '{}';

-- The plans the tier default names must exist before the foreign key.
INSERT INTO subscription_plans (id, name, description, price_monthly, price_yearly, features, limits) VALUES
  ('basic', 'Básico', 'Una sede, agenda y fichas clínicas', 250000, 2500000,
   '["appointments", "medical_records"]', '{"users": 5, "sms_per_month": 100, "storage_gb": 5}'),
  ('pro', 'Profesional', 'Hasta tres sedes, anestesia e internación', 650000, 6500000,
   '["appointments", "medical_records", "anesthesia", "hospitalization", "promotions"]',
   '{"users": 20, "sms_per_month": 1000, "storage_gb": 50}'),
  ('enterprise', 'Empresa', 'Sedes ilimitadas y soporte dedicado', 1500000, 15000000,
   '["appointments", "medical_records", "anesthesia", "hospitalization", "promotions", "api"]',
   '{"users": null, "sms_per_month": 10000, "storage_gb": 500}')
ON CONFLICT (id) DO NOTHING;
CALL vetql.add_constraint('tenants', 'tenants_subscription_tier_fkey',
  'FOREIGN KEY (subscription_tier) REFERENCES subscription_plans (id)');

ALTER TABLE appointments
  ADD COLUMN IF NOT EXISTS checked_in_at timestamptz,
  ADD COLUMN IF NOT EXISTS checked_in_by uuid,
  ADD COLUMN IF NOT EXISTS started_at timestamptz,
  ADD COLUMN IF NOT EXISTS completed_at timestamptz,
  ADD COLUMN IF NOT EXISTS room_id uuid,
  ADD COLUMN IF NOT EXISTS wait_time_minutes int CHECK (wait_time_minutes >= 0),
  ADD COLUMN IF NOT EXISTS visit_duration_minutes int CHECK (visit_duration_minutes >= 0),
  ADD COLUMN IF NOT EXISTS recurrence_id uuid;
CALL vetql.add_constraint('appointments', 'appointments_checked_in_by_fkey',
  'FOREIGN KEY (tenant_id, checked_in_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (checked_in_by)');
CALL vetql.add_constraint('appointments', 'appointments_room_id_fkey',
  'FOREIGN KEY (tenant_id, room_id) REFERENCES exam_rooms (tenant_id, id) ON DELETE SET NULL (room_id)');
CALL vetql.add_constraint('appointments', 'appointments_recurrence_id_fkey',
  'FOREIGN KEY (tenant_id, recurrence_id) REFERENCES appointment_recurrence (tenant_id, id) ON DELETE SET NULL (recurrence_id)');
CALL vetql.add_constraint('appointments', 'appointments_visit_order_check',
  'CHECK (started_at >= checked_in_at AND completed_at >= coalesce(started_at, checked_in_at))');
CREATE INDEX IF NOT EXISTS appointments_recurrence_idx ON appointments (tenant_id, recurrence_id, start_time)
  WHERE recurrence_id IS NOT NULL;

ALTER TABLE pets
  ADD COLUMN IF NOT EXISTS insurance_policy_id uuid,
  ADD COLUMN IF NOT EXISTS primary_vet_id uuid,
  ADD COLUMN IF NOT EXISTS preferred_appointment_time text
    CHECK (preferred_appointment_time IN ('morning', 'afternoon', 'evening', 'any')),
  ADD COLUMN IF NOT EXISTS behavioral_notes text,
  ADD COLUMN IF NOT EXISTS last_visit_date date,
  ADD COLUMN IF NOT EXISTS next_visit_due date;
-- (tenant_id, id, insurance_policy_id) -> (tenant_id, pet_id, id): the policy
-- must be this pet's, which a plain REFERENCES pet_insurance_policies(id) allows to differ.
CALL vetql.add_constraint('pets', 'pets_insurance_policy_fkey',
  'FOREIGN KEY (tenant_id, id, insurance_policy_id) REFERENCES pet_insurance_policies (tenant_id, pet_id, id)
   ON DELETE SET NULL (insurance_policy_id)');
CALL vetql.add_constraint('pets', 'pets_primary_vet_fkey',
  'FOREIGN KEY (tenant_id, primary_vet_id) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (primary_vet_id)');

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['patient_alerts', 'patient_problems', 'tenant_subscriptions'] LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER %I BEFORE UPDATE ON %I
                    FOR EACH ROW EXECUTE FUNCTION vetql.touch_updated_at()', t || '_touch', t);
  END LOOP;
END
$$;
