"""The look of the whole application: themes (system, light, dark), zoom and presenter mode.

Kept apart from the main window and from app start-up so that both can use it without
importing each other.
"""

from __future__ import annotations

THEMES = ("system", "light", "dark")
_system_look: dict = {}  # the palette and style the system gave, to return to
_style_in_use: dict = {}  # the name of the style set last ("style"): a style made by
# QStyleFactory may answer name() with "", so the application's style cannot tell
_named: dict = {}  # object name → its style sheet in the look in use (style.named_sheets)


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


def normal_propagation() -> None:
    """Fonts and palettes reach widgets under a style sheet as they reach any other widget.

    By default Qt stops them there: a page under a sheet kept the fonts it had when the sheet
    was set, so each change of look had to set the page's sheet again, re-polishing every
    widget on it (14–24 ms for the Train page). Qt reads this setting when it propagates, so
    it may be set after the application was made."""
    from PySide6.QtCore import QCoreApplication, Qt

    QCoreApplication.setAttribute(Qt.AA_UseStyleSheetPropagationInWidgetStyles, True)


def apply_look(app, scale: float = 1.0, presenter: bool = False, theme: str = "system") -> None:
    """Palette and fonts for a theme ("system" follows the desktop's light or dark palette),
    a zoom ``scale`` and presenter mode, and the named widgets' sheets of that look.

    The application's font and palette reach every widget; the named widgets (:func:`named`)
    of the page on screen take their sheets from :func:`dress`, and those of a hidden page
    when it is shown."""
    from PySide6.QtCore import QEvent

    from cnnviz.gui.appearance import theme as colours
    from cnnviz.gui.appearance.style import named_sheets, point_size

    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
    normal_propagation()
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
    # Qt posts the changes to each widget: they arrive now, so that the pages lay themselves
    # out (apply_look) with the new fonts, not on the event loop's next turn
    app.sendPostedEvents(None, QEvent.ApplicationFontChange)
    app.sendPostedEvents(None, QEvent.ApplicationPaletteChange)
    _named.clear()
    _named.update(named_sheets(scale, presenter, colours.DARK))


def _sheets() -> dict:
    if not _named:  # no look applied yet: the default one
        from cnnviz.gui.appearance import theme as colours
        from cnnviz.gui.appearance.style import named_sheets

        _named.update(named_sheets(1.0, False, colours.DARK))
    return _named


def _take_own_sheet(widget) -> None:
    """Set the look's sheet for ``widget``'s object name on it, if it has one and lacks it."""
    sheet = _sheets().get(widget.objectName())
    if sheet is not None and widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def named(widget, name: str):
    """Give ``widget`` the object name ``name`` and, if the look styles that name
    (style.NAMES), its sheet in the look in use; returns the widget."""
    widget.setObjectName(name)
    _take_own_sheet(widget)
    return widget


def dress(widget) -> None:
    """Bring a page (or any widget) to the look in use: the constant page sheet, set once, and
    each named widget's own sheet where it differs. Nothing else is re-polished."""
    from PySide6.QtCore import QRegularExpression
    from PySide6.QtWidgets import QWidget

    from cnnviz.gui.appearance.style import NAMES, PAGE_SHEET

    if widget.objectName() not in NAMES and widget.styleSheet() != PAGE_SHEET:
        widget.setStyleSheet(PAGE_SHEET)
    pattern = QRegularExpression("^(" + "|".join(NAMES) + ")$")
    for each in (widget, *widget.findChildren(QWidget, pattern)):
        _take_own_sheet(each)
