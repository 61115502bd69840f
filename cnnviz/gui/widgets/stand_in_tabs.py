"""Swap a tab's stand-in for the widget built later (WhyTabs' panels, TrainViews' tabs)."""

from __future__ import annotations


def swap_in(tabs, index: int, widget) -> None:
    """Put ``widget`` in place of the stand-in at tab ``index`` of the QTabWidget ``tabs``:
    the tab keeps its title, tooltip and enabled state, the same tab stays chosen and no
    signal is sent for the swap; the stand-in is deleted."""
    stand_in, current = tabs.widget(index), tabs.currentIndex()
    title, tip, enabled = tabs.tabText(index), tabs.tabToolTip(index), tabs.isTabEnabled(index)
    tabs.blockSignals(True)
    try:
        tabs.removeTab(index)
        tabs.insertTab(index, widget, title)
        tabs.setTabToolTip(index, tip)
        tabs.setTabEnabled(index, enabled)
        tabs.setCurrentIndex(current)
    finally:
        tabs.blockSignals(False)
    stand_in.deleteLater()
