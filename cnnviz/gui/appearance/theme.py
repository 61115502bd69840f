"""Colours for cells and highlights, chosen to read on a projector (and for colour-blind eyes).

The grids are drawn on white "paper" in light and dark themes alike; ``DARK`` says which theme
the surrounding window has (set by ``apply_look``) for the few widgets that paint on it."""

from PySide6.QtGui import QColor

CELL = QColor("#ffffff")
CELL_TEXT = QColor("#1b1b1b")
PADDING = QColor("#e6e9ef")
PADDING_TEXT = QColor("#6b7280")
BEYOND = QColor("#f7f7f7")
WINDOW = QColor("#ffe08a")  # the cells the current step reads
WINDOW_EDGE = QColor("#c77c02")
GAP = QColor("#fff6da")  # inside a dilated window's span, but skipped
WINNER = QColor("#ff9e4a")  # max pooling: the cell that won
CURRENT = QColor("#8fd3ff")  # the output cell being computed
CURRENT_EDGE = QColor("#0b6fb8")
READER = QColor("#c7f0c2")  # output cells that read the hovered input cell
PENDING_TEXT = QColor("#b8bec8")  # output cells not computed yet in the walk-through
KERNEL = QColor("#efe7ff")
ERROR = "#c62828"

DARK = False  # the window's palette is dark
TROUGH = {False: QColor("#eef2f7"), True: QColor("#2a3342")}  # probability bars' empty part

# attribution maps and perturbations: evidence for the class / against it (orange and blue
# stay apart for colour-blind eyes and on a projector)
POSITIVE = QColor("#e66100")
NEGATIVE = QColor("#1a6fd1")
