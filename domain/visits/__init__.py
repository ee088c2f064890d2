"""Visit notes (SOAP) and administered vaccines."""
