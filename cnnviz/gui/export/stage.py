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
    return sheets


class Stage(QWidget):
    """The frame: a page's grid board above its labels (arithmetic, formula, notes, code),
    exactly ``size`` pixels, never shown on screen."""

    def __init__(self, parts, size: tuple[int, int], look: FrameLook, parent=None):
        super().__init__(parent)
        self.board, self.labels = parts
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
        layout.addWidget(self.board, 1)
        for label in self.labels:
            label.setAlignment(Qt.AlignHCenter | Qt.AlignVCenter)
            label.setWordWrap(True)
            layout.addWidget(label)
            label.show()
        self.board.setMinimumSize(0, 0)
        self.board.set_scale(scale * (PRESENTER_SCALE if look.presenter else 1.0))
        self.board.least = LEAST_STAGE_CELL
        self.board.most = max(self.board.most, h)  # a small grid may fill the frame
        sheets = stage_sheets(scale, look)
        for label in self.findChildren(QLabel):
            if label.objectName() in sheets:
                label.setStyleSheet(sheets[label.objectName()])
        self.setFixedSize(w, h)
        self.show()
        self.settle()

    def settle(self) -> None:
        """Lay the stage out now, as the event loop would before painting (twice: the grids
        refitted to their room ask for a new layout)."""
        for _ in range(2):
            QApplication.sendPostedEvents(None, QEvent.LayoutRequest)
            self.layout().activate()
        self.board.fit()

    def hold_text_heights(self, steps: int, go_to_step) -> None:
        """Give each label the height of its longest text over the ``steps`` steps (each
        shown with ``go_to_step``), so that the grids keep one cell size in every frame."""
        tallest = {id(label): 0 for label in self.labels}
        for index in range(steps):
            go_to_step(index)
            for label in self.labels:
                need = label.heightForWidth(label.width())
                tallest[id(label)] = max(tallest[id(label)], need)
        for label in self.labels:
            label.setMinimumHeight(tallest[id(label)])
        self.settle()

    def cell(self) -> int:
        """The grids' cell size in pixels."""
        return self.board.cell
