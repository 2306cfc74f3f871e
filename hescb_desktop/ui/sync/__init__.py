"""Sync in the app: the controller that runs rounds off the GUI thread, conflicts, history."""
