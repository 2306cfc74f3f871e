"""Use cases. Each takes a unit of work, returns frozen DTOs and a `Changes` record."""
