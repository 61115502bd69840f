"""Decks in the window: the shipped lecture deck walked with PageDown, editing, saving and
opening a deck, a stop that cannot open."""

import pytest
from PySide6.QtGui import QKeySequence

from cnnviz.core.deck import Deck, Stop, lecture_deck, read_file
from cnnviz.core.lesson import Lesson

pytest.importorskip("torch")

from cnnviz.gui.pages.architecture_page import ArchitecturePage  # noqa: E402
from cnnviz.gui.pages.conv_page import ConvPage  # noqa: E402
from cnnviz.gui.pages.pool_page import PoolPage  # noqa: E402


def action(window, keys):
    return next(a for _, a in window.menus.actions if QKeySequence(keys) in a.shortcuts())


def test_the_lecture_deck_opens_every_stop_and_page_down_walks_it(qtbot, main_window):
    deck = lecture_deck()
    shown = []
    main_window.lesson_files.warn = lambda title, text: shown.append(text)
    assert main_window.deck.open_lecture() == ""
    assert main_window.deck.visible and main_window.menus.deck.isChecked()
    page_down = action(main_window, "PgDown")
    for index, stop in enumerate(deck.stops):
        if index:
            if deck.stops[index - 1].quiz is not None:  # its answer first, then on
                page_down.trigger()
                assert main_window.deck.index == index - 1
            page_down.trigger()
        assert shown == []
        assert main_window.deck.index == index
        assert main_window.deck.caption.text() == stop.caption
        page = main_window.current_page()
        assert page.title == stop.lesson.page
        if stop.lesson.page == "Architecture":
            assert page.model_box.currentText() == stop.lesson.state["model"]
        elif stop.lesson.page == "One step":
            state = page.lesson_state()
            assert (state["input"], state["label"]) == (
                stop.lesson.state["input"],
                stop.lesson.state["label"],
            )
        else:
            assert page.lesson_state()["inputs"] == stop.lesson.state["inputs"]
    page_down.trigger()  # past the last stop: it stays
    assert main_window.deck.index == len(deck.stops) - 1
    action(main_window, "Alt+Left").trigger()
    assert main_window.deck.index == len(deck.stops) - 2
    architecture = main_window.built_page(ArchitecturePage)
    qtbot.waitUntil(lambda: not architecture.busy, timeout=30000)


def test_a_deck_is_made_edited_saved_and_opened(main_window, new_window, tmp_path):
    decks = main_window.deck
    decks.set_visible(True)
    conv = main_window.show_page(ConvPage)
    conv.load_preset(2)
    decks.add("Same padding")
    pool = main_window.show_page(PoolPage)
    pool.load_preset(1)
    pool.go_to_step(5)
    decks.add()
    main_window.show_page(ConvPage)
    decks.add("third")
    assert [s.caption for s in decks.deck.stops] == [
        "Same padding",
        "Lecture: 3×3 max pooling, stride 1",
        "third",
    ]
    decks.rename(1, "  Max pooling  ")
    decks.move(-1, index=2)
    decks.delete(0)
    assert [s.caption for s in decks.deck.stops] == ["third", "Max pooling"]
    decks.save(tmp_path / "deck.cnnviz")
    saved = read_file(tmp_path / "deck.cnnviz")
    assert isinstance(saved, Deck) and saved.stops[1].lesson.state["step"] == 5

    other = new_window()
    assert other.lesson_files.open(tmp_path / "deck.cnnviz") == ""
    assert other.deck.index == 0 and other.current_page().title == "Convolution"
    other.deck.next_stop()
    assert other.current_page().title == "Pooling"
    assert other.current_page().step_bar.index == 5


def test_a_stop_that_cannot_open_is_refused_and_the_stop_stays(main_window):
    shown = []
    main_window.lesson_files.warn = lambda title, text: shown.append(text)
    broken = Lesson("Architecture", {"model": "no_such_net"})
    deck = Deck("t", [Stop("fine", Lesson("Pooling")), Stop("broken", broken)])
    assert main_window.deck.open_deck(deck) == ""
    main_window.deck.next_stop()
    assert main_window.deck.index == 0 and "no_such_net" in shown[0]
    assert main_window.current_page().title == "Pooling"


def test_the_architecture_page_round_trips_its_lesson(qtbot, main_window, new_window):
    page = main_window.show_page(ArchitecturePage)
    page.restore_lesson({"model": "resnet", "input": [3, 32, 32]})
    assert page.input_shape() == (3, 32, 32)
    saved = page.lesson_state()
    assert saved == {"model": "resnet", "input": [3, 32, 32]}
    other = new_window()
    other_page = other.page(ArchitecturePage)
    other_page.restore_lesson(saved)
    assert other_page.lesson_state() == saved
    with pytest.raises(ValueError, match="no model called"):
        other_page.restore_lesson({"model": "nope"})
    with pytest.raises(ValueError, match="not an input shape"):
        other_page.restore_lesson({"model": "simple", "input": [3, 0, 32]})
    assert other_page.lesson_state() == saved
    for built in (page, other_page):
        qtbot.waitUntil(lambda b=built: not b.busy, timeout=30000)


def inception_stop(deck) -> int:
    return next(i for i, s in enumerate(deck.stops) if "Inception" in s.caption)


def test_the_caption_belongs_to_its_stop_not_to_the_page_shown_after_it(qtbot, main_window):
    from cnnviz.gui.pages.train_page import TrainPage

    decks = main_window.deck
    assert decks.open_lecture() == ""
    index = inception_stop(decks.deck)
    assert decks.go_to(index) == ""
    stop = decks.deck.stops[index]
    assert decks.caption.text() == stop.caption
    main_window.show_page(TrainPage)  # (Ctrl+4) while the deck stands at Inception
    qtbot.waitUntil(lambda: main_window.current_page().title == "Train", timeout=30000)
    assert decks.caption.text() == ""
    assert decks.where.text() == (
        f"Deck: stop {index + 1} / {len(decks.deck.stops)} is on the {stop.lesson.page} page"
    )
    main_window.show_page(ArchitecturePage)  # back on the stop's page: its caption again
    assert decks.caption.text() == stop.caption
    assert decks.where.text() == f"{index + 1} / {len(decks.deck.stops)}"
    architecture = main_window.built_page(ArchitecturePage)
    qtbot.waitUntil(lambda: not architecture.busy, timeout=30000)


def test_on_a_projector_the_deck_leaves_the_page_its_room(qtbot, main_window):
    """At 1280×800, and in presenter mode at any size, the deck shows its caption and stop
    number only; the stops open on demand. A wide window opens them by itself."""
    decks = main_window.deck
    assert decks.open_lecture() == ""
    assert decks.visible and decks.panel_dock.isHidden() and not decks.stops_button.isChecked()
    assert decks.where.text() == f"1 / {len(decks.deck.stops)}"
    decks.stops_button.click()  # on demand
    assert not decks.panel_dock.isHidden() and decks.stops_button.isChecked()
    main_window.set_look(presenter=True)  # the page needs the room
    assert decks.panel_dock.isHidden() and not decks.stops_button.isChecked()
    main_window.set_look(presenter=False)
    decks.set_visible(False)
    main_window.resize(1800, 1000)
    qtbot.waitUntil(lambda: main_window.width() >= 1600, timeout=5000)
    decks.set_visible(True)
    assert not decks.panel_dock.isHidden()
    main_window.set_look(presenter=True)
    decks.set_visible(False)
    decks.set_visible(True)
    assert decks.panel_dock.isHidden()  # never by itself in presenter mode
