"""Storage plumbing: the engine and its transactions (``db``), what a database error means to a
user (``errors``), constraint names (``constraints``) and the Alembic migrations. Builds only on
the domain's bottom layer (``journeys.models``, ``journeys.errors``); services in ``journeys/``
build on it.
"""
