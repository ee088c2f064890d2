-- One index entry fewer per reading written. anesthesia_vitals_time_seq_idx (0007) served the
-- vitals connection's old order (recorded_at, seq); the connection now pages in commit order
-- (seq, by anesthesia_vitals_seq_key), and what still filters or reads by the time taken (`since`,
-- a log's latest reading) has the seed's idx_anesthesia_vitals_log on the same leading columns
-- (tenant_id, anesthesia_log_id, recorded_at). CONCURRENTLY: readings are written every second
-- during surgery, and a plain DROP INDEX would hold them behind its lock while it waits.
DROP INDEX CONCURRENTLY IF EXISTS anesthesia_vitals_time_seq_idx;
