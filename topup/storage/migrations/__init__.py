"""Alembic migrations of the history database, applied by :meth:`topup.storage.Store.open`."""
