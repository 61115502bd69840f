"""LatestChoice: a source that comes for an older choice than the latest is dropped."""

from cnnviz.gui.widgets.source_choice import LatestChoice


def test_a_snapshot_asked_for_is_used_while_its_choice_is_the_latest():
    choices, used = LatestChoice(), []
    answer = choices.ask("snapshot", used.append)
    assert choices.awaiting() and choices.awaiting("snapshot") and not choices.awaiting("weights")
    answer("run")
    assert used == ["run"] and not choices.awaiting()


def test_a_snapshot_that_comes_after_another_choice_is_dropped():
    choices, used = LatestChoice(), []
    first = choices.ask("snapshot", used.append)
    second = choices.ask("snapshot", used.append)
    first("older")
    assert used == [] and choices.awaiting("snapshot")  # the later request still waits
    second("newer")
    later = choices.ask("snapshot", used.append)
    choices.choose()  # the default, a checkpoint: chosen at once
    later("late")
    assert used == ["newer"] and not choices.awaiting()


def test_weights_are_taken_only_while_the_latest_choice_waits_for_them():
    choices = LatestChoice()
    choices.choose("weights")
    assert choices.take("weights") and not choices.awaiting()
    assert not choices.take("weights")  # answered once
    choices.choose("weights")
    choices.choose()
    assert not choices.take("weights")
    choices.choose("snapshot")
    assert not choices.take("weights") and choices.awaiting("snapshot")
    choices.stop_waiting()
    assert not choices.awaiting()
