-- SaaS billing and promotions: usage counted by the database, plan limits,
-- and what promotion redemption needs. Idempotent like every migration.

-- Usage counting ----------------------------------------------------------------
-- Requests run REPEATABLE READ. An upsert of one hot row per clinic and month
-- would make any two overlapping transactions that insert appointments in the
-- same clinic fail with a serialization error (the second upsert meets a row
-- version its snapshot cannot see). So each transaction upserts its OWN row,
-- keyed by its transaction id: `ON CONFLICT ... DO UPDATE SET n = n + k` only
-- ever meets rows of the same transaction, and a rolled-back insert takes its
-- count with it. vetql.roll_up_usage() later folds committed rows into
-- tenant_usage in one statement (moved, never copied: nothing counts twice);
-- reads add tenant_usage and the rows not yet folded.
CREATE TABLE IF NOT EXISTS tenant_usage_deltas (
  tenant_id            text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  period_start         date NOT NULL,           -- first day of the calendar month, in the clinic's zone
  xact                 xid8 NOT NULL DEFAULT pg_current_xact_id(),
  appointments_created int NOT NULL DEFAULT 0 CHECK (appointments_created >= 0),
  invoices_created     int NOT NULL DEFAULT 0 CHECK (invoices_created >= 0),
  messages_sent        int NOT NULL DEFAULT 0 CHECK (messages_sent >= 0),
  PRIMARY KEY (tenant_id, period_start, xact),
  CHECK (extract(day FROM period_start) = 1)
);

ALTER TABLE tenant_usage ADD COLUMN IF NOT EXISTS messages_sent int NOT NULL DEFAULT 0;
CALL vetql.add_constraint('tenant_usage', 'tenant_usage_messages_sent_check', 'CHECK (messages_sent >= 0)');

-- The month an instant falls in, as the clinic's calendar has it.
CREATE OR REPLACE FUNCTION vetql.usage_month(at timestamptz, zone text) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT date_trunc('month', at AT TIME ZONE zone)::date
$$;

-- One statement-level trigger per counted table: one upsert per clinic and
-- month however many rows the statement inserted.
CREATE OR REPLACE FUNCTION vetql.count_usage() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  metric text := TG_ARGV[0];
BEGIN
  EXECUTE format($q$
    INSERT INTO tenant_usage_deltas AS d (tenant_id, period_start, %1$I)
    SELECT n.tenant_id, vetql.usage_month(n.created_at, t.timezone), count(*)
      FROM new_rows n JOIN tenants t ON t.id = n.tenant_id
     GROUP BY 1, 2
    ON CONFLICT (tenant_id, period_start, xact) DO UPDATE SET %1$I = d.%1$I + excluded.%1$I
  $q$, metric);
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER appointments_count_usage
  AFTER INSERT ON appointments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.count_usage('appointments_created');
CREATE OR REPLACE TRIGGER invoices_count_usage
  AFTER INSERT ON invoices REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION vetql.count_usage('invoices_created');

-- Messages sent: a conversation's last_message_at moves forward once per
-- message the clinic sends or receives (the schema has no messages table).
CREATE OR REPLACE FUNCTION vetql.count_messages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.last_message_at IS NOT DISTINCT FROM NEW.last_message_at THEN
    RETURN NULL;
  END IF;
  INSERT INTO tenant_usage_deltas AS d (tenant_id, period_start, messages_sent)
  SELECT NEW.tenant_id, vetql.usage_month(NEW.last_message_at, t.timezone), 1
    FROM tenants t WHERE t.id = NEW.tenant_id
  ON CONFLICT (tenant_id, period_start, xact) DO UPDATE SET messages_sent = d.messages_sent + 1;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER conversations_count_messages
  AFTER INSERT OR UPDATE OF last_message_at ON conversations FOR EACH ROW
  WHEN (NEW.last_message_at IS NOT NULL)
  EXECUTE FUNCTION vetql.count_messages();

