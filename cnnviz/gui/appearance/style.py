"""The application's look: large, calm, readable on a projector — and a presenter mode
with bigger type and stronger contrast for the back of a lecture hall. Light or dark, as the
system (or the View → Theme menu) says; grids, plots and diagrams stay on white "paper" in
both, like figures on a slide."""

from __future__ import annotations

BASE_POINT_SIZE = 11.0
PRESENTER_SCALE = 1.35
OPERATOR_PX = 30  # the grid lessons' "∗", "=" and "→" (larger beside larger cells)

# Set once on each page: it never changes, so a change of look re-polishes nothing. It puts the
# page's widgets under Qt's style-sheet style (their sizes are those the layouts are made for);
# fonts and palettes reach them the ordinary way (look.normal_propagation). A group box's title is
# bold, not what it holds.
PAGE_SHEET = (
    "QGroupBox { font-weight: bold; } QGroupBox > QWidget { font-weight: normal; } "
    "QGroupBox > QGroupBox { font-weight: bold; }"
)

# The look of the widgets named for it (look.named): each carries its own rule, set again on a
# change of look (one widget re-polished, not a page).
_RULES = {
    "arithmetic": "QLabel#arithmetic {{ font-size: {arith}px; padding: 6px 8px; "
    "background: {panel}; border: {border}px solid {edge}; border-radius: 6px; color: {text}; }}",
    "formula": "QLabel#formula {{ font-size: {small}px; color: {muted}; padding: 2px 8px; }}",
    # their type size is the grid board's (GridBoard.apply: larger beside larger cells)
    "operator": "QLabel#operator {{ font-weight: bold; color: {muted}; }}",
    "gridTitle": "QLabel#gridTitle {{ font-size: {small}px; color: {text}; }}",
    "presetNote": "QLabel#presetNote {{ color: {muted}; font-style: italic; }}",
    "hint": "QLabel#hint {{ color: {hint}; }}",
    "lessons": "QListWidget#lessons {{ font-size: {nav}px; border: none; background: {nav_bg}; "
    "color: {text}; }} QListWidget#lessons::item {{ padding: 14px 12px; }} "
    "QListWidget#lessons::item:selected {{ background: #0b6fb8; color: white; }}",
    "figure": "QLabel#figure {{ font-size: {figure}px; font-weight: bold; color: {text}; }}",
    "figureCaption": "QLabel#figureCaption {{ font-size: {small}px; color: {muted}; }}",
}
NAMES = tuple(_RULES)


# (dark, presenter) → colours: presenter mode pushes text to pure black / white
COLOURS = {
    (False, False): dict(
        panel="#f5f7fb",
        text="#111827",
        muted="#374151",
        nav_bg="#eef2f8",
        hint="#1b5e20",
        edge="#9aa5b4",
    ),
    (False, True): dict(
        panel="#ffffff",
        text="#000000",
        muted="#111827",
        nav_bg="#eef2f8",
        hint="#14532d",
        edge="#4b5563",
    ),
    (True, False): dict(
        panel="#1f2937",
        text="#f3f4f6",
        muted="#d1d5db",
        nav_bg="#111827",
        hint="#86efac",
        edge="#6b7280",
    ),
    (True, True): dict(
        panel="#000000",
        text="#ffffff",
        muted="#f3f4f6",
        nav_bg="#0b0f19",
        hint="#bbf7d0",
        edge="#d1d5db",
    ),
}


def named_sheets(scale: float = 1.0, presenter: bool = False, dark: bool = False) -> dict:
    """Each named widget's style sheet at a zoom ``scale``; presenter mode enlarges the type
    and raises the contrast."""
    s = scale * (PRESENTER_SCALE if presenter else 1.0)
    values = dict(
        arith=round(19 * s),
        small=round(15 * s),
        nav=round(17 * s),
        figure=round(40 * s),
        border=2 if presenter else 1,
        **COLOURS[(bool(dark), bool(presenter))],
    )
    return {name: rule.format(**values) for name, rule in _RULES.items()}


def point_size(scale: float = 1.0, presenter: bool = False) -> float:
    return BASE_POINT_SIZE * scale * (PRESENTER_SCALE if presenter else 1.0)
