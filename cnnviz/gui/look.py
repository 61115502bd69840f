"""The look of the whole application: themes (system, light, dark), zoom and presenter mode.

Kept apart from the main window and from app start-up so that both can use it without
importing each other.
"""

from __future__ import annotations

THEMES = ("system", "light", "dark")
_system_look: dict = {}  # the palette and style the system gave, to return to
_style_in_use: dict = {}  # the name of the style set last ("style"): a style made by
# QStyleFactory may answer name() with "", so the application's style cannot tell


def remember_system_look(app) -> None:
    """Keep the desktop's palette and style (once) so that the "system" theme can return."""
    if not _system_look:
        _system_look.update(palette=app.palette(), style=app.style().name())
        _style_in_use["style"] = app.style().name().lower()


def _use_style(app, name: str) -> None:
    """Set the style ``name`` unless it is the one in use (setting it re-polishes every
    widget: tens of milliseconds for nothing)."""
    from PySide6.QtWidgets import QStyleFactory

    if _style_in_use.get("style") != name.lower():
        app.setStyle(QStyleFactory.create(name))
        _style_in_use["style"] = name.lower()


def dark_palette():
    """A dark palette for Qt's Fusion style (View → Theme → Dark)."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = {
        QPalette.Window: "#1b1f27",
        QPalette.WindowText: "#f3f4f6",
        QPalette.Base: "#111827",
        QPalette.AlternateBase: "#1f2937",
        QPalette.ToolTipBase: "#f3f4f6",
        QPalette.ToolTipText: "#111827",
        QPalette.Text: "#f3f4f6",
        QPalette.Button: "#273040",
        QPalette.ButtonText: "#f3f4f6",
        QPalette.BrightText: "#ff6b6b",
        QPalette.Highlight: "#3b82f6",
        QPalette.HighlightedText: "#ffffff",
        QPalette.Link: "#93c5fd",
        QPalette.PlaceholderText: "#9ca3af",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor("#6b7280"))
    return palette


def is_dark(app) -> bool:
    """Whether the application's palette is dark (window darker than its text)."""
    from PySide6.QtGui import QPalette

    palette = app.palette()
    return (
        palette.color(QPalette.Window).lightness() < palette.color(QPalette.WindowText).lightness()
    )


def apply_look(app, scale: float = 1.0, presenter: bool = False, theme: str = "system") -> str:
    """Palette and fonts for a theme ("system" follows the desktop's light or dark palette),
    a zoom ``scale`` and presenter mode; returns the style sheet of that look.

    The style sheet is not set on the application: setting it there re-polishes every widget
    of every built page (half a second with nine lessons). The main window sets it on the
    page on screen and on a hidden page when it is shown."""
    from cnnviz.gui import theme as colours
    from cnnviz.gui.style import point_size, style_sheet

    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
    if theme == "system":
        if _system_look:
            _use_style(app, _system_look["style"])
            app.setPalette(_system_look["palette"])
    else:
        _use_style(app, "Fusion")
        app.setPalette(dark_palette() if theme == "dark" else app.style().standardPalette())
    colours.DARK = is_dark(app)
    font = app.font()
    font.setPointSizeF(point_size(scale, presenter))
    app.setFont(font)
    return style_sheet(scale, presenter, colours.DARK)


def dress(widget, sheet: str) -> None:
    """Set a look's style sheet on ``widget`` (and so its children), unless it has it (setting
    it re-polishes every widget below: tens of milliseconds for a page)."""
    if widget.property("lookSheet") != sheet:
        widget.setStyleSheet(sheet)
        widget.setProperty("lookSheet", sheet)
