"""SQLAlchemy 2 models, the engine, the unit of work with change capture, Alembic migrations."""
