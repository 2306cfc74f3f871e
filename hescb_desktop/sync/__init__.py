"""Sync through a network share: the hybrid logical clock now; journal and merge in issue 3."""
