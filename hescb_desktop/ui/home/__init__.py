"""Home: today, my open actions and the board's RAG summary."""
