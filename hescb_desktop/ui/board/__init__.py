"""Planning board page (the full board arrives with issue 6)."""
