-- The till: what a clinic sells (services and products, with their IVA rate),
-- invoices whose totals and IVA breakdown the database computes from their lines,
-- gap-free numbering per clinic, payments and refunds with the balance kept here.
--
-- Paraguay: IVA 10 % (general), 5 % (among others veterinary medicines) or exempt.
-- Prices are usually quoted with IVA included: the IVA of an amount at 10 % is 1/11
-- of it, at 5 % 1/21. Each clinic says whether its catalogue includes IVA; an invoice
-- keeps the setting it was made under. PYG has no minor unit: every amount is whole.
-- Idempotent: tables and columns IF NOT EXISTS, constraints through vetql.add_constraint,
-- functions and triggers replaced, policies dropped and created.

-- Settings per clinic: IVA in prices, and room for electronic invoicing (SIFEN).
CREATE TABLE IF NOT EXISTS invoice_settings (
  tenant_id            text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  prices_include_iva   boolean NOT NULL DEFAULT true,
  ruc                  text CHECK (ruc ~ '^[0-9]{1,8}-[0-9]$'),
  legal_name           text CHECK (length(legal_name) BETWEEN 1 AND 200),
  timbrado             text CHECK (timbrado ~ '^[0-9]{8}$'),
  timbrado_valid_until date,
  establishment        text NOT NULL DEFAULT '001' CHECK (establishment ~ '^[0-9]{3}$'),
  point_of_sale        text NOT NULL DEFAULT '001' CHECK (point_of_sale ~ '^[0-9]{3}$'),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
CREATE OR REPLACE TRIGGER invoice_settings_touch BEFORE UPDATE ON invoice_settings
  FOR EACH ROW EXECUTE FUNCTION vetql.touch_updated_at();

-- The last number issued per clinic and point of sale. Issuing takes the next one
-- with an UPDATE of this row: concurrent issuers queue on its lock, and a rolled-back
-- issue gives its number back, so numbers have no gaps and no repeats.
CREATE TABLE IF NOT EXISTS invoice_counters (
  tenant_id     text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  establishment text NOT NULL,
  point_of_sale text NOT NULL,
  last_number   bigint NOT NULL DEFAULT 0 CHECK (last_number >= 0),
  PRIMARY KEY (tenant_id, establishment, point_of_sale)
);

-- Catalogue ---------------------------------------------------------------------------
ALTER TABLE services ADD COLUMN IF NOT EXISTS iva_rate smallint NOT NULL DEFAULT 10;
ALTER TABLE services ADD COLUMN IF NOT EXISTS description text;
ALTER TABLE services ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
CALL vetql.add_constraint('services', 'services_iva_rate_check', 'CHECK (iva_rate IN (0, 5, 10))');
CALL vetql.add_constraint('services', 'services_price_whole_check', 'CHECK (base_price = trunc(base_price))');
CALL vetql.add_constraint('services', 'services_name_check', 'CHECK (length(name) BETWEEN 1 AND 200)');
CREATE OR REPLACE TRIGGER services_touch BEFORE UPDATE ON services
  FOR EACH ROW EXECUTE FUNCTION vetql.touch_updated_at();
CREATE INDEX IF NOT EXISTS services_name_idx ON services (tenant_id, name, id);

CREATE TABLE IF NOT EXISTS products (
  tenant_id  text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL DEFAULT gen_random_uuid(),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  sku        text CHECK (length(sku) BETWEEN 1 AND 64),
  category   text NOT NULL DEFAULT 'medicine'
             CHECK (category IN ('medicine', 'vaccine', 'food', 'accessory', 'supply', 'other')),
  price      numeric(14, 2) NOT NULL DEFAULT 0 CHECK (price >= 0 AND price = trunc(price)),
  iva_rate   smallint NOT NULL DEFAULT 10 CHECK (iva_rate IN (0, 5, 10)),
  is_active  boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS products_sku_key ON products (tenant_id, lower(sku)) WHERE sku IS NOT NULL;
CREATE INDEX IF NOT EXISTS products_name_idx ON products (tenant_id, name, id);
CREATE OR REPLACE TRIGGER products_touch BEFORE UPDATE ON products
  FOR EACH ROW EXECUTE FUNCTION vetql.touch_updated_at();

-- Invoices ----------------------------------------------------------------------------
-- A draft has no number and no issue date yet.
ALTER TABLE invoices ALTER COLUMN invoice_number DROP NOT NULL;
ALTER TABLE invoices ALTER COLUMN issue_date DROP NOT NULL;
ALTER TABLE invoices ALTER COLUMN issue_date DROP DEFAULT;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS prices_include_iva boolean NOT NULL DEFAULT true;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS exempt_amount numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS taxed_5_amount numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS taxed_10_amount numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS iva_5 numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS iva_10 numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS amount_paid numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS invoice_seq bigint;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS establishment text;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS point_of_sale text;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS timbrado text;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS clinic_ruc text;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS clinic_legal_name text;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS client_ruc text;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS client_name text;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS notes text;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS issued_at timestamptz;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS issued_by uuid;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS voided_at timestamptz;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS created_by uuid;
CALL vetql.add_constraint('invoices', 'invoices_not_overpaid', 'CHECK (amount_paid >= 0 AND amount_paid <= total)');
CALL vetql.add_constraint('invoices', 'invoices_total_within_int', 'CHECK (subtotal <= 2147483647 AND total <= 2147483647)');
CALL vetql.add_constraint('invoices', 'invoices_void_unpaid', 'CHECK (status <> ''void'' OR amount_paid = 0)');
CALL vetql.add_constraint('invoices', 'invoices_issued_numbered',
  'CHECK (status = ''draft'' OR invoice_number IS NOT NULL)');
CALL vetql.add_constraint('invoices', 'invoices_client_ruc_check', 'CHECK (length(client_ruc) BETWEEN 1 AND 20)');
CALL vetql.add_constraint('invoices', 'invoices_issued_by_fkey',
  'FOREIGN KEY (tenant_id, issued_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (issued_by)');
CALL vetql.add_constraint('invoices', 'invoices_created_by_fkey',
  'FOREIGN KEY (tenant_id, created_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (created_by)');
-- payments name the invoice and its client together (their policy needs no join)
CREATE UNIQUE INDEX IF NOT EXISTS invoices_client_key ON invoices (tenant_id, id, client_id);
CREATE INDEX IF NOT EXISTS invoices_created_idx ON invoices (tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS invoices_pet_created_idx ON invoices (tenant_id, pet_id, created_at, id);
CREATE INDEX IF NOT EXISTS invoices_client_created_idx ON invoices (tenant_id, client_id, created_at, id);

ALTER TABLE invoice_items ADD COLUMN IF NOT EXISTS iva_rate smallint NOT NULL DEFAULT 10;
ALTER TABLE invoice_items ADD COLUMN IF NOT EXISTS line_discount numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoice_items ADD COLUMN IF NOT EXISTS promotion_discount numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoice_items ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE invoice_items ADD COLUMN IF NOT EXISTS position int NOT NULL DEFAULT 0;  -- order on the invoice
-- the line's amount in whole guaraníes after its discounts, as priced (IVA included or not, per invoice)
ALTER TABLE invoice_items ADD COLUMN IF NOT EXISTS amount numeric(14, 2)
  GENERATED ALWAYS AS (round(quantity * unit_price) - line_discount - promotion_discount) STORED;
CALL vetql.add_constraint('invoice_items', 'invoice_items_iva_rate_check', 'CHECK (iva_rate IN (0, 5, 10))');
CALL vetql.add_constraint('invoice_items', 'invoice_items_price_whole_check', 'CHECK (unit_price = trunc(unit_price))');
CALL vetql.add_constraint('invoice_items', 'invoice_items_discount_check',
  'CHECK (line_discount >= 0 AND line_discount = trunc(line_discount) AND promotion_discount >= 0'
  ' AND promotion_discount = trunc(promotion_discount)'
  ' AND line_discount + promotion_discount <= round(quantity * unit_price))');
CALL vetql.add_constraint('invoice_items', 'invoice_items_product_fkey',
  'FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)');
CREATE INDEX IF NOT EXISTS invoice_items_order_idx ON invoice_items (tenant_id, invoice_id, position, id);

-- Totals and the IVA breakdown, from the lines. Per rate: the amounts of its lines
-- (after line and promotion discounts, so a promotion lowers the tax too), then the
-- IVA of that sum, rounded once to a whole guaraní (half away from zero), as the
-- invoice's liquidation shows it. With IVA included the rate's amount is what the
-- customer pays and its IVA is 1/11 (10 %) or 1/21 (5 %) of it; with IVA excluded
-- the IVA is added on top.
CREATE OR REPLACE FUNCTION vetql.invoice_recompute(t text, inv uuid) RETURNS void
LANGUAGE sql AS $$
  WITH s AS (
    SELECT coalesce(sum(round(quantity * unit_price)), 0) AS gross,
           coalesce(sum(line_discount + promotion_discount), 0) AS discounts,
           coalesce(sum(amount) FILTER (WHERE iva_rate = 0), 0) AS a0,
           coalesce(sum(amount) FILTER (WHERE iva_rate = 5), 0) AS a5,
           coalesce(sum(amount) FILTER (WHERE iva_rate = 10), 0) AS a10
      FROM invoice_items WHERE tenant_id = t AND invoice_id = inv
  ), v AS (
    SELECT s.*, i.prices_include_iva AS inc,
           CASE WHEN i.prices_include_iva THEN round(s.a5 / 21) ELSE round(s.a5 * 0.05) END AS v5,
           CASE WHEN i.prices_include_iva THEN round(s.a10 / 11) ELSE round(s.a10 * 0.10) END AS v10
      FROM invoices i, s WHERE i.tenant_id = t AND i.id = inv
  ), n AS (
    SELECT gross, discounts, a0, v5, v10,
           CASE WHEN inc THEN a5 ELSE a5 + v5 END AS t5,
           CASE WHEN inc THEN a10 ELSE a10 + v10 END AS t10
      FROM v
  )
  UPDATE invoices i
     SET subtotal = n.gross, discount_total = n.discounts, exempt_amount = n.a0,
         taxed_5_amount = n.t5, taxed_10_amount = n.t10, iva_5 = n.v5, iva_10 = n.v10,
         tax_total = n.v5 + n.v10, total = n.a0 + n.t5 + n.t10
    FROM n
   WHERE i.tenant_id = t AND i.id = inv
     AND (i.subtotal, i.discount_total, i.exempt_amount, i.taxed_5_amount, i.taxed_10_amount, i.iva_5, i.iva_10,
          i.tax_total, i.total)
         IS DISTINCT FROM (n.gross, n.discounts, n.a0, n.t5, n.t10, n.v5, n.v10, n.v5 + n.v10, n.a0 + n.t5 + n.t10)
$$;

CREATE OR REPLACE FUNCTION vetql.invoice_items_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM vetql.invoice_recompute(OLD.tenant_id, OLD.invoice_id);
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.invoice_id IS DISTINCT FROM OLD.invoice_id) THEN
    PERFORM vetql.invoice_recompute(NEW.tenant_id, NEW.invoice_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER invoice_items_recompute
  AFTER INSERT OR UPDATE OR DELETE ON invoice_items FOR EACH ROW
  EXECUTE FUNCTION vetql.invoice_items_changed();

-- A promotion's discount spread over the lines it applies to, in proportion to what
-- each still costs, in whole guaraníes (largest remainder): the IVA of each rate is
-- then computed on the discounted amounts, never on the price before the discount.
CREATE OR REPLACE FUNCTION vetql.allocate_promotion(t text, inv uuid, discount numeric, lines uuid[]) RETURNS void
LANGUAGE sql AS $$
  WITH l AS (
    SELECT id, round(quantity * unit_price) - line_discount - promotion_discount AS base
      FROM invoice_items WHERE tenant_id = t AND invoice_id = inv AND id = ANY (lines)
  ), s AS (
    SELECT sum(base) AS whole FROM l
  ), shares AS (
    SELECT l.id, floor(discount * l.base / s.whole) AS share,
           discount * l.base / s.whole - floor(discount * l.base / s.whole) AS rest
      FROM l, s WHERE s.whole > 0
  ), ranked AS (
    SELECT id, share + CASE WHEN row_number() OVER (ORDER BY rest DESC, id) <= discount - sum(share) OVER ()
                            THEN 1 ELSE 0 END AS share
      FROM shares
  )
  UPDATE invoice_items i SET promotion_discount = i.promotion_discount + r.share
    FROM ranked r WHERE i.tenant_id = t AND i.invoice_id = inv AND i.id = r.id AND r.share <> 0
$$;

-- Lines change only while their invoice is a draft. Writers without claims (the demo
-- loading past, issued invoices) are let through, as for the promotion quota.
CREATE OR REPLACE FUNCTION vetql.guard_invoice_items() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  line invoice_items := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  state text;
BEGIN
  IF vetql.tenant_id() IS NULL THEN
    RETURN line;
  END IF;
  SELECT status INTO state FROM invoices WHERE tenant_id = line.tenant_id AND id = line.invoice_id;
  IF FOUND AND state <> 'draft' THEN
    RAISE EXCEPTION 'the invoice is %: its lines are never edited', state
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_items_draft_only';
  END IF;
  RETURN line;
END
$$;
CREATE OR REPLACE TRIGGER invoice_items_draft_only
  BEFORE INSERT OR UPDATE OR DELETE ON invoice_items FOR EACH ROW
  EXECUTE FUNCTION vetql.guard_invoice_items();

-- A new invoice takes the clinic's IVA setting.
CREATE OR REPLACE FUNCTION vetql.invoice_defaults() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.prices_include_iva := coalesce(
    (SELECT s.prices_include_iva FROM invoice_settings s WHERE s.tenant_id = NEW.tenant_id), NEW.prices_include_iva);
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER invoices_defaults BEFORE INSERT ON invoices
  FOR EACH ROW EXECUTE FUNCTION vetql.invoice_defaults();

-- Status moves, numbering at issue, and issued invoices never edited:
--   draft -> sent (issued) | void;  sent, overdue -> partial | paid | void;
--   partial -> paid | sent | void (refunded to nothing);  paid -> partial | sent (refunds).
-- Issuing needs at least one line, takes the next number of the clinic's point of
-- sale, and copies the clinic's RUC and timbrado onto the invoice.
CREATE OR REPLACE FUNCTION vetql.guard_invoice() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  settings invoice_settings;
  n bigint;
BEGIN
  IF NEW.status IS NOT DISTINCT FROM OLD.status AND OLD.status = 'draft' THEN
    RETURN NEW;
  END IF;
  IF vetql.tenant_id() IS NOT NULL THEN
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (OLD.status, NEW.status) IN (
         ('draft', 'sent'), ('draft', 'void'),
         ('sent', 'partial'), ('sent', 'paid'), ('sent', 'void'), ('sent', 'overdue'),
         ('overdue', 'partial'), ('overdue', 'paid'), ('overdue', 'void'),
         ('partial', 'paid'), ('partial', 'sent'), ('partial', 'void'),
         ('paid', 'partial'), ('paid', 'sent')) THEN
      RAISE EXCEPTION 'an invoice cannot go from % to %', OLD.status, NEW.status
        USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_transition';
    END IF;
    IF OLD.status <> 'draft' AND (NEW.client_id, NEW.pet_id, NEW.invoice_number, NEW.invoice_seq, NEW.issue_date,
         NEW.due_date, NEW.subtotal, NEW.discount_total, NEW.tax_total, NEW.total, NEW.exempt_amount,
         NEW.taxed_5_amount, NEW.taxed_10_amount, NEW.iva_5, NEW.iva_10, NEW.prices_include_iva, NEW.currency,
         NEW.client_ruc, NEW.client_name, NEW.timbrado, NEW.clinic_ruc, NEW.notes, NEW.issued_at)
       IS DISTINCT FROM (OLD.client_id, OLD.pet_id, OLD.invoice_number, OLD.invoice_seq, OLD.issue_date,
         OLD.due_date, OLD.subtotal, OLD.discount_total, OLD.tax_total, OLD.total, OLD.exempt_amount,
         OLD.taxed_5_amount, OLD.taxed_10_amount, OLD.iva_5, OLD.iva_10, OLD.prices_include_iva, OLD.currency,
         OLD.client_ruc, OLD.client_name, OLD.timbrado, OLD.clinic_ruc, OLD.notes, OLD.issued_at) THEN
      RAISE EXCEPTION 'an issued invoice is never edited; void it or issue a credit note'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_issued_immutable';
    END IF;
  END IF;
  IF OLD.status = 'draft' AND NEW.status = 'sent' THEN
    IF NOT EXISTS (SELECT 1 FROM invoice_items WHERE tenant_id = NEW.tenant_id AND invoice_id = NEW.id) THEN
      RAISE EXCEPTION 'an invoice without lines cannot be issued'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'invoices_not_empty';
    END IF;
    SELECT * INTO settings FROM invoice_settings WHERE tenant_id = NEW.tenant_id;
    NEW.establishment := coalesce(settings.establishment, '001');
    NEW.point_of_sale := coalesce(settings.point_of_sale, '001');
    INSERT INTO invoice_counters (tenant_id, establishment, point_of_sale)
    VALUES (NEW.tenant_id, NEW.establishment, NEW.point_of_sale) ON CONFLICT DO NOTHING;
    UPDATE invoice_counters SET last_number = last_number + 1
     WHERE tenant_id = NEW.tenant_id AND establishment = NEW.establishment AND point_of_sale = NEW.point_of_sale
    RETURNING last_number INTO n;
    NEW.invoice_seq := n;
    NEW.invoice_number := format('%s-%s-%s', NEW.establishment, NEW.point_of_sale, lpad(n::text, 7, '0'));
    NEW.issued_at := now();
    NEW.issue_date := (now() AT TIME ZONE coalesce(
      (SELECT timezone FROM tenants WHERE id = NEW.tenant_id), 'America/Asuncion'))::date;
    NEW.timbrado := settings.timbrado;
    NEW.clinic_ruc := settings.ruc;
    NEW.clinic_legal_name := settings.legal_name;
  END IF;
  IF NEW.status = 'void' AND OLD.status <> 'void' THEN
    NEW.voided_at := now();
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER invoices_guard BEFORE UPDATE ON invoices
  FOR EACH ROW EXECUTE FUNCTION vetql.guard_invoice();

-- Payments and refunds ------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS payments (
  tenant_id       text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  invoice_id      uuid NOT NULL,
  client_id       uuid NOT NULL,
  method          text NOT NULL CHECK (method IN ('cash', 'card', 'transfer')),
  amount          numeric(14, 2) NOT NULL CHECK (amount > 0 AND amount = trunc(amount)),
  refunded_amount numeric(14, 2) NOT NULL DEFAULT 0,
  reference       text CHECK (length(reference) BETWEEN 1 AND 100),
  received_at     timestamptz NOT NULL DEFAULT now(),
  received_by     uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CONSTRAINT payments_refund_within CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
  FOREIGN KEY (tenant_id, invoice_id, client_id) REFERENCES invoices (tenant_id, id, client_id),
  FOREIGN KEY (tenant_id, received_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (received_by)
);
CREATE INDEX IF NOT EXISTS payments_invoice_idx ON payments (tenant_id, invoice_id, received_at, id);
CREATE UNIQUE INDEX IF NOT EXISTS payments_invoice_key ON payments (tenant_id, id, invoice_id, client_id);

CREATE TABLE IF NOT EXISTS refunds (
  tenant_id   text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  payment_id  uuid NOT NULL,
  invoice_id  uuid NOT NULL,
  client_id   uuid NOT NULL,
  amount      numeric(14, 2) NOT NULL CHECK (amount > 0 AND amount = trunc(amount)),
  reason      text CHECK (length(reason) BETWEEN 1 AND 500),
  refunded_at timestamptz NOT NULL DEFAULT now(),
  refunded_by uuid,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, payment_id, invoice_id, client_id)
    REFERENCES payments (tenant_id, id, invoice_id, client_id),
  FOREIGN KEY (tenant_id, refunded_by) REFERENCES profiles (tenant_id, id) ON DELETE SET NULL (refunded_by)
);
CREATE INDEX IF NOT EXISTS refunds_payment_idx ON refunds (tenant_id, payment_id, refunded_at, id);

-- The invoice's paid amount and status follow its payments and refunds, in the same
-- statement as the money moves. The UPDATE takes the invoice's row lock, so two
-- concurrent payments queue, and the second is judged against the first:
-- invoices_not_overpaid refuses one that would pay more than the total.
CREATE OR REPLACE FUNCTION vetql.settle_invoice(t text, inv uuid, delta numeric) RETURNS void
LANGUAGE sql AS $$
  UPDATE invoices SET amount_paid = amount_paid + delta,
         status = CASE WHEN status IN ('draft', 'void') THEN status
                       WHEN amount_paid + delta >= total THEN 'paid'
                       WHEN amount_paid + delta > 0 THEN 'partial'
                       ELSE 'sent' END
   WHERE tenant_id = t AND id = inv
$$;

CREATE OR REPLACE FUNCTION vetql.payment_received() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE state text;
BEGIN
  SELECT status INTO state FROM invoices WHERE tenant_id = NEW.tenant_id AND id = NEW.invoice_id FOR UPDATE;
  IF state NOT IN ('sent', 'partial', 'overdue') THEN
    RAISE EXCEPTION 'a % invoice takes no payments', state
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_invoice_payable';
  END IF;
  PERFORM vetql.settle_invoice(NEW.tenant_id, NEW.invoice_id, NEW.amount);
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER payments_settle AFTER INSERT ON payments
  FOR EACH ROW EXECUTE FUNCTION vetql.payment_received();

CREATE OR REPLACE FUNCTION vetql.refund_made() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE payments SET refunded_amount = refunded_amount + NEW.amount
   WHERE tenant_id = NEW.tenant_id AND id = NEW.payment_id;
  PERFORM vetql.settle_invoice(NEW.tenant_id, NEW.invoice_id, -NEW.amount);
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER refunds_settle AFTER INSERT ON refunds
  FOR EACH ROW EXECUTE FUNCTION vetql.refund_made();

-- Row-level security ----------------------------------------------------------------------
-- Money that moved is never rewritten: payments and refunds have policies to read and
-- to insert, none to delete, and a payment's only change is the refunds' running sum
-- (kept by the trigger above; payments_guard refuses any other). A refund is a new row.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['invoice_settings', 'invoice_counters', 'products', 'payments', 'refunds'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['invoice_counters', 'products'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS staff_all ON %I', t);
    EXECUTE format($p$
      CREATE POLICY staff_all ON %I FOR ALL TO vetql_app
        USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
        WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
    $p$, t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['payments', 'refunds'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS staff_read ON %I', t);
    EXECUTE format($p$
      CREATE POLICY staff_read ON %I FOR SELECT TO vetql_app
        USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
    $p$, t);
    EXECUTE format('DROP POLICY IF EXISTS staff_insert ON %I', t);
    EXECUTE format($p$
      CREATE POLICY staff_insert ON %I FOR INSERT TO vetql_app
        WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
    $p$, t);
    -- an owner reads the payments and refunds of their own invoices
    EXECUTE format('DROP POLICY IF EXISTS owner_read ON %I', t);
    EXECUTE format($p$
      CREATE POLICY owner_read ON %I FOR SELECT TO vetql_app
        USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'owner'
               AND client_id = (SELECT vetql.user_id()))
    $p$, t);
  END LOOP;
END
$$;
DROP POLICY IF EXISTS staff_refund ON payments;
CREATE POLICY staff_refund ON payments FOR UPDATE TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()));

CREATE OR REPLACE FUNCTION vetql.guard_payment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.tenant_id, NEW.id, NEW.invoice_id, NEW.client_id, NEW.method, NEW.amount, NEW.reference, NEW.received_at,
      NEW.received_by, NEW.created_at) IS DISTINCT FROM (OLD.tenant_id, OLD.id, OLD.invoice_id, OLD.client_id,
      OLD.method, OLD.amount, OLD.reference, OLD.received_at, OLD.received_by, OLD.created_at) THEN
    RAISE EXCEPTION 'a payment is never edited; refund it'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_immutable';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER payments_guard BEFORE UPDATE ON payments
  FOR EACH ROW EXECUTE FUNCTION vetql.guard_payment();

-- settings: staff read them (issuing copies them); the admin changes them
DROP POLICY IF EXISTS staff_read ON invoice_settings;
CREATE POLICY staff_read ON invoice_settings FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()));
DROP POLICY IF EXISTS admin_write ON invoice_settings;
CREATE POLICY admin_write ON invoice_settings FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin')
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin');

GRANT SELECT, INSERT, UPDATE, DELETE ON invoice_settings, invoice_counters, products, payments, refunds TO vetql_app;
GRANT EXECUTE ON FUNCTION vetql.invoice_recompute(text, uuid), vetql.settle_invoice(text, uuid, numeric),
  vetql.allocate_promotion(text, uuid, numeric, uuid[]) TO vetql_app;
