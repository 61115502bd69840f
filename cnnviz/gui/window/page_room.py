"""The pages' room in the main window: a stack sized by the page shown, in a scroll area, so
that no page ever grows the window past the screen (a projector's 1280×800)."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QStackedWidget


class PageStack(QStackedWidget):
    """The lessons' pages, one shown at a time, sized by the page shown (a stack's own
    minimum is its largest page's, which would make every page scroll)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self):  # noqa: N802
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def sizeHint(self):  # noqa: N802
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()

    def heightForWidth(self, _width: int) -> int:  # noqa: N802
        # a scroll area takes a height-for-width (a word-wrapped label's preferred height) as
        # the least it may give: pages that fitted the window before scrolled. A page gets the
        # room shown, as without the scroll area, and scrolls only below its minimum.
        return -1


def page_room(stack: QStackedWidget) -> QScrollArea:
    """The pages' room in the window: a page that needs more than the window gives it scrolls
    instead of growing the window past the screen (the stack's minimum is its largest page's:
    at presenter mode and 150 % zoom the window grew from 1280×800 to 1504×898)."""
    room = QScrollArea()
    room.setObjectName("pageRoom")
    room.setWidgetResizable(True)  # the page fills the room whenever it fits
    room.setFrameShape(QScrollArea.NoFrame)
    room.setWidget(stack)
    return room
