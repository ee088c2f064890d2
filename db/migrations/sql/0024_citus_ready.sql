-- Ready for Citus (PostgreSQL distributed by tenant_id), and the same on one node.
--
-- 1. Policies without sub-selects. `(SELECT vetql.tenant_id())` made PostgreSQL
--    evaluate the claim once per statement, but Citus refuses it on distributed
--    tables ("unexpected non-SELECT command in SubLink"), and refuses sub-selects in
--    policies altogether. The owner policies now compare columns the database keeps;
--    every policy compares tenant_id with the caller's clinic for its role as
--    `= ANY (ARRAY[...])` (why that form: below). Every policy is rewritten in place,
--    whichever migration made it, so a re-run of the chain (which re-creates the old
--    form) ends the same.
-- 2. vetql.distribute(): on a database with the citus extension, every clinic table
--    distributed by tenant_id in one co-location group and the shared tables made
--    reference tables; a no-op without Citus. `vetql migrate` calls it after the
--    chain, every time, so a table a later migration adds is distributed too.

-- Whether this database is a Citus cluster's.
CREATE OR REPLACE FUNCTION vetql.on_citus() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')
$$;
GRANT EXECUTE ON FUNCTION vetql.on_citus() TO vetql_app;

-- Owners' rows carry their owner, kept by the database. The owner policies used to
-- ask `EXISTS (SELECT 1 FROM pets ...)`, a sub-select Citus refuses in any policy on
-- a distributed table. Now appointments, vaccines and problems hold their pet's
-- owner_id and invoice items their invoice's client_id: a BEFORE trigger copies it
-- from the pet or invoice (read under the writer's own claims, so a pet the writer
-- cannot see gives NULL and the row is refused), and a trigger on pets and invoices
-- carries a change of owner to their rows (a composite foreign key ON UPDATE CASCADE
-- would say it more simply, but Citus refuses cascades on keys holding tenant_id).
-- A policy then compares a column with a claim, as on every other table.
CREATE OR REPLACE FUNCTION vetql.copy_pet_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.owner_id := (SELECT p.owner_id FROM pets p WHERE p.tenant_id = NEW.tenant_id AND p.id = NEW.pet_id);
  RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION vetql.copy_invoice_client() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.client_id := (SELECT i.client_id FROM invoices i WHERE i.tenant_id = NEW.tenant_id AND i.id = NEW.invoice_id);
  RETURN NEW;
END
$$;
-- Runs as its owner: a transfer reaches every row of the pet, whoever may read them.
CREATE OR REPLACE FUNCTION vetql.pet_owner_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE appointments SET owner_id = NEW.owner_id WHERE tenant_id = NEW.tenant_id AND pet_id = NEW.id;
  UPDATE vaccines SET owner_id = NEW.owner_id WHERE tenant_id = NEW.tenant_id AND pet_id = NEW.id;
  UPDATE patient_problems SET owner_id = NEW.owner_id WHERE tenant_id = NEW.tenant_id AND pet_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION vetql.invoice_client_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE invoice_items SET client_id = NEW.client_id WHERE tenant_id = NEW.tenant_id AND invoice_id = NEW.id;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION vetql.pet_owner_changed(), vetql.invoice_client_changed() FROM PUBLIC;
CREATE OR REPLACE TRIGGER pets_owner_changed AFTER UPDATE OF owner_id ON pets
  FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION vetql.pet_owner_changed();
