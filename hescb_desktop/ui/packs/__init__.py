"""Board packs page (papers and packs as PDF arrive with issue 7)."""
