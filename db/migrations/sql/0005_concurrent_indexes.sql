-- The seed's "Indexes to Add", for tables that are large in production. Each
-- statement runs on its own, outside a transaction, so CONCURRENTLY does not
-- block writes. A concurrent build that fails half-way leaves an INVALID index
-- that IF NOT EXISTS would then skip: the migration drops such leftovers first.

-- The sketch indexes DATE(start_time), which PostgreSQL rejects (date of a
-- timestamptz depends on the session time zone, so it is not IMMUTABLE), and
-- "today" is the clinic's day, not the server's. A range on start_time serves
-- any clinic's day in any zone; status rides along for index-only scans.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_appointments_today_status
  ON appointments (tenant_id, start_time) INCLUDE (status);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_conversations_active
  ON conversations (tenant_id, status, last_message_at DESC)
  WHERE deleted_at IS NULL;

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_invoices_pending
  ON invoices (tenant_id, status, due_date)
  WHERE status IN ('draft', 'sent', 'partial');

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_vaccines_upcoming
  ON vaccines (tenant_id, next_dose_date)
  WHERE next_dose_date IS NOT NULL;
