"""Anesthesia monitoring rules: reading validation, alarm thresholds and transitions."""
