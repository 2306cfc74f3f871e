"""Meetings page (agendas, attendance and minutes arrive with issue 4)."""
