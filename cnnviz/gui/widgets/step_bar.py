"""StepBar: first / previous / play / next / last, a speed slider and the step counter.

Where the bar is narrower than its words need (a projector's 1280×800 in presenter mode, a
narrow panel), the buttons show their icons alone and the speed its rate alone: the bar never
makes its panel scroll sideways. Their tooltips keep the words.
"""

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

SPEEDS = (0.5, 1, 2, 3, 5, 8, 12, 20, 40)  # steps per second


class StepBar(QWidget):
    """Owns the current step index; every change goes out through ``index_changed``."""

    index_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._count, self._index = 0, 0
        self.first = self._button(
            "First", QStyle.SP_MediaSkipBackward, "First step (Home)", self.first_step
        )
        self.prev = self._button(
            "Previous", QStyle.SP_MediaSeekBackward, "Previous step (←)", self.previous
        )
        self.play = self._button(
            "Play", QStyle.SP_MediaPlay, "Play / pause the walk-through (Space)", self.toggle_play
        )
        self.play.setMinimumWidth(96)
        self.next = self._button("Next", QStyle.SP_MediaSeekForward, "Next step (→)", self.advance)
        self.last = self._button(
            "Last", QStyle.SP_MediaSkipForward, "Last step (End)", self.last_step
        )
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(3)
        self.speed.setMaximumWidth(160)
        self.speed.setToolTip("Play speed (steps per second)")
        self.speed_label = QLabel()
        self.speed_caption = QLabel("Speed")
        self.counter = QLabel()
        self.counter.setMinimumWidth(130)
        self.worded = True  # the buttons show their words (see resizeEvent)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.speed.valueChanged.connect(self._on_speed_changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.first, self.prev, self.play, self.next, self.last):
            layout.addWidget(w)
        layout.addSpacing(16)
        layout.addWidget(self.counter)
        layout.addStretch(1)
        layout.addWidget(self.speed_caption)
        layout.addWidget(self.speed)
        layout.addWidget(self.speed_label)
        self._on_speed_changed(self.speed.value())
        self._refresh()

    def _buttons(self) -> tuple[QPushButton, ...]:
        return (self.first, self.prev, self.play, self.next, self.last)

    def _set_words(self, on: bool) -> None:
        self.worded = on
        for button in self._buttons():
            button.setText(button.property("words") if on else "")
        self.play.setMinimumWidth(96 if on else 0)
        self.counter.setMinimumWidth(130 if on else 0)
        self.speed_caption.setVisible(on)
        self._refresh()

    def _button_width(self, button: QPushButton, text: str) -> int:
        """The button's width with ``text`` (as QPushButton sizes itself), asked of the style:
        the button is not changed, so this may run inside a size query."""
        option = QStyleOptionButton()
        button.initStyleOption(option)
        option.text = text
        width = option.iconSize.width() + 4 if not button.icon().isNull() else 0
        height = option.iconSize.height()
        if text:
            words = button.fontMetrics().size(Qt.TextShowMnemonic, text)
            width, height = width + words.width(), max(height, words.height())
        size = button.style().sizeFromContents(
            QStyle.CT_PushButton, option, QSize(width, height), button
        )
        return size.width()

    def least_width(self, worded: bool) -> int:
        """The bar's least width with its words or without, for its look now."""
        layout, widths = self.layout(), []
        for i in range(layout.count()):
            item = layout.itemAt(i)
            widget = item.widget()
            if widget is None:
                widths.append(item.minimumSize().width())  # a spacing (a stretch: 0)
            elif widget in self._buttons():
                width = self._button_width(widget, widget.property("words") if worded else "")
                widths.append(max(width, 96) if widget is self.play and worded else width)
            elif widget is self.counter:
                widths.append(max(widget.sizeHint().width(), 130 if worded else 0))
            elif widget is self.speed_caption:
                widths.append(widget.sizeHint().width() if worded else 0)
            elif not widget.isHidden():
                widths.append(max(widget.minimumSizeHint().width(), widget.minimumWidth()))
        margins = layout.contentsMargins()
        gaps = layout.spacing() * max(sum(1 for w in widths if w > 0) - 1, 0)
        return sum(widths) + gaps + margins.left() + margins.right()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        # the bar fits in its least width without words; it shows them where they fit
        return QSize(self.least_width(False), super().minimumSizeHint().height())

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        worded = self.width() >= self.least_width(True)
        if worded != self.worded:
            self._set_words(worded)

    def _button(self, text, icon, tip, slot) -> QPushButton:
        button = QPushButton(self.style().standardIcon(icon), text)
        button.setProperty("words", text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.TabFocus)
        button.clicked.connect(slot)
        return button

    @property
    def index(self) -> int:
        return self._index

    @property
    def count(self) -> int:
        return self._count

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_count(self, count: int, index: int | None = None) -> None:
        """New number of steps; the index is kept where possible (or set to ``index``)."""
        self._count = max(0, count)
        target = self._index if index is None else index
        self._index = min(max(target, 0), max(self._count - 1, 0))
        self._refresh()
        self.index_changed.emit(self._index)

    def set_index(self, index: int) -> None:
        index = min(max(index, 0), max(self._count - 1, 0))
        if index != self._index:
            self._index = index
            self._refresh()
            self.index_changed.emit(index)

    def first_step(self) -> None:
        self.set_index(0)

    def last_step(self) -> None:
        self.set_index(self._count - 1)

    def advance(self) -> None:
        self.set_index(self._index + 1)

    def previous(self) -> None:
        self.set_index(self._index - 1)

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
        elif self._count > 1:
            if self._index >= self._count - 1:
                self.set_index(0)
            self.timer.start()
            self._refresh()

    def stop(self) -> None:
        self.timer.stop()
        self._refresh()

    def _tick(self) -> None:
        if self._index >= self._count - 1:
            self.stop()
        else:
            self.advance()

    def _on_speed_changed(self, position: int) -> None:
        rate = SPEEDS[position]
        self.timer.setInterval(int(1000 / rate))
        self.speed_label.setText(f"{rate:g}/s")

    def _refresh(self) -> None:
        playing = self.timer.isActive()
        self.play.setProperty("words", "Pause" if playing else "Play")
        self.play.setText(self.play.property("words") if self.worded else "")
        self.play.setIcon(
            self.style().standardIcon(QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay)
        )
        self.counter.setText(
            f"Step {self._index + 1} of {self._count}" if self._count else "No steps"
        )
        for w in (self.first, self.prev):
            w.setEnabled(self._index > 0)
        for w in (self.next, self.last):
            w.setEnabled(self._index < self._count - 1)
