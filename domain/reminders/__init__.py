"""Reminders: which channel may carry one, and what it says (es-PY)."""
