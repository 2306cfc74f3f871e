"""The PySide6 user interface: the main window, its pages, dialogs and Qt models.

Talks to the database only through hescb_desktop.services; gets frozen DTOs back.
"""
