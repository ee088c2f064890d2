-- Limits for request SQL, on the role it runs as. Idempotent (ALTER ROLE ... SET replaces).
--
-- A role's settings apply to sessions that LOG IN as it: another tool connecting as
-- vetql_app, and on Citus the worker sessions a coordinator opens as the current role.
-- VetQL reaches vetql_app with SET LOCAL ROLE, which does not load them, so it also sets
-- its own in every request transaction (set_config(..., true): db/session.py), from
-- VETQL_STATEMENT_TIMEOUT, VETQL_LOCK_TIMEOUT and VETQL_IDLE_IN_TRANSACTION_TIMEOUT,
-- whose defaults are these values.
ALTER ROLE vetql_app SET statement_timeout = '10s';
ALTER ROLE vetql_app SET lock_timeout = '2s';
ALTER ROLE vetql_app SET idle_in_transaction_session_timeout = '15s';
