"""PDF output with ReportLab: marked, numbered pages built from plain data (never the database)."""
