"""The stage of an animation frame: a lesson's grids, operators and written arithmetic, laid
out to fill a frame of the export's size, in a look of its own.

The stage takes the widgets a grid lesson shows them with (its grid board and the labels
under it, :meth:`~cnnviz.gui.pages.grid_lesson.GridLessonPage.stage_parts`) from the export's
own copy of the page, which is never shown: the page's controller and step bar go on driving
them, so every number a frame shows comes from the page's own plan and steps. The settings
column, the step bar, scroll bars and buttons stay behind; the grids get the largest cells
that fit the frame, as on a slide.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory, QVBoxLayout, QWidget

from cnnviz.gui.appearance.look import dark_palette
from cnnviz.gui.appearance.style import COLOURS, PRESENTER_SCALE, named_sheets
from cnnviz.gui.widgets.grid_board import GridBoard

LEAST_STAGE_CELL = 4  # px: a frame shows every cell, however small, rather than scroll


@dataclass(frozen=True)
class FrameLook:
    """How frames look: a theme ("light" or "dark") and presenter mode (bigger type, stronger
    contrast); ``zoom`` is the window's, for a page drawn whole (it has no stage)."""

    theme: str = "light"
    presenter: bool = False
    zoom: float = 1.0

    @property
    def name(self) -> str:
        """ "light", "dark", "presenter" or "presenter-dark"."""
        if not self.presenter:
            return self.theme
        return "presenter" if self.theme == "light" else "presenter-dark"

    @property
    def dark(self) -> bool:
        return self.theme == "dark"


LOOKS = {
    "light": FrameLook("light"),
    "dark": FrameLook("dark"),
    "presenter": FrameLook("light", True),
    "presenter-dark": FrameLook("dark", True),
}
LOOK_TEXTS = {
    "light": "Light",
    "dark": "Dark",
    "presenter": "Presenter (bigger type)",
    "presenter-dark": "Presenter, dark",
}


def look_named(name: str, presenter: bool = False) -> FrameLook:
    """The look called ``name`` (see ``LOOKS``), in presenter mode too when ``presenter``;
    ``ValueError`` for an unknown name."""
    if name not in LOOKS:
        raise ValueError(f"look must be one of {', '.join(LOOKS)}, got {name!r}")
    look = LOOKS[name]
    return FrameLook(look.theme, True) if presenter else look


def frame_palette(look: FrameLook) -> QPalette:
    """The palette of frames in ``look``: the dark theme's, or light on white paper (a frame
    sits on a slide, as the figures do)."""
    if look.dark:
        return dark_palette()
    style = QStyleFactory.create("Fusion")
    palette = QPalette(style.standardPalette())
    style.deleteLater()
    for role in (QPalette.Window, QPalette.Base):
        palette.setColor(role, QColor("white"))
    return palette


def type_scale(size: tuple[int, int]) -> float:
    """How large the stage's type is for a frame of ``size``: 1 (the window's) at 960×600,
    larger on larger frames, never below 0.75 (still legible at 640×400)."""
    w, h = size
    return max(0.75, min(w / 960, h / 600))


def stage_sheets(scale: float, look: FrameLook) -> dict:
    """Object name → style sheet for the stage's labels in ``look``: the window's own named
    sheets at the frame's type scale, and the PyTorch line in the text colour."""
    sheets = named_sheets(scale, look.presenter, look.dark)
    colours = COLOURS[(look.dark, look.presenter)]
    pixels = round(15 * scale * (PRESENTER_SCALE if look.presenter else 1.0))
    sheets["codeLine"] = f"QLabel#codeLine {{ font-size: {pixels}px; color: {colours['text']}; }}"
    # a unit's arithmetic (Trace, One step): its title, the step's title
    for name, factor in (("traceHeading", 1.5), ("stepTitle", 1.25)):
        size = round(pixels * factor)
        rule = f"font-size: {size}px; font-weight: bold; color: {colours['text']};"
        sheets[name] = f"QLabel#{name} {{ {rule} }}"
    return sheets


def plain_sheet(own: str, scale: float, look: FrameLook) -> str:
    """The sheet of a stage's label that the looks do not name: the arithmetic's type size in
    the look's text colour, bold where its own sheet (``own``) was."""
    colours = COLOURS[(look.dark, look.presenter)]
    pixels = round(19 * scale * (PRESENTER_SCALE if look.presenter else 1.0))
    weight = " font-weight: bold;" if "bold" in own else ""
    return f"QLabel {{ font-size: {pixels}px; color: {colours['text']};{weight} }}"


class Stage(QWidget):
    """The frame: a page's board (its grids, or a picture of the network) between labels
    (a title above; arithmetic, formula, notes, code below), exactly ``size`` pixels, never
    shown on screen.

    ``parts`` is (board, labels under it) or (board, labels under it, labels above it). A
    :class:`GridBoard` gets the largest cells that fit; any other board is asked to
    ``fill_view()`` its room (the Trace overview: the whole network, no scroll bars)."""

    def __init__(self, parts, size: tuple[int, int], look: FrameLook, parent=None):
        super().__init__(parent)
        self.board, below = parts[0], list(parts[1])
        above = list(parts[2]) if len(parts) > 2 else []
        self.labels = above + below
        self.look = look
        w, h = size
        scale = type_scale(size)
        self.setAttribute(Qt.WA_DontShowOnScreen)
        self.setPalette(frame_palette(look))
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        margin = round(min(w, h) * 0.04)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(max(4, round(h * 0.015)))
        for label in above:
            self._add_label(layout, label)
        layout.addWidget(self.board, 1)
        self.board.show()
        for label in below:
            self._add_label(layout, label)
        self.board.setMinimumSize(0, 0)
        if isinstance(self.board, GridBoard):
            self.board.set_scale(scale * (PRESENTER_SCALE if look.presenter else 1.0))
            self.board.least = LEAST_STAGE_CELL
            self.board.most = max(self.board.most, h)  # a small grid may fill the frame
        else:
            self.board.fill_view()
        sheets = stage_sheets(scale, look)
        for label in self.findChildren(QLabel):
            if label.objectName() in sheets:
                label.setStyleSheet(sheets[label.objectName()])
            elif label in self.labels:  # a page's plain words (One step's walk): legible
                label.setStyleSheet(plain_sheet(label.styleSheet(), scale, look))
        self.setFixedSize(w, h)
        self.show()
        self.settle()

    @staticmethod
    def _add_label(layout, label) -> None:
        label.setAlignment(Qt.AlignHCenter | Qt.AlignVCenter)
        label.setWordWrap(True)
        layout.addWidget(label)
        label.show()

    def settle(self) -> None:
        """Lay the stage out now, as the event loop would before painting (twice: the grids
        refitted to their room ask for a new layout)."""
        for _ in range(2):
            QApplication.sendPostedEvents(None, QEvent.LayoutRequest)
            self.layout().activate()
        if isinstance(self.board, GridBoard):
            self.board.fit()

    def hold_text_heights(self, steps: int, go_to_step) -> None:
        """Give each label the height of its longest text over the ``steps`` steps (each
        shown with ``go_to_step``), so that the board keeps one size in every frame."""
        tallest = {id(label): 0 for label in self.labels}
        for index in range(steps):
            go_to_step(index)
            for label in self.labels:
                need = label.heightForWidth(label.width()) if label.text() else 0
                tallest[id(label)] = max(tallest[id(label)], need)
        for label in self.labels:
            label.setMinimumHeight(tallest[id(label)])
        self.settle()

    def cell(self) -> int:
        """The grids' cell size in pixels (0 for a board without grids)."""
        return getattr(self.board, "cell", 0)
