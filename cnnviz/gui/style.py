"""The application's look: large, calm, readable on a projector — and a presenter mode
with bigger type and stronger contrast for the back of a lecture hall."""

from __future__ import annotations

BASE_POINT_SIZE = 11.0
PRESENTER_SCALE = 1.35

_SHEET = """
QLabel#arithmetic {{ font-size: {arith}px; padding: 6px 8px; background: {panel};
                    border: {border}px solid #9aa5b4; border-radius: 6px; color: {text}; }}
QLabel#formula {{ font-size: {small}px; color: {muted}; padding: 2px 8px; }}
QLabel#operator {{ font-size: {op}px; font-weight: bold; color: {muted}; }}
QLabel#gridTitle {{ font-size: {small}px; color: {text}; }}
QLabel#presetNote {{ color: {muted}; font-style: italic; }}
QLabel#hint {{ color: #1b5e20; }}
QListWidget#lessons {{ font-size: {nav}px; border: none; background: #eef2f8; }}
QListWidget#lessons::item {{ padding: 14px 12px; }}
QListWidget#lessons::item:selected {{ background: #0b6fb8; color: white; }}
QGroupBox {{ font-weight: bold; }}
"""


def style_sheet(scale: float = 1.0, presenter: bool = False) -> str:
    """The style sheet at a zoom ``scale``; presenter mode enlarges and darkens it."""
    s = scale * (PRESENTER_SCALE if presenter else 1.0)
    return _SHEET.format(
        arith=round(19 * s), small=round(15 * s), op=round(30 * s), nav=round(17 * s),
        border=2 if presenter else 1, panel="#ffffff" if presenter else "#f5f7fb",
        text="#000000" if presenter else "#111827", muted="#111827" if presenter else "#374151")


def point_size(scale: float = 1.0, presenter: bool = False) -> float:
    return BASE_POINT_SIZE * scale * (PRESENTER_SCALE if presenter else 1.0)


STYLE_SHEET = style_sheet()
