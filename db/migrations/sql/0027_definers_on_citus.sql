-- The push-token functions (0023) as PL/pgSQL: Citus cannot plan a SQL-language function's
-- statement on a distributed table when the clinic comes from a call or a parameter ("could
-- not create distributed plan"); PL/pgSQL hands it the values. Same checks, same rows, on a
-- single PostgreSQL too. Idempotent like the others (CREATE OR REPLACE, same signature).
CREATE OR REPLACE FUNCTION vetql.push_tokens(recipient uuid) RETURNS TABLE (device_id uuid, fcm_token text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_tenant text := vetql.staff_tenant();  -- the caller's clinic when staff, else NULL: nothing
BEGIN
  IF v_tenant IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
  SELECT d.id, d.fcm_token FROM user_devices d
   WHERE d.tenant_id = v_tenant AND d.user_id = recipient
     AND d.is_active AND d.last_used_at > now() - interval '270 days'
   ORDER BY d.last_used_at DESC;
END
$$;

CREATE OR REPLACE FUNCTION vetql.drop_push_token(device uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_tenant text := vetql.staff_tenant();  -- the caller's clinic when staff, else NULL: nothing
BEGIN
  IF v_tenant IS NULL THEN
    RETURN;
  END IF;
  UPDATE user_devices SET is_active = false WHERE tenant_id = v_tenant AND id = device;
END
$$;
REVOKE ALL ON FUNCTION vetql.push_tokens(uuid), vetql.drop_push_token(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.push_tokens(uuid), vetql.drop_push_token(uuid) TO vetql_app;
