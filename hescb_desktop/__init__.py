"""HESCB Desktop: the Hertfordshire Emergency Services Collaboration Board's desktop app."""

__version__ = "0.1.0"
APP_NAME = "HESCB Desktop"
APP_ID = "hescb-desktop"
