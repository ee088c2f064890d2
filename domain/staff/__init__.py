"""Clinics and their staff: opening a clinic, invitations, roles, deactivation."""
