"""Lesson files and decks in the window."""
