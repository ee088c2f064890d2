"""Live events: the publish/subscribe interface and its PostgreSQL implementation."""