CREATE OR REPLACE TRIGGER invoices_client_changed AFTER UPDATE OF client_id ON invoices
  FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id) EXECUTE FUNCTION vetql.invoice_client_changed();

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['appointments', 'vaccines', 'patient_problems'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS owner_id uuid', t);
    -- only when a row needs it: an UPDATE of no rows still fires the tables' statement triggers,
    -- and an earlier file re-run by hand may have put back one that a later file drops
    EXECUTE format($u$
      DO $b$ BEGIN
        IF EXISTS (SELECT 1 FROM %1$I x JOIN pets p ON p.tenant_id = x.tenant_id AND p.id = x.pet_id
                    WHERE x.owner_id IS DISTINCT FROM p.owner_id) THEN
          UPDATE %1$I x SET owner_id = p.owner_id FROM pets p
           WHERE p.tenant_id = x.tenant_id AND p.id = x.pet_id AND x.owner_id IS DISTINCT FROM p.owner_id;
        END IF;
      END $b$
    $u$, t);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN owner_id SET NOT NULL', t);
    EXECUTE format('CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OF pet_id, owner_id ON %I
                    FOR EACH ROW EXECUTE FUNCTION vetql.copy_pet_owner()',
                   t || '_pet_owner', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (tenant_id, owner_id)', t || '_owner_idx', t);
  END LOOP;

  ALTER TABLE invoice_items ADD COLUMN IF NOT EXISTS client_id uuid;
  IF EXISTS (SELECT 1 FROM invoice_items x JOIN invoices i ON i.tenant_id = x.tenant_id AND i.id = x.invoice_id
              WHERE x.client_id IS DISTINCT FROM i.client_id) THEN
    UPDATE invoice_items x SET client_id = i.client_id FROM invoices i
     WHERE i.tenant_id = x.tenant_id AND i.id = x.invoice_id AND x.client_id IS DISTINCT FROM i.client_id;
  END IF;
  ALTER TABLE invoice_items ALTER COLUMN client_id SET NOT NULL;
  CREATE OR REPLACE TRIGGER invoice_items_invoice_client BEFORE INSERT OR UPDATE OF invoice_id, client_id ON invoice_items
    FOR EACH ROW EXECUTE FUNCTION vetql.copy_invoice_client();
  CREATE INDEX IF NOT EXISTS invoice_items_client_idx ON invoice_items (tenant_id, client_id);

  FOREACH t IN ARRAY ARRAY['appointments', 'vaccines', 'patient_problems'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS owner_read ON %I', t);
    EXECUTE format($p$CREATE POLICY owner_read ON %I FOR SELECT TO vetql_app
      USING (tenant_id = vetql.tenant_id() AND vetql.role() = 'owner' AND owner_id = vetql.user_id())$p$, t);
  END LOOP;
END
$$;
DROP POLICY IF EXISTS owner_read ON invoice_items;
CREATE POLICY owner_read ON invoice_items FOR SELECT TO vetql_app
  USING (tenant_id = vetql.tenant_id() AND vetql.role() = 'owner' AND client_id = vetql.user_id());
DROP POLICY IF EXISTS owner_book ON appointments;
CREATE POLICY owner_book ON appointments FOR INSERT TO vetql_app
  WITH CHECK (tenant_id = vetql.tenant_id() AND vetql.role() = 'owner' AND owner_id = vetql.user_id()
              AND created_by = vetql.user_id() AND status IN ('scheduled', 'confirmed')
              AND checked_in_at IS NULL AND started_at IS NULL AND completed_at IS NULL
              AND room_id IS NULL AND recurrence_id IS NULL);
DROP POLICY IF EXISTS owner_cancel ON appointments;
CREATE POLICY owner_cancel ON appointments FOR UPDATE TO vetql_app
  USING (tenant_id = vetql.tenant_id() AND vetql.role() = 'owner' AND owner_id = vetql.user_id())
  WITH CHECK (tenant_id = vetql.tenant_id() AND vetql.role() = 'owner' AND owner_id = vetql.user_id()
              AND status = 'cancelled');

-- Every policy: the same condition without the sub-selects, and with the role folded
-- into the clinic comparison. `tenant_id = vetql.tenant_id() AND vetql.is_staff()`
-- becomes `tenant_id = ANY (ARRAY[vetql.staff_tenant()])` (the caller's clinic when
-- staff, else NULL). Citus on PostgreSQL 15 and 16 refuses any query with an outer join
-- and a "pseudoconstant" qual (one that names no column): a role test is one, and so is
-- what PostgreSQL derives from `tenant_id = <claim>` beside the query's own
-- `tenant_id = $1` (`$1 = <claim>`). `= ANY (ARRAY[...])` names the column, is not an
-- equality PostgreSQL derives from, and still drives the tenant_id index scan.
CREATE OR REPLACE FUNCTION vetql.staff_tenant() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN vetql.is_staff() THEN vetql.tenant_id() END
$$;
CREATE OR REPLACE FUNCTION vetql.role_tenant(wanted text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN vetql.role() = wanted THEN vetql.tenant_id() END
$$;
CREATE OR REPLACE FUNCTION vetql.member_tenant() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN vetql.role() IN ('owner', 'vet', 'admin') THEN vetql.tenant_id() END
$$;
GRANT EXECUTE ON FUNCTION vetql.staff_tenant() TO vetql_app;
GRANT EXECUTE ON FUNCTION vetql.member_tenant() TO vetql_app;
GRANT EXECUTE ON FUNCTION vetql.role_tenant(text) TO vetql_app;

CREATE OR REPLACE FUNCTION vetql.unwrap_claim_subselects(expression text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  -- pg_policies deparses `(SELECT vetql.role())` as `( SELECT vetql.role() AS role)`
  SELECT regexp_replace(expression, '\( SELECT (vetql\.\w+\(\)) AS \w+\)', '\1', 'g')
$$;
CREATE OR REPLACE FUNCTION vetql.policy_form(expression text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(regexp_replace(regexp_replace(
           vetql.unwrap_claim_subselects(expression),
           '\((\w+) = vetql\.tenant_id\(\)\) AND vetql\.is_staff\(\)', '(\1 = ANY (ARRAY[vetql.staff_tenant()]))', 'g'),
           '\((\w+) = vetql\.tenant_id\(\)\) AND \(vetql\.role\(\) = (''\w+''::text)\)',
           '(\1 = ANY (ARRAY[vetql.role_tenant(\2)]))', 'g'),
           '\((\w+) = (vetql\.(?:tenant_id|user_id)\(\))\)', '(\1 = ANY (ARRAY[\2]))', 'g')
$$;

DO $$
DECLARE
  p record;
  using_sql text;
  check_sql text;
BEGIN
  FOR p IN
    SELECT schemaname, tablename, policyname, qual, with_check FROM pg_policies
     WHERE schemaname = 'public'
       AND (qual IS DISTINCT FROM vetql.policy_form(qual) OR with_check IS DISTINCT FROM vetql.policy_form(with_check))
  LOOP
    using_sql := CASE WHEN p.qual IS NOT NULL THEN format(' USING (%s)', vetql.policy_form(p.qual)) ELSE '' END;
    check_sql := CASE WHEN p.with_check IS NOT NULL
                      THEN format(' WITH CHECK (%s)', vetql.policy_form(p.with_check)) ELSE '' END;
    EXECUTE format('ALTER POLICY %I ON %I.%I%s%s', p.policyname, p.schemaname, p.tablename, using_sql, check_sql);
  END LOOP;
END
$$;

ALTER POLICY member_read ON tenants USING (id = ANY (ARRAY[vetql.member_tenant()]));

-- On Citus the request role logs in to the workers (see vetql.distribute()).
DO $$
BEGIN
  IF vetql.on_citus() THEN
    ALTER ROLE vetql_app LOGIN;
  END IF;
END
$$;

-- Shared tables: the same rows for every clinic, on every node.
CREATE OR REPLACE FUNCTION vetql.reference_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['subscription_plans', 'diagnosis_codes', 'tenants']
$$;

-- On Citus only (see vetql.distribute): what `ON DELETE SET NULL (col)` does. Arguments:
-- the referencing table, the column to clear, then (column, referenced column) pairs
-- of the key besides tenant_id.
CREATE OR REPLACE FUNCTION vetql.set_null_on_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  condition text := 'tenant_id = $1.tenant_id';
  i int := 2;
BEGIN
  WHILE i + 1 < TG_NARGS LOOP
    condition := condition || format(' AND %I = $1.%I', TG_ARGV[i], TG_ARGV[i + 1]);
    i := i + 2;
  END LOOP;
  EXECUTE format('UPDATE %s SET %I = NULL WHERE %s', TG_ARGV[0], TG_ARGV[1], condition) USING OLD;
  RETURN OLD;
END
$$;
REVOKE ALL ON FUNCTION vetql.set_null_on_delete() FROM PUBLIC;

CREATE OR REPLACE PROCEDURE vetql.distribute()
LANGUAGE plpgsql AS $$
DECLARE
  t text;
  first_table text;
  k record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RETURN;
  END IF;
  -- Triggers keep the clinic's rules on the worker that holds the shard.
  SET LOCAL citus.enable_unsafe_triggers = on;
  -- One connection per worker for the whole transaction: foreign keys to reference
  -- tables cannot be added after a parallel operation in the same transaction.
  SET LOCAL citus.multi_shard_modify_mode = 'sequential';
  -- Citus connects to the workers as the current role: the request role must log in
  -- there (credentials: pg_dist_authinfo or citus.node_conninfo, see the README). Said on
  -- the workers themselves: with citus.enable_alter_role_propagation off (a cluster that
  -- hosts several databases), migration 0001's NOLOGIN stays on the coordinator.
  ALTER ROLE vetql_app LOGIN;
  IF EXISTS (SELECT 1 FROM run_command_on_workers($c$SELECT rolcanlogin FROM pg_roles WHERE rolname = 'vetql_app'$c$)
              WHERE result <> 't') THEN
    -- not propagated back from the worker: it would wait for this transaction's own lock on the role
    PERFORM run_command_on_workers('SET citus.enable_alter_role_propagation = off; ALTER ROLE vetql_app LOGIN');
  END IF;
  -- Claims are SET LOCAL per transaction; Citus sends them to the workers with it.
  EXECUTE format('ALTER DATABASE %I SET citus.propagate_set_commands = %L', current_database(), 'local');
  EXECUTE format('ALTER DATABASE %I SET citus.enable_unsafe_triggers = on', current_database());
  -- Requests write one clinic, on one shard; what writes several (erasing a clinic, whose
  -- reference row cascades to every table) takes one connection per worker, so a later
  -- statement of the same transaction may still write a reference table.
  EXECUTE format('ALTER DATABASE %I SET citus.multi_shard_modify_mode = %L', current_database(), 'sequential');

  IF NOT EXISTS (
    SELECT 1 FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
       AND (c.relname = ANY (vetql.reference_tables())
            OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
       AND NOT EXISTS (SELECT 1 FROM pg_dist_partition d WHERE d.logicalrelid = c.oid)
  ) THEN
    RETURN;  -- all distributed already
  END IF;

  -- Citus takes a table only when every table its foreign keys reach is already
  -- distributed (else it turns them into "Citus local" tables, which cannot have
  -- policies). So: keys set aside, tables distributed, the same keys put back.
  CREATE TEMP TABLE vetql_set_aside ON COMMIT DROP AS
    SELECT c.conrelid::regclass AS rel, c.confrelid::regclass AS target, c.conname::text AS name,
           pg_get_constraintdef(c.oid) AS definition,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY u(n, i)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = u.n ORDER BY u.i) AS cols,
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY u(n, i)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = u.n ORDER BY u.i) AS refcols
      FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace;
  FOR k IN SELECT * FROM vetql_set_aside LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', k.rel, k.name);
  END LOOP;

  FOREACH t IN ARRAY vetql.reference_tables() LOOP
    IF to_regclass(format('public.%I', t)) IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = format('public.%I', t)::regclass) THEN
      PERFORM create_reference_table(format('public.%I', t));
    END IF;
  END LOOP;

  SELECT min(logicalrelid::regclass::text) INTO first_table FROM pg_dist_partition WHERE partmethod = 'h';
  FOR t IN
    SELECT c.relname::text FROM pg_class c
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
       AND NOT EXISTS (SELECT 1 FROM pg_dist_partition d WHERE d.logicalrelid = c.oid)
     ORDER BY c.relname
  LOOP
    IF first_table IS NULL THEN
      PERFORM create_distributed_table(format('public.%I', t), 'tenant_id');
      first_table := t;
    ELSE
      PERFORM create_distributed_table(format('public.%I', t), 'tenant_id', colocate_with => first_table);
    END IF;
  END LOOP;

  -- Citus refuses ON DELETE SET NULL on a key that holds tenant_id, even one naming
  -- only the other column (`SET NULL (vet_id)`). Such a key comes back as a plain one,
  -- and a trigger on the referenced table clears the column first, as PostgreSQL's
  -- own action would (as the table owner, past row-level security, like the action).
  FOR k IN SELECT * FROM vetql_set_aside LOOP
    IF k.definition ~ 'ON DELETE SET NULL \(\w+\)$' THEN
      EXECUTE format('CREATE OR REPLACE TRIGGER %I BEFORE DELETE ON %s FOR EACH ROW EXECUTE FUNCTION vetql.set_null_on_delete(%s)',
                     k.name || '_set_null', k.target,
                     (SELECT string_agg(quote_literal(x), ', ' ORDER BY o) FROM unnest(
                        ARRAY[k.rel::text, substring(k.definition FROM 'ON DELETE SET NULL \((\w+)\)$')]
                        || ARRAY(SELECT unnest(ARRAY[c, r]) FROM unnest(k.cols, k.refcols) u(c, r) WHERE c <> 'tenant_id')
                      ) WITH ORDINALITY v(x, o)));
      k.definition := regexp_replace(k.definition, ' ON DELETE SET NULL \(\w+\)$', '');
    END IF;
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.rel, k.name, k.definition);
  END LOOP;
END
$$;
REVOKE ALL ON PROCEDURE vetql.distribute() FROM PUBLIC;

-- Statement triggers read their transition table (new_rows, old_rows) in a query of
-- its own and hand the rows on as jsonb. On Citus a statement that joins a transition
-- table with a distributed table, or inserts from it into one, is planned by Citus,
-- which runs it where the trigger's transition tables are not ("could not find named
-- tuplestore"); a query of the transition table alone stays PostgreSQL's. Same
-- results on one node, where the extra step costs one jsonb array per statement.
CREATE OR REPLACE FUNCTION vetql.audit_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  found jsonb;
  -- on Citus the trigger fires on a shard, named after its table with the shard id appended
  table_name text := regexp_replace(TG_TABLE_NAME, '_[0-9]{6,}$', '');
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(jsonb_build_object('t', n.tenant_id, 'i', n.id, 'c',
             (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('new', e.value)), '{}')
                FROM jsonb_each(to_jsonb(n)) e
               WHERE e.value <> 'null' AND e.key NOT IN ('tenant_id', 'id', 'updated_at'))))
      INTO found FROM new_rows n;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(jsonb_build_object('t', n.tenant_id, 'i', n.id, 'c', d.changes))
      INTO found
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
     CROSS JOIN LATERAL (
       SELECT jsonb_object_agg(e.key, jsonb_build_object('old', to_jsonb(o) -> e.key, 'new', e.value)) AS changes
         FROM jsonb_each(to_jsonb(n)) e
        WHERE e.key <> 'updated_at' AND e.value IS DISTINCT FROM to_jsonb(o) -> e.key) d
     WHERE d.changes IS NOT NULL;
  ELSE
    SELECT jsonb_agg(jsonb_build_object('t', o.tenant_id, 'i', o.id, 'c',
             (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('old', e.value)), '{}')
                FROM jsonb_each(to_jsonb(o)) e
               WHERE e.value <> 'null' AND e.key NOT IN ('tenant_id', 'id', 'updated_at'))))
      INTO found FROM old_rows o;
  END IF;
  IF found IS NOT NULL THEN
    INSERT INTO audit_events (tenant_id, actor_id, actor_role, table_name, record_id, action, changes)
    SELECT r.t, vetql.user_id(), vetql.role(), table_name, r.i, lower(TG_OP), r.c
      FROM jsonb_to_recordset(found) AS r(t text, i uuid, c jsonb)
     WHERE TG_OP <> 'DELETE' OR EXISTS (SELECT 1 FROM tenants x WHERE x.id = r.t);  -- a clinic erased takes its trail along
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION vetql.count_usage() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  metric text := TG_ARGV[0];
  found jsonb;
