-- Reminders: vaccine-due and appointment reminders in an outbox (the seed's
-- notification queue), sent by the server's dispatcher with retries; what is sent
-- counts in the clinic's usage (sms_sent, emails_sent; WhatsApp as messages_sent).

CREATE TABLE IF NOT EXISTS notification_queue (
  tenant_id       text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  kind            text NOT NULL CHECK (kind IN ('vaccine_due', 'appointment')),
  source_id       uuid NOT NULL,   -- the vaccine or the appointment
  recipient_id    uuid NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('push', 'email', 'sms', 'whatsapp')),
  title           text NOT NULL,
  body            text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, recipient_id) REFERENCES profiles (tenant_id, id) ON DELETE CASCADE
);
-- one reminder per vaccine dose or appointment, however often scheduling runs
CREATE UNIQUE INDEX IF NOT EXISTS notification_queue_source_key ON notification_queue (tenant_id, kind, source_id);
CREATE INDEX IF NOT EXISTS notification_queue_due_idx ON notification_queue (tenant_id, next_attempt_at)
  WHERE status = 'pending';

ALTER TABLE notification_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_queue FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS staff_all ON notification_queue;
CREATE POLICY staff_all ON notification_queue FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()))
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff()));
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_queue TO vetql_app;

-- A recipient's push tokens, for the clinic's staff (the dispatcher runs with staff
-- claims; user_devices shows each user only their own). Reviewed SECURITY DEFINER:
-- only the caller's clinic, only for staff, only active tokens; and the one change
-- a sender may make, switching off a token FCM reported invalid.
CREATE OR REPLACE FUNCTION vetql.push_tokens(recipient uuid) RETURNS TABLE (device_id uuid, fcm_token text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT d.id, d.fcm_token FROM user_devices d
   WHERE vetql.is_staff() AND d.tenant_id = vetql.tenant_id() AND d.user_id = recipient
     AND d.is_active AND d.last_used_at > now() - interval '270 days'
   ORDER BY d.last_used_at DESC
$$;
CREATE OR REPLACE FUNCTION vetql.drop_push_token(device uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  UPDATE user_devices SET is_active = false
   WHERE vetql.is_staff() AND tenant_id = vetql.tenant_id() AND id = device
$$;
REVOKE ALL ON FUNCTION vetql.push_tokens(uuid), vetql.drop_push_token(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.push_tokens(uuid), vetql.drop_push_token(uuid) TO vetql_app;

-- Usage: a message marked sent counts in its transaction's row of tenant_message_deltas
-- (SMS, e-mails) or of tenant_usage_deltas (WhatsApp, as messages_sent), as other usage
-- does; vetql.roll_up_message_usage() folds the former into tenant_usage, next to
-- vetql.roll_up_usage() (0010), so a rollback takes its count with it and nothing counts twice.
CREATE TABLE IF NOT EXISTS tenant_message_deltas (
  tenant_id    text NOT NULL DEFAULT vetql.tenant_id() REFERENCES tenants (id) ON DELETE CASCADE,
  period_start date NOT NULL,
  xact         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  sms_sent     int NOT NULL DEFAULT 0 CHECK (sms_sent >= 0),
  emails_sent  int NOT NULL DEFAULT 0 CHECK (emails_sent >= 0),
  PRIMARY KEY (tenant_id, period_start, xact),
  CHECK (extract(day FROM period_start) = 1)
);
ALTER TABLE tenant_message_deltas ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_message_deltas FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS own_xact_all ON tenant_message_deltas;
CREATE POLICY own_xact_all ON tenant_message_deltas FOR ALL TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND xact = pg_current_xact_id())
  WITH CHECK (tenant_id = (SELECT vetql.tenant_id()) AND xact = pg_current_xact_id());
DROP POLICY IF EXISTS admin_read ON tenant_message_deltas;
CREATE POLICY admin_read ON tenant_message_deltas FOR SELECT TO vetql_app
  USING (tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.role()) = 'admin');
DROP POLICY IF EXISTS platform_all ON tenant_message_deltas;
CREATE POLICY platform_all ON tenant_message_deltas FOR ALL TO vetql_app
  USING ((SELECT vetql.is_platform())) WITH CHECK ((SELECT vetql.is_platform()));
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_message_deltas TO vetql_app;

CREATE OR REPLACE FUNCTION vetql.count_sent_reminder() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'sent' OR OLD.status = 'sent' THEN
    RETURN NULL;
  END IF;
  IF NEW.channel = 'whatsapp' THEN
    INSERT INTO tenant_usage_deltas AS d (tenant_id, period_start, messages_sent)
    SELECT NEW.tenant_id, vetql.usage_month(now(), t.timezone), 1 FROM tenants t WHERE t.id = NEW.tenant_id
    ON CONFLICT (tenant_id, period_start, xact) DO UPDATE SET messages_sent = d.messages_sent + 1;
  ELSIF NEW.channel IN ('sms', 'email') THEN
    INSERT INTO tenant_message_deltas AS d (tenant_id, period_start, sms_sent, emails_sent)
    SELECT NEW.tenant_id, vetql.usage_month(now(), t.timezone), (NEW.channel = 'sms')::int,
           (NEW.channel = 'email')::int
      FROM tenants t WHERE t.id = NEW.tenant_id
    ON CONFLICT (tenant_id, period_start, xact) DO UPDATE
      SET sms_sent = d.sms_sent + excluded.sms_sent, emails_sent = d.emails_sent + excluded.emails_sent;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER notification_queue_count_usage AFTER UPDATE OF status ON notification_queue
  FOR EACH ROW EXECUTE FUNCTION vetql.count_sent_reminder();

CREATE OR REPLACE FUNCTION vetql.roll_up_message_usage() RETURNS bigint
LANGUAGE sql AS $$
  WITH moved AS (
    DELETE FROM tenant_message_deltas WHERE xact <> pg_current_xact_id() RETURNING *
  ), summed AS (
    SELECT tenant_id, period_start, sum(sms_sent)::int AS s, sum(emails_sent)::int AS e, count(*) AS n
      FROM moved GROUP BY 1, 2
  ), folded AS (
    INSERT INTO tenant_usage AS u (tenant_id, period_start, period_end, sms_sent, emails_sent)
    SELECT tenant_id, period_start, (period_start + interval '1 month')::date, s, e FROM summed
    ON CONFLICT (tenant_id, period_start) DO UPDATE
      SET sms_sent = u.sms_sent + excluded.sms_sent, emails_sent = u.emails_sent + excluded.emails_sent
  )
  SELECT coalesce(sum(n), 0)::bigint FROM summed
$$;
REVOKE ALL ON FUNCTION vetql.roll_up_message_usage() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vetql.roll_up_message_usage() TO vetql_app;
