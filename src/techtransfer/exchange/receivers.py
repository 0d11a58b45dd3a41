"""Keeping the change feed up to date (outbox handlers and model signals): see ``services.feed``."""
