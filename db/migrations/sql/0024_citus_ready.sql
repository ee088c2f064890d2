-- Ready for Citus (PostgreSQL distributed by tenant_id), and the same on one node.
--
-- 1. Policies without sub-selects. `(SELECT vetql.tenant_id())` made PostgreSQL
--    evaluate the claim once per statement, but Citus refuses it on distributed
--    tables ("unexpected non-SELECT command in SubLink"). The helpers are STABLE
--    SQL functions that PostgreSQL inlines: `tenant_id = vetql.tenant_id()` still
--    drives the tenant_id index (a stable expression is an index key, computed
--    once per scan), and a qual without columns (`vetql.is_staff()`) becomes a
--    one-time filter. Every policy is rewritten in place, whichever migration made
--    it, so a re-run of the chain (which re-creates the old form) ends the same.
-- 2. vetql.distribute(): on a database with the citus extension, every clinic table
--    distributed by tenant_id in one co-location group and the shared tables made
--    reference tables; a no-op without Citus. `vetql migrate` calls it after the
--    chain, every time, so a table a later migration adds is distributed too.

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
    EXECUTE format($u$
      UPDATE %1$I x SET owner_id = p.owner_id FROM pets p
       WHERE p.tenant_id = x.tenant_id AND p.id = x.pet_id AND x.owner_id IS DISTINCT FROM p.owner_id
    $u$, t);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN owner_id SET NOT NULL', t);
    EXECUTE format('CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OF pet_id, owner_id ON %I
                    FOR EACH ROW EXECUTE FUNCTION vetql.copy_pet_owner()',
                   t || '_pet_owner', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (tenant_id, owner_id)', t || '_owner_idx', t);
  END LOOP;

  ALTER TABLE invoice_items ADD COLUMN IF NOT EXISTS client_id uuid;
  UPDATE invoice_items x SET client_id = i.client_id FROM invoices i
   WHERE i.tenant_id = x.tenant_id AND i.id = x.invoice_id AND x.client_id IS DISTINCT FROM i.client_id;
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

-- Every other policy: the same condition without the sub-selects.
CREATE OR REPLACE FUNCTION vetql.unwrap_claim_subselects(expression text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  -- pg_policies deparses `(SELECT vetql.role())` as `( SELECT vetql.role() AS role)`
  SELECT regexp_replace(expression, '\( SELECT (vetql\.\w+\(\)) AS \w+\)', '\1', 'g')
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
       AND (qual ~ '\( SELECT vetql\.\w+\(\) AS \w+\)' OR with_check ~ '\( SELECT vetql\.\w+\(\) AS \w+\)')
  LOOP
    using_sql := CASE WHEN p.qual IS NOT NULL THEN format(' USING (%s)', vetql.unwrap_claim_subselects(p.qual)) ELSE '' END;
    check_sql := CASE WHEN p.with_check IS NOT NULL
                      THEN format(' WITH CHECK (%s)', vetql.unwrap_claim_subselects(p.with_check)) ELSE '' END;
    EXECUTE format('ALTER POLICY %I ON %I.%I%s%s', p.policyname, p.schemaname, p.tablename, using_sql, check_sql);
  END LOOP;
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
  -- there (credentials: pg_dist_authinfo or citus.node_conninfo, see the README).
  ALTER ROLE vetql_app LOGIN;
  -- Claims are SET LOCAL per transaction; Citus sends them to the workers with it.
  EXECUTE format('ALTER DATABASE %I SET citus.propagate_set_commands = %L', current_database(), 'local');
  EXECUTE format('ALTER DATABASE %I SET citus.enable_unsafe_triggers = on', current_database());

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
