"""The application's style sheet: large, calm, readable on a projector."""

STYLE_SHEET = """
QLabel#arithmetic { font-size: 19px; padding: 6px 8px; background: #f5f7fb;
                    border: 1px solid #d5dbe6; border-radius: 6px; }
QLabel#formula { font-size: 15px; color: #374151; padding: 2px 8px; }
QLabel#operator { font-size: 30px; font-weight: bold; color: #4b5563; }
QLabel#gridTitle { font-size: 15px; color: #111827; }
QLabel#presetNote { color: #374151; font-style: italic; }
QLabel#hint { color: #2e7d32; }
QListWidget#lessons { font-size: 17px; border: none; background: #eef2f8; }
QListWidget#lessons::item { padding: 14px 12px; }
QListWidget#lessons::item:selected { background: #0b6fb8; color: white; }
QGroupBox { font-weight: bold; }
"""
