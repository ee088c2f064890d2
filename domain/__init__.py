"""Clinic rules: pure checks and decisions, with no GraphQL and no server in them."""
