"""Storage plumbing: the engine and its transactions (``db``), what a database error means to a
user (``errors``), constraint names (``constraints``), large reads into columns (``fetch``; on
SQLite by DuckDB's scanner in a process of its own, ``columnar``) and the Alembic migrations. Builds only on
the domain's bottom layer (``journeys.models``, ``journeys.errors``); services in ``journeys/``
build on it.
"""
