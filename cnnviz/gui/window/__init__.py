"""The main window: its lesson list and pages, menus, saved settings."""
