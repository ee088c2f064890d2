"""Scheduling rules: business hours, appointment settings, the visit flow, recurrence."""
