"""The database layer: connections, transactions under claims, SQL and migrations."""
