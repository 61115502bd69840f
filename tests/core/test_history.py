"""A run's curves without Qt: losses and smoothing, epochs, the CSV export, finished runs."""

import math

import numpy as np

from cnnviz.core.training.history import FinishedRuns, RunHistory, Smoother, smooth


def test_smoother_is_an_exponential_average_that_steps_over_non_finite_losses():
    smoother = Smoother(alpha=0.5)
    smoother.extend([float("nan"), 2.0, 4.0])
    smoother.extend([float("inf"), 0.0])
    assert math.isnan(smoother.values[0])
    assert smoother.values[1:] == [2.0, 3.0, 3.0, 1.5]
    assert np.allclose(smooth([1.0, 3.0], alpha=0.5), [1.0, 2.0])


def epoch(n, step, loss, acc):
    return {
        "epoch": n,
        "step": step,
        "test_loss": loss,
        "accuracy": acc,
        "correct": 1,
        "total": 2,
        "confusion": np.eye(2),
    }


def test_losses_and_epochs_make_the_curves_and_the_csv_the_train_page_writes():
    run = RunHistory()
    assert not run
    run.add_losses([1, 2], [2.5, 1.25])
    run.add_epoch(epoch(1, 2, 0.5, 0.75))
    run.add_losses([3], [0.123456789])
    assert run and run.curves() == ([1, 2, 3], [2.5, 1.25, 0.123456789], [2], [0.75])
    assert np.allclose(run.smoothed, smooth([2.5, 1.25, 0.123456789]))
    assert "confusion" not in run.epochs[0]
    assert run.to_csv_text() == (
        "step,loss,epoch,test_loss,test_accuracy\r\n"
        "1,2.500000,,,\r\n"
        "2,1.250000,1,0.500000,0.750000\r\n"
        "3,0.123457,,,\r\n"
    )


def test_an_engine_history_loads_with_its_epochs():
    history = {
        "steps": [1, 2, 3, 4],
        "losses": [4.0, 3.0, 2.0, 1.0],
        "epochs": [
            {"epoch": 1, "step": 2, "test_loss": 1.5, "accuracy": 0.5},
            {"epoch": 2, "step": 4, "test_loss": 0.5, "accuracy": 0.9},
        ],
    }
    run = RunHistory.from_engine_history(history)
    assert run.curves() == ([1, 2, 3, 4], [4.0, 3.0, 2.0, 1.0], [2, 4], [0.5, 0.9])
    assert np.allclose(run.smoothed, smooth([4.0, 3.0, 2.0, 1.0]))
    assert run.to_csv_text().splitlines()[-1] == "4,1.000000,2,0.500000,0.900000"
    run.set_curves([1], [1.0], [], [])
    assert run.curves() == ([1], [1.0], [], []) and run.smoothed == [1.0]
    # the epochs can come from elsewhere (the engine's history, as the page does today)
    assert run.to_csv_text(history["epochs"][:0]).splitlines()[1] == "1,1.000000,,,"


def test_finished_runs_are_named_in_order_and_failed_ones_are_not_kept():
    runs = FinishedRuns()
    run = RunHistory()
    assert runs.add("simple", run, "finished") is None  # nothing to compare yet
    run.add_losses([1], [1.0])
    assert runs.add("simple", run, "failed") is None
    assert runs.add("simple", run, "stopped") == "1. simple (no test yet, stopped)"
    run.add_epoch(epoch(1, 1, 0.2, 0.9131))
    assert runs.add("resnet", run, "finished") == "2. resnet (91.31%, finished)"
    assert len(runs) == 2 and runs.names()[1] in runs
    assert runs["2. resnet (91.31%, finished)"] == ([1], [1.0], [1], [0.9131])
    run.add_losses([2], [0.5])  # a kept run is a copy
    assert runs.selected(["2. resnet (91.31%, finished)", "gone"]) == {
        "2. resnet (91.31%, finished)": ([1], [1.0], [1], [0.9131])
    }
