"""Exports: animations of a page, figures for slides, the export dialog."""