BEGIN
  SELECT jsonb_agg(jsonb_build_object('t', t, 'at', at, 'n', n)) INTO found
    FROM (SELECT tenant_id AS t, created_at AS at, count(*) AS n FROM new_rows GROUP BY 1, 2) g;
  IF found IS NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format($q$
    INSERT INTO tenant_usage_deltas AS d (tenant_id, period_start, %1$I)
    SELECT r.t, vetql.usage_month(r.at, t.timezone), sum(r.n)
      FROM jsonb_to_recordset($1) AS r(t text, at timestamptz, n bigint) JOIN tenants t ON t.id = r.t
     GROUP BY 1, 2
    ON CONFLICT (tenant_id, period_start, xact) DO UPDATE SET %1$I = d.%1$I + excluded.%1$I
  $q$, metric) USING found;
  RETURN NULL;
END
$$;

-- (vetql.count_active_users(), a statement trigger too, is replaced by 0025 in this form.)



-- Live doorbells. On one node the triggers NOTIFY, as before. On Citus they cannot:
-- a trigger runs on the worker holding the shard, whose notifications never reach
-- the API's listener, and a worker transaction that notified cannot be prepared for
-- Citus's two-phase commit. There the API process rings them itself (db/live.py:
-- NOTIFY on the coordinator in the writing transaction, or NATS after commit).
CREATE OR REPLACE FUNCTION vetql.notify(channel text, payload text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT vetql.on_citus() THEN
    PERFORM pg_notify(channel, payload);
  END IF;
END
$$;
GRANT EXECUTE ON FUNCTION vetql.notify(text, text) TO vetql_app;

CREATE OR REPLACE FUNCTION vetql.notify_vitals() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  IF vetql.on_citus() THEN
    RETURN NULL;
  END IF;
  FOR r IN SELECT tenant_id, anesthesia_log_id, max(seq) AS seq FROM new_rows GROUP BY 1, 2 LOOP
    PERFORM pg_notify('vetql_vitals', json_build_object('t', r.tenant_id, 'l', r.anesthesia_log_id, 's', r.seq)::text);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION vetql.notify_alarms() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  IF vetql.on_citus() THEN
    RETURN NULL;
  END IF;
  FOR r IN SELECT tenant_id, anesthesia_log_id, max(seq) AS seq FROM new_rows GROUP BY 1, 2 LOOP
    PERFORM pg_notify('vetql_alarms', json_build_object('t', r.tenant_id, 'l', r.anesthesia_log_id, 's', r.seq)::text);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION vetql.add_surgery_event(
  t text, log uuid, what text, phase_column text, alarm uuid, at timestamptz
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  INSERT INTO surgery_event_counters AS c (tenant_id, seq) VALUES (t, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = c.seq + 1
    RETURNING c.seq INTO n;
  INSERT INTO surgery_events (tenant_id, seq, anesthesia_log_id, kind, phase, alarm_id, occurred_at)
    VALUES (t, n, log, what, phase_column, alarm, at);
  PERFORM vetql.notify('vetql_surgery', json_build_object('t', t, 'l', log, 's', n)::text);
END
$$;

CREATE OR REPLACE FUNCTION vetql.surgery_log_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  c text;
  before jsonb := CASE WHEN TG_OP = 'INSERT' THEN '{}'::jsonb ELSE to_jsonb(OLD) END;
  after jsonb := to_jsonb(NEW);
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM vetql.add_surgery_event(NEW.tenant_id, NEW.id, 'log_opened', NULL, NULL, NEW.created_at);
  END IF;
  -- a log written whole (an import) gets its phases and completion as events too
  FOREACH c IN ARRAY ARRAY['induction_time', 'maintenance_start', 'recovery_start', 'extubation_time',
                           'full_recovery_time'] LOOP
    IF (before ->> c) IS NULL AND (after ->> c) IS NOT NULL THEN
      PERFORM vetql.add_surgery_event(NEW.tenant_id, NEW.id, 'phase_recorded', c, NULL,
                                      CAST(after ->> c AS timestamptz));
    END IF;
  END LOOP;
  IF (before ->> 'completed_at') IS NULL AND NEW.completed_at IS NOT NULL THEN
    PERFORM vetql.add_surgery_event(NEW.tenant_id, NEW.id, 'log_completed', NULL, NULL, NEW.completed_at);
    -- the log's own streams (vitalsRecorded, anesthesiaAlarms) read on, see it completed and end
    PERFORM vetql.notify('vetql_vitals', json_build_object('t', NEW.tenant_id, 'l', NEW.id)::text);
    PERFORM vetql.notify('vetql_alarms', json_build_object('t', NEW.tenant_id, 'l', NEW.id)::text);
  END IF;
  RETURN NULL;
END
$$;


-- SQL functions that read or write clinic tables with their arguments, as PL/pgSQL:
-- Citus cannot plan a SQL function's statements that use its parameters ("could not
-- create distributed plan"); PL/pgSQL hands each statement to it with bound values.
-- Same bodies; `use_column` keeps a SQL function's rule that a column name wins
-- over an argument of the same name.
CREATE OR REPLACE FUNCTION vetql.room_peak(tenant text, room uuid, span tstzrange)
 RETURNS bigint
 LANGUAGE plpgsql
 STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN (
  WITH live AS (
    SELECT r.during FROM room_assignments r
      JOIN appointments a ON a.tenant_id = r.tenant_id AND a.id = r.appointment_id
     WHERE r.tenant_id = tenant AND r.room_id = room AND r.released_at IS NULL
       AND a.status NOT IN ('cancelled', 'no_show') AND r.during && span
  )
  SELECT coalesce(max((SELECT count(*) FROM live l WHERE l.during @> p.at)), 0)
    FROM (SELECT greatest(lower(during), lower(span)) AS at FROM live) p
  );
END
$$;
-- A clinic's plan: its live subscription's, else its tier. Asked in two steps: Citus cannot
-- run a sub-select on a clinic table correlated with a reference table (tenants).
CREATE OR REPLACE FUNCTION vetql.plan_limit(clinic text, limit_name text)
 RETURNS integer
 LANGUAGE plpgsql
 STABLE
AS $$
DECLARE
  plan text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = clinic) THEN
    RETURN NULL;
  END IF;
  SELECT s.plan_id INTO plan FROM tenant_subscriptions s
   WHERE s.tenant_id = clinic AND s.status IN ('trialing', 'active', 'past_due', 'suspended');
  IF plan IS NULL THEN
    SELECT t.subscription_tier INTO plan FROM tenants t WHERE t.id = clinic;
  END IF;
  RETURN (SELECT (p.limits ->> limit_name)::int FROM subscription_plans p WHERE p.id = plan);
END
$$;
CREATE OR REPLACE FUNCTION vetql.invoice_recompute(t text, inv uuid)
 RETURNS void
 LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
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
         IS DISTINCT FROM (n.gross, n.discounts, n.a0, n.t5, n.t10, n.v5, n.v10, n.v5 + n.v10, n.a0 + n.t5 + n.t10);
END
$$;
CREATE OR REPLACE FUNCTION vetql.allocate_promotion(t text, inv uuid, discount numeric, lines uuid[])
 RETURNS void
 LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
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
    FROM ranked r WHERE i.tenant_id = t AND i.invoice_id = inv AND i.id = r.id AND r.share <> 0;
END
$$;
CREATE OR REPLACE FUNCTION vetql.settle_invoice(t text, inv uuid, delta numeric)
 RETURNS void
 LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  UPDATE invoices SET amount_paid = amount_paid + delta,
         status = CASE WHEN status IN ('draft', 'void') THEN status
                       WHEN amount_paid + delta >= total THEN 'paid'
                       WHEN amount_paid + delta > 0 THEN 'partial'
                       ELSE 'sent' END
   WHERE tenant_id = t AND id = inv;
END
$$;

-- "Now, if ...": Citus computes now() on the coordinator and sends the value, except
-- inside CASE and COALESCE, which it refuses to hold a non-immutable function in an
-- UPDATE or INSERT. These say the same as a function of their arguments (immutable, and
-- PL/pgSQL so the planner does not inline them back into a CASE before Citus looks).
CREATE OR REPLACE FUNCTION vetql.first_of(a timestamptz, b timestamptz) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN coalesce(a, b);
END
$$;
CREATE OR REPLACE FUNCTION vetql.if_then(condition boolean, value timestamptz, otherwise timestamptz DEFAULT NULL)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN CASE WHEN condition THEN value ELSE otherwise END;
END
$$;
GRANT EXECUTE ON FUNCTION vetql.first_of(timestamptz, timestamptz) TO vetql_app;
GRANT EXECUTE ON FUNCTION vetql.if_then(boolean, timestamptz, timestamptz) TO vetql_app;

-- The clinic's date today (or `given`): a function of its arguments that Citus computes on
-- the coordinator, where a sub-select on tenants inside an INSERT's VALUES is refused.
CREATE OR REPLACE FUNCTION vetql.clinic_date(clinic text, given date DEFAULT NULL) RETURNS date
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF given IS NOT NULL THEN
    RETURN given;
  END IF;
  RETURN (SELECT (now() AT TIME ZONE t.timezone)::date FROM tenants t WHERE t.id = clinic);
END
$$;
GRANT EXECUTE ON FUNCTION vetql.clinic_date(text, date) TO vetql_app;

-- A device registered again keeps its row and is used now: the inserted row's own
-- last_used_at (its default, now()) rather than now() in DO UPDATE SET, which Citus refuses.
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
         app_version = EXCLUDED.app_version, is_active = true, last_used_at = EXCLUDED.last_used_at
  RETURNING d.*;
END
$$;

-- A clinic always keeps an active admin (0017), also between two admins demoting or
-- deactivating each other at once. 0017 serialized them on the clinic's row in tenants,
-- which on Citus is a reference table that a trigger on a worker's shard may not write.
-- Now each locks the clinic's admins, its own row included: the second waits for the
-- first (or the two deadlock and one is retried) and then counts the admins left.
CREATE OR REPLACE FUNCTION vetql.keep_an_admin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM profiles
    WHERE tenant_id = NEW.tenant_id AND (id = NEW.id OR (role = 'admin' AND is_active)) FOR UPDATE;
  IF NOT EXISTS (SELECT 1 FROM profiles
                  WHERE tenant_id = NEW.tenant_id AND role = 'admin' AND is_active) THEN
    RAISE check_violation USING MESSAGE = 'a clinic keeps at least one active admin',
                                CONSTRAINT = 'profiles_last_admin';
  END IF;
  RETURN NULL;
END
$$;

-- A row's id as given, or a new one: the same, as a function call Citus evaluates on the
-- coordinator (it refuses a volatile function inside COALESCE in an INSERT).
CREATE OR REPLACE FUNCTION vetql.given_or_new_id(given uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
BEGIN
  RETURN coalesce(given, gen_random_uuid());
END
$$;
GRANT EXECUTE ON FUNCTION vetql.given_or_new_id(uuid) TO vetql_app;

-- The claims the policies read, from their own settings when the transaction set them
-- (VetQL sets `request.jwt.claim.tenant_id`, `.role` and `.sub` beside the JSON, as
-- PostgREST once did), else from the JSON. A policy without a sub-select evaluates them
-- on every row it filters: a setting costs a lookup where the JSON costs a parse.
CREATE OR REPLACE FUNCTION vetql.tenant_id() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.tenant_id', true), ''),
                  nullif(vetql.claims() ->> 'tenant_id', ''))
$$;

CREATE OR REPLACE FUNCTION vetql.role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''), nullif(vetql.claims() ->> 'role', ''))
$$;

CREATE OR REPLACE FUNCTION vetql.user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), vetql.claims() ->> 'sub')
         ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), vetql.claims() ->> 'sub')::uuid
  END
$$;
