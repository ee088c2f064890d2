"""Deterministic demo data: Paraguayan clinics, es-PY, PYG."""
