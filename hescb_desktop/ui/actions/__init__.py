"""Action log page (the full action log arrives with issue 4)."""
