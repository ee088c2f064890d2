"""VetQL: a multi-tenant GraphQL API over PostgreSQL for veterinary clinics."""
