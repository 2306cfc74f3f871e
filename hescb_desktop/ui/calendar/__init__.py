"""Calendar page (the full calendar arrives with issue 5)."""
