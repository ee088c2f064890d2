-- Visit notes in the SOAP shape, signed and then never edited (corrections are
-- addenda with who and when), and administered vaccines with their product, lot and
-- next dose, whose due dates feed pets.next_visit_due. Idempotent like the others.

-- Medical records: subjective, objective (weight, temperature, rates), assessment
-- (linked to entries of the problem list), plan.
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS subjective text;
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS objective text;
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS weight_kg numeric(6, 2);
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS temperature_c numeric(4, 1);
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS heart_rate int;
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS respiratory_rate int;
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS assessment text;
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS problem_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS plan text;
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS signed_at timestamptz;
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS signed_by uuid;
ALTER TABLE medical_records ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
CALL vetql.add_constraint('medical_records', 'medical_records_vitals_check',
  'CHECK ((weight_kg IS NULL OR weight_kg > 0 AND weight_kg < 2000)'
  ' AND (temperature_c IS NULL OR temperature_c BETWEEN 20 AND 45)'
  ' AND (heart_rate IS NULL OR heart_rate BETWEEN 1 AND 500)'
  ' AND (respiratory_rate IS NULL OR respiratory_rate BETWEEN 1 AND 300))');
CALL vetql.add_constraint('medical_records', 'medical_records_signed_check',
  'CHECK ((signed_at IS NULL) = (signed_by IS NULL))');
CALL vetql.add_constraint('medical_records', 'medical_records_signed_by_fkey',
  'FOREIGN KEY (tenant_id, signed_by) REFERENCES profiles (tenant_id, id)');
CREATE INDEX IF NOT EXISTS medical_records_newest_idx
  ON medical_records (tenant_id, pet_id, visit_date, created_at, id);
CREATE OR REPLACE TRIGGER medical_records_touch BEFORE UPDATE ON medical_records
  FOR EACH ROW EXECUTE FUNCTION vetql.touch_updated_at();

-- A signed note is never edited nor deleted, by any writer with claims; its problems
-- must be the pet's own.
CREATE OR REPLACE FUNCTION vetql.guard_medical_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.signed_at IS NOT NULL AND vetql.tenant_id() IS NOT NULL THEN
    RAISE EXCEPTION 'a signed visit note is never edited; add an addendum'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'medical_records_signed_immutable';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF cardinality(NEW.problem_ids) > 0 AND (SELECT count(*) FROM patient_problems p
       WHERE p.tenant_id = NEW.tenant_id AND p.pet_id = NEW.pet_id AND p.id = ANY (NEW.problem_ids))
       <> cardinality(NEW.problem_ids) THEN
    RAISE EXCEPTION 'the assessment names a problem that is not this pet''s'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'medical_records_problems_of_pet';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER medical_records_guard BEFORE INSERT OR UPDATE OR DELETE ON medical_records
  FOR EACH ROW EXECUTE FUNCTION vetql.guard_medical_record();

CREATE TABLE IF NOT EXISTS medical_record_addenda (
  tenant_id  text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  record_id  uuid NOT NULL,
  body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, record_id) REFERENCES medical_records (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, created_by) REFERENCES profiles (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS medical_record_addenda_record_idx
  ON medical_record_addenda (tenant_id, record_id, created_at, id);

-- Vaccines: what was given, from which lot, how, and when the next dose is due.
ALTER TABLE vaccines ADD COLUMN IF NOT EXISTS product_id uuid;
ALTER TABLE vaccines ADD COLUMN IF NOT EXISTS manufacturer text;
ALTER TABLE vaccines ADD COLUMN IF NOT EXISTS lot_expiry date;
ALTER TABLE vaccines ADD COLUMN IF NOT EXISTS dose text;
ALTER TABLE vaccines ADD COLUMN IF NOT EXISTS route text;
ALTER TABLE vaccines ADD COLUMN IF NOT EXISTS site text;
ALTER TABLE vaccines ADD COLUMN IF NOT EXISTS medical_record_id uuid;
ALTER TABLE vaccines ADD COLUMN IF NOT EXISTS notes text;
CALL vetql.add_constraint('vaccines', 'vaccines_route_check',
  'CHECK (route IN (''subcutaneous'', ''intramuscular'', ''intranasal'', ''oral'', ''transdermal'', ''other''))');
CALL vetql.add_constraint('vaccines', 'vaccines_product_fkey',
  'FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)');
CALL vetql.add_constraint('vaccines', 'vaccines_medical_record_fkey',
  'FOREIGN KEY (tenant_id, medical_record_id) REFERENCES medical_records (tenant_id, id)'
  ' ON DELETE SET NULL (medical_record_id)');
CREATE INDEX IF NOT EXISTS vaccines_given_idx ON vaccines (tenant_id, pet_id, administered_date, id);

-- What falls due feeds the pet's next visit: the earliest next dose from today on.
CREATE OR REPLACE FUNCTION vetql.vaccine_due_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pets p SET next_visit_due = d.due
    FROM (SELECT DISTINCT tenant_id, pet_id FROM changed) c
    CROSS JOIN LATERAL (SELECT min(v.next_dose_date) AS due FROM vaccines v
                         WHERE v.tenant_id = c.tenant_id AND v.pet_id = c.pet_id
                           AND v.next_dose_date >= current_date) d
   WHERE p.tenant_id = c.tenant_id AND p.id = c.pet_id AND p.next_visit_due IS DISTINCT FROM d.due;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER vaccines_feed_next_visit_insert AFTER INSERT ON vaccines
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION vetql.vaccine_due_changed();
CREATE OR REPLACE TRIGGER vaccines_feed_next_visit_update AFTER UPDATE ON vaccines
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION vetql.vaccine_due_changed();

-- Row-level security: staff write notes and addenda; an addendum is never changed
-- (no policy to update or delete it). Owners read their pets' vaccines (0004).
ALTER TABLE medical_record_addenda ENABLE ROW LEVEL SECURITY;
ALTER TABLE medical_record_addenda FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS staff_read ON medical_record_addenda;
CREATE POLICY staff_read ON medical_record_addenda FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()));
DROP POLICY IF EXISTS staff_insert ON medical_record_addenda;
CREATE POLICY staff_insert ON medical_record_addenda FOR INSERT TO vetql_app
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff())
              AND created_by = (SELECT vetql.user_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON medical_record_addenda TO vetql_app;