-- Folds committed deltas into tenant_usage: the DELETE and the upsert are one
-- statement, so every counted insert is in exactly one of the two tables.
CREATE OR REPLACE FUNCTION vetql.roll_up_usage() RETURNS bigint
LANGUAGE sql AS $$
  WITH moved AS (
    DELETE FROM tenant_usage_deltas WHERE xact <> pg_current_xact_id() RETURNING *
  ), summed AS (
    SELECT tenant_id, period_start, sum(appointments_created)::int AS a, sum(invoices_created)::int AS i,
           sum(messages_sent)::int AS m, count(*) AS n
      FROM moved GROUP BY 1, 2
  ), folded AS (
    INSERT INTO tenant_usage AS u (tenant_id, period_start, period_end, appointments_created, invoices_created,
                                   messages_sent)
    SELECT tenant_id, period_start, (period_start + interval '1 month')::date, a, i, m FROM summed
    ON CONFLICT (tenant_id, period_start) DO UPDATE
      SET appointments_created = u.appointments_created + excluded.appointments_created,
          invoices_created = u.invoices_created + excluded.invoices_created,
          messages_sent = u.messages_sent + excluded.messages_sent
  )
  SELECT coalesce(sum(n), 0)::bigint FROM summed   -- how many delta rows were folded
$$;
REVOKE ALL ON FUNCTION vetql.roll_up_usage() FROM PUBLIC;

-- Writers see and extend only their own transaction's row; an admin reads
-- their clinic's; the platform reads (and folds) everything.
ALTER TABLE tenant_usage_deltas ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_usage_deltas FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_xact_all ON tenant_usage_deltas;
CREATE POLICY own_xact_all ON tenant_usage_deltas FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND xact = pg_current_xact_id())
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND xact = pg_current_xact_id());
DROP POLICY IF EXISTS admin_read ON tenant_usage_deltas;
CREATE POLICY admin_read ON tenant_usage_deltas FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin');
DROP POLICY IF EXISTS platform_all ON tenant_usage_deltas;
CREATE POLICY platform_all ON tenant_usage_deltas FOR ALL TO vetql_app
  USING ((SELECT vetql.is_platform())) WITH CHECK ((SELECT vetql.is_platform()));
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_usage_deltas TO vetql_app;
GRANT EXECUTE ON FUNCTION vetql.usage_month(timestamptz, text), vetql.roll_up_usage() TO vetql_app;

-- Plan limits ---------------------------------------------------------------------
-- The plan that governs a clinic: its current subscription's, else its tier.
CREATE OR REPLACE FUNCTION vetql.plan_limit(clinic text, limit_name text) RETURNS int
LANGUAGE sql STABLE AS $$
  SELECT (p.limits ->> limit_name)::int
    FROM tenants t
    JOIN subscription_plans p ON p.id = coalesce(
      (SELECT s.plan_id FROM tenant_subscriptions s
        WHERE s.tenant_id = t.id AND s.status IN ('trialing', 'active', 'past_due', 'suspended')),
      t.subscription_tier)
   WHERE t.id = clinic
