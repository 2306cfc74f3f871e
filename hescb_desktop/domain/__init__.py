"""Plain dataclasses, enums and rules. No I/O, no Qt, no SQLAlchemy."""
