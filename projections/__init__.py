"""Read models kept from the event log by a polling projector (SQLite and PostgreSQL)."""