$$;
-- The limit must be read whoever asks (a vet cannot read subscriptions):
-- SECURITY DEFINER, returning one number of the caller's own clinic only.
CREATE OR REPLACE FUNCTION vetql.my_plan_limit(limit_name text) RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT vetql.plan_limit(vetql.tenant_id(), limit_name)
$$;
REVOKE ALL ON FUNCTION vetql.plan_limit(text, text), vetql.my_plan_limit(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.my_plan_limit(text) TO vetql_app;

UPDATE subscription_plans SET limits = limits || '{"active_promotions": 3}'
 WHERE id = 'basic' AND NOT limits ? 'active_promotions';
UPDATE subscription_plans SET limits = limits || '{"active_promotions": 50}'
 WHERE id = 'pro' AND NOT limits ? 'active_promotions';

-- Active promotions per clinic, counted in one row per clinic. Making a
-- promotion active is one conditional UPDATE of that row (`active < limit`):
-- its row lock serializes clinics' writers, and a concurrent writer's commit
-- makes the other's statement fail and be retried on fresh data, so the
-- limit holds under any concurrency. An expired code still counts until it
-- is deactivated.
CREATE TABLE IF NOT EXISTS promotion_quota (
  tenant_id         text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  active_promotions int NOT NULL DEFAULT 0 CHECK (active_promotions >= 0),
  PRIMARY KEY (tenant_id)
);
INSERT INTO promotion_quota (tenant_id, active_promotions)
SELECT tenant_id, count(*) FILTER (WHERE is_active) FROM promotions GROUP BY tenant_id
ON CONFLICT (tenant_id) DO UPDATE SET active_promotions = excluded.active_promotions;

CREATE OR REPLACE FUNCTION vetql.hold_promotion_quota() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  delta int := (CASE WHEN TG_OP <> 'DELETE' AND NEW.is_active THEN 1 ELSE 0 END)
             - (CASE WHEN TG_OP <> 'INSERT' AND OLD.is_active THEN 1 ELSE 0 END);
  tenant text := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
  cap int;
BEGIN
  IF delta = 0 THEN
    RETURN NULL;
  END IF;
  INSERT INTO promotion_quota (tenant_id) VALUES (tenant) ON CONFLICT (tenant_id) DO NOTHING;
  IF delta < 0 THEN
    UPDATE promotion_quota SET active_promotions = greatest(active_promotions - 1, 0) WHERE tenant_id = tenant;
    RETURN NULL;
  END IF;
  cap := vetql.my_plan_limit('active_promotions');
  IF vetql.tenant_id() IS DISTINCT FROM tenant THEN   -- written without claims (demo, scripts)
    cap := NULL;
  END IF;
  UPDATE promotion_quota SET active_promotions = active_promotions + 1
   WHERE tenant_id = tenant AND (cap IS NULL OR active_promotions < cap);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the clinic''s plan allows % active promotions', cap
      USING ERRCODE = 'check_violation', CONSTRAINT = 'plan_limit_active_promotions';
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER promotions_hold_quota
  AFTER INSERT OR DELETE OR UPDATE OF is_active ON promotions FOR EACH ROW
  EXECUTE FUNCTION vetql.hold_promotion_quota();

ALTER TABLE promotion_quota ENABLE ROW LEVEL SECURITY;
ALTER TABLE promotion_quota FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS staff_all ON promotion_quota;
CREATE POLICY staff_all ON promotion_quota FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()));
GRANT SELECT, INSERT, UPDATE, DELETE ON promotion_quota TO vetql_app;

-- Promotions ------------------------------------------------------------------------
ALTER TABLE promotions ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
CREATE OR REPLACE TRIGGER promotions_touch BEFORE UPDATE ON promotions
  FOR EACH ROW EXECUTE FUNCTION vetql.touch_updated_at();
-- PYG has no minor unit: a fixed discount is a whole amount.
CALL vetql.add_constraint('promotions', 'promotions_fixed_whole_check',
  'CHECK (discount_type <> ''fixed'' OR discount_value = trunc(discount_value))');
CREATE INDEX IF NOT EXISTS promotions_created_idx ON promotions (tenant_id, created_at, id);
-- One promotion per invoice at a time (the seed allowed one of each code).
CREATE UNIQUE INDEX IF NOT EXISTS promotion_usage_one_per_invoice_key
  ON promotion_usage (tenant_id, invoice_id) WHERE voided_at IS NULL;

-- Subscriptions ---------------------------------------------------------------------
-- Only moves that make sense: trialing -> active | canceled; active -> past_due
-- | canceled | suspended; past_due -> active | canceled | suspended;
-- suspended -> active | canceled; canceled is final. Checked by the database
-- for every writer; the API reports the same rule as a userError first.
CREATE OR REPLACE FUNCTION vetql.check_subscription_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (OLD.status, NEW.status) IN (
       ('trialing', 'active'), ('trialing', 'canceled'),
       ('active', 'past_due'), ('active', 'canceled'), ('active', 'suspended'),
       ('past_due', 'active'), ('past_due', 'canceled'), ('past_due', 'suspended'),
       ('suspended', 'active'), ('suspended', 'canceled')) THEN
    RAISE EXCEPTION 'a subscription cannot go from % to %', OLD.status, NEW.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_subscriptions_transition';
  END IF;
  IF OLD.status = 'canceled' THEN
    RAISE EXCEPTION 'a canceled subscription is final'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_subscriptions_transition';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER tenant_subscriptions_transition
  BEFORE UPDATE ON tenant_subscriptions FOR EACH ROW
  EXECUTE FUNCTION vetql.check_subscription_transition();
ALTER TABLE tenant_subscriptions ADD COLUMN IF NOT EXISTS canceled_at timestamptz;
