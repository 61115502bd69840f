"""The training engine on a real MNIST subset (CPU): learning, control, checkpoints, NaN."""

import math
import threading
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from cnnviz.core.data import load_mnist  # noqa: E402
from cnnviz.core.training import CheckpointError, Engine, TrainConfig, events, load_checkpoint  # noqa: E402


def small(**kw):
    base = dict(epochs=1, limit_train=2000, limit_test=500, snapshot_every=10, device="cpu")
    base.update(kw)
    return TrainConfig(**base)


def test_bundled_mnist_is_complete():
    train, test = load_mnist("train"), load_mnist("test")
    assert train.images.shape == (60000, 1, 28, 28) and train.images.dtype == torch.uint8
    assert test.images.shape == (10000, 1, 28, 28)
    assert train.labels[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]
    assert torch.bincount(test.labels).tolist() == [
        980,
        1135,
        1032,
        1010,
        982,
        892,
        958,
        1028,
        974,
        1009,
    ]


def test_running_leaves_subnormal_floats_alone():
    Engine(small(limit_train=64, limit_test=64)).run()
    tiny = np.array([1e-310])
    assert (tiny * 1.0)[0] != 0.0  # denormals are flushed during training only


def test_a_run_trains_on_the_default_threads_after_another_thread_set_one():
    """The compute thread sets 1 PyTorch thread for itself; a thread started later takes the
    count set last, so a run sets its own (the default, read before anything set one)."""
    from cnnviz.core.training.devices import CPU_THREADS

    seen = {}

    def compute_thread():
        torch.get_num_threads()
        torch.set_num_threads(1)
        seen["compute"] = torch.get_num_threads()

    def training_thread():
        engine = Engine(small(limit_train=64, limit_test=64))
        engine.on(events.STARTED, lambda p: seen.setdefault("device", p["device_name"]))
        engine.run()
        seen["training"] = torch.get_num_threads()

    before = torch.get_num_threads()
    try:
        for body in (compute_thread, training_thread):
            thread = threading.Thread(target=body)
            thread.start()
            thread.join(120)
    finally:
        torch.set_num_threads(before)
    assert seen["compute"] == 1
    assert seen["training"] == CPU_THREADS and f"{CPU_THREADS} thread" in seen["device"]


def test_loss_falls_and_accuracy_is_well_above_chance():
    engine = Engine(small(epochs=2))
    epochs, losses = [], []
    engine.on(events.EPOCH_DONE, epochs.append)
    engine.on(events.LOSSES, lambda p: losses.extend(p["losses"]))
    engine.run()
    assert len(epochs) == 2
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) - 0.5
    assert epochs[-1]["accuracy"] > 0.6  # chance is 0.1
    assert epochs[-1]["confusion"].sum() == 500 and epochs[-1]["confusion"].shape == (10, 10)
    assert engine.history["steps"] == list(range(1, 2 * 32 + 1))


def test_snapshots_carry_feature_maps_filters_and_gradient_norms():
    engine = Engine(small(model="inception"))
    snaps = []
    engine.on(events.SNAPSHOT, snaps.append)
    engine.on(events.STARTED, lambda p: engine.probe.choose(["conv2"], "incept1"))
    engine.run()
    snap = snaps[-1]
    assert snap["activations"]["conv2"].shape == (20, 8, 8)
    assert snap["activations"]["conv2"].dtype == np.float32
    assert [label for label, _ in snap["branches"]] == [
        "1×1, 16 ch",
        "5×5, 24 ch",
        "3×3 double, 24 ch",
        "pool, 24 ch",
    ]
    assert [a.shape for _, a in snap["branches"]] == [
        (16, 12, 12),
        (24, 12, 12),
        (24, 12, 12),
        (24, 12, 12),
    ]
    assert snap["filters"].shape == (10, 1, 5, 5)
    assert snap["grad_norms"]["conv1"] > 0
    assert snap["probabilities"].shape == (10,)


def test_snapshot_of_a_layer_used_twice_leaves_the_network_intact():
    engine = Engine(small())
    snaps = []
    engine.on(events.SNAPSHOT, snaps.append)
    engine.on(events.STARTED, lambda p: engine.probe.choose(["mp"]))
    failures = []
    engine.on(events.FAILED, failures.append)
    engine.run()
    assert not failures and snaps[-1]["activations"]["mp"].shape == (10, 12, 12)
    assert abs(snaps[-1]["probabilities"].sum() - 1) < 1e-5


def run_in_thread(engine):
    thread = threading.Thread(target=engine.run)
    thread.start()
    return thread


def wait_for(condition, seconds=60.0):
    """Poll ``condition`` until it holds; fail after ``seconds`` (a generous deadline)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_pause_resume_stop():
    engine = Engine(small(epochs=50))
    seen = []
    engine.on(events.LOSSES, lambda p: seen.append(p["steps"][-1]))
    stopped = []
    engine.on(events.STOPPED, stopped.append)
    thread = run_in_thread(engine)
    try:
        wait_for(lambda: seen)
        engine.pause()
        time.sleep(0.3)
        at_pause = engine.step
        time.sleep(0.3)
        assert engine.step == at_pause and engine.paused
        engine.resume()
        wait_for(lambda: engine.step >= at_pause + 5)
    finally:
        engine.stop()
        thread.join(60)
    assert not thread.is_alive()
    assert stopped and engine.stopped


def record(engine):
    fired = {name: [] for name in events.ALL}
    for name in events.ALL:
        engine.on(name, fired[name].append)
    return fired


@pytest.mark.parametrize("stage", ["open_dataset", "build", "Probe"])
def test_stop_during_set_up_ends_with_stopped(monkeypatch, stage):
    """A stop asked while the data are read, the model built or the probe made is honoured
    before training starts: STOPPED, not FAILED, and no epoch."""
    from cnnviz.core.training import setup as setup_module  # the run's set-up stages

    engine = Engine(small())
    real = getattr(setup_module, stage)

    def stop_then(*args, **kwargs):
        engine.stop()
        return real(*args, **kwargs)

    monkeypatch.setattr(setup_module, stage, stop_then)
    fired = record(engine)
    engine.run()
    assert fired[events.STOPPED] and engine.stopped
    assert not fired[events.FAILED] and not fired[events.STARTED]
    assert not fired[events.EPOCH_DONE] and engine.step == 0


def test_a_run_stopped_before_its_optimiser_cannot_be_saved(monkeypatch):
    """Stopped while the model is built: the engine has a model but nothing to continue
    from, so it says it cannot be saved (the Train page offers no Save)."""
    from cnnviz.core.training import setup as setup_module  # the run's set-up stages

    engine = Engine(small())
    real = setup_module.build

    def build_then_stop(*args, **kwargs):
        model = real(*args, **kwargs)
        engine.stop()
        return model

    monkeypatch.setattr(setup_module, "build", build_then_stop)
    engine.run()
    assert engine.model is not None and not engine.can_save
    finished = Engine(small())
    finished.run()
    assert finished.can_save


def test_reading_mnist_can_be_stopped_and_is_read_whole_afterwards():
    from cnnviz.core.data.mnist import LoadCancelled, bundled_folder

    folder = str(bundled_folder())  # another cache key than the default: a fresh read
    with pytest.raises(LoadCancelled):
        load_mnist("test", folder, should_stop=lambda: True)
    assert len(load_mnist("test", folder)) == 10000  # the stopped read was not remembered


def test_stop_during_evaluation_returns_without_recording_the_epoch():
    engine = Engine(small(epochs=2, test_batch_size=100, snapshot_every=0))
    fired = record(engine)

    def stop_when_testing(module, _inputs, _output):
        if not module.training:
            engine.stop()

    engine.on(events.STARTED, lambda p: engine.model.register_forward_hook(stop_when_testing))
    engine.run()
    assert engine.stopped and fired[events.STOPPED]
    assert not fired[events.EPOCH_DONE] and engine.history["epochs"] == []
    assert engine.step == 32  # the first epoch's training was whole
    assert not fired[events.FAILED]


def test_stop_inside_a_batch_gives_the_batch_up_and_leaves_a_usable_model():
    engine = Engine(small(log_every=1))
    fired = record(engine)
    at_stop = []

    def stop_in_conv2(_module, _inputs, _output):
        if engine.step == 3 and not at_stop:
            at_stop.append({k: v.clone() for k, v in engine.model.state_dict().items()})
            engine.stop()

    engine.on(events.STARTED, lambda p: engine.model.conv2.register_forward_hook(stop_in_conv2))
    engine.run()
    assert engine.stopped and not fired[events.FAILED]
    assert engine.step == 3  # the fourth batch was given up half-way through its forward
    for key, value in engine.model.state_dict().items():
        assert torch.equal(value, at_stop[0][key])
    assert not engine.model.conv1._forward_pre_hooks  # the stop hooks went with the run
    engine.model(torch.zeros(2, 1, 28, 28)).sum().backward()


class Served:
    """A snapshot callback that records where, when and with what it was called, and the
    engine's weights at that moment (the source builds its model later, in the test's
    thread, as a page's compute thread would)."""

    def __init__(self, engine=None):
        self.engine = engine
        self.calls = []
        self.done = threading.Event()

    def __call__(self, source):
        weights = None
        if self.engine is not None and self.engine.model is not None:
            weights = {
                k: v.detach().cpu().clone() for k, v in self.engine.model.state_dict().items()
            }
        self.calls.append(
            {
                "source": source,
                "thread": threading.current_thread(),
                "step": self.engine.step if self.engine else None,
                "paused": self.engine.paused if self.engine else None,
                "weights": weights,
            }
        )
        self.done.set()


def same_weights(call) -> bool:
    """The model the snapshot builds holds the engine's weights of the moment it was served."""
    model, _info = call["source"].make()
    state = model.state_dict()
    return state.keys() == call["weights"].keys() and all(
        torch.equal(value, state[key]) for key, value in call["weights"].items()
    )


def test_snapshot_requested_from_another_thread_is_served_at_a_batch_boundary():
    from cnnviz.core.inference import InputContract
    from cnnviz.core.model_source import ModelSource

    engine = Engine(small(epochs=50))
    served = Served(engine)
    thread = run_in_thread(engine)
    try:
        wait_for(lambda: engine.step >= 2)
        engine.request_snapshot(served)
        assert served.done.wait(60)
    finally:
        engine.stop()
        thread.join(60)
    (call,) = served.calls
    assert call["thread"] is thread
    source = call["source"]
    assert isinstance(source, ModelSource)
    assert source.description == "a snapshot of the current training run"
    model, info = source.make()  # built here, in the thread that uses it
    assert model is not engine.model and not model.training
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert same_weights(call)  # copied between batches, never half-way through an update
    assert not model.conv1._forward_pre_hooks  # the model carries none of the engine's hooks
    assert model(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
    assert info == InputContract((1, 28, 28), tuple("0123456789"), 0.1307, 0.3081, "MNIST")
    assert source.make()[0] is not model  # every make() builds a module of its own


def test_snapshot_is_served_while_paused():
    engine = Engine(small(epochs=50))
    engine.on(events.LOSSES, lambda p: engine.pause() if p["batch"] == 0 else None)
    served = Served(engine)
    thread = run_in_thread(engine)
    try:
        wait_for(lambda: engine.paused and engine.step >= 1)
        at_pause = engine.step
        engine.request_snapshot(served)
        assert served.done.wait(60)
        assert served.calls[0]["paused"] and engine.step == at_pause
        assert served.calls[0]["thread"] is thread
    finally:
        engine.stop()
        thread.join(60)
    assert same_weights(served.calls[0])


def test_snapshot_without_a_run_is_served_at_once_and_each_request_once():
    engine = Engine(small(limit_train=128, limit_test=64))
    before = Served()
    engine.request_snapshot(before)
    assert before.calls == [
        {
            "source": None,
            "thread": threading.current_thread(),
            "step": None,
            "paused": None,
            "weights": None,
        }
    ]
    assert engine.input_contract() is None
    at_end = Served(engine)
    engine.on(events.FINISHED, lambda p: engine.request_snapshot(at_end))  # no boundary left
    engine.run()
    (call,) = at_end.calls
    assert call["source"] is not None and same_weights(call)
    after = Served(engine)
    engine.request_snapshot(after)
    assert len(after.calls) == 1 and after.calls[0]["thread"] is threading.current_thread()
    assert same_weights(after.calls[0]) and len(before.calls) == 1 and len(at_end.calls) == 1
    from cnnviz.core.inference import InputContract

    assert engine.input_contract() == InputContract(
        (1, 28, 28), tuple("0123456789"), 0.1307, 0.3081, "MNIST"
    )


def test_a_users_own_model_is_built_in_the_training_thread_and_so_are_its_snapshots():
    """``model_factory``: the engine builds the user's model itself, in the thread that
    trains it; a snapshot builds another with the same factory where it is made."""
    from cnnviz.core.models import build

    built_in = []

    def factory():
        built_in.append(threading.current_thread())
        return build("simple")

    engine = Engine(small(limit_train=256, limit_test=64), model_factory=factory)
    served = Served(engine)
    engine.on(events.EPOCH_DONE, lambda r: engine.request_snapshot(served))
    thread = run_in_thread(engine)
    thread.join(60)
    assert built_in == [thread] and not engine.failure
    assert not engine.channels_last  # a user's model keeps the default layout
    assert same_weights(served.calls[0]) and built_in[-1] is threading.current_thread()


def test_snapshot_of_a_failed_set_up_is_none(tmp_path):
    engine = Engine(small(dataset=f"folder:{tmp_path / 'missing'}"))
    served = Served()
    engine.on(events.FAILED, lambda p: engine.request_snapshot(served))
    engine.run()
    assert engine.failure and served.calls[0]["source"] is None and len(served.calls) == 1


def test_learning_rate_changes_at_the_next_batch():
    engine = Engine(small(log_every=1))
    lrs = []
    engine.on(
        events.LOSSES,
        lambda p: (lrs.append(p["lr"]), engine.set_lr(0.05) if p["batch"] == 3 else None),
    )
    engine.run()
    assert lrs[3] == 0.01 and lrs[4] == 0.05


def test_checkpoint_round_trip_and_resume_continues_the_curves(tmp_path):
    path = tmp_path / "run.pt"
    engine = Engine(small())
    engine.run()
    engine.save(path)
    assert not list(tmp_path.glob(".*.tmp"))  # atomic: no temporary left behind
    data = load_checkpoint(path, expect_model="simple")
    resumed = Engine.resume_from(path, small(epochs=2))
    resumed._setup()
    for key, value in engine.model.state_dict().items():
        assert torch.equal(resumed.model.state_dict()[key], value)
    resumed.run()
    assert resumed.epoch == 2 and len(resumed.history["epochs"]) == 2
    assert resumed.history["steps"][:32] == data["history"]["steps"][:32]
    assert resumed.history["steps"][-1] == 64


def test_corrupted_and_foreign_checkpoints_are_refused(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"this is not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(bad)
    path = tmp_path / "simple.pt"
    engine = Engine(small(limit_train=64))
    engine.run()
    engine.save(path)
    with pytest.raises(CheckpointError, match="holds a 'simple' model, not 'inception'"):
        Engine.resume_from(path, small(model="inception"))
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "missing.pt")


def test_nan_loss_pauses_with_a_message():
    engine = Engine(small(lr=1e6, momentum=0.9, epochs=3, log_every=1))
    pauses = []

    def on_paused(p):
        pauses.append(p)
        engine.stop()

    engine.on(events.PAUSED, on_paused)
    engine.run()
    assert pauses and pauses[0]["reason"] == "nan"
    assert "learning rate (1e+06) is probably too high" in pauses[0]["message"]
    assert engine.stopped


def test_failure_is_reported_not_raised():
    engine = Engine(small(model="simple_broken"))
    failures = []
    engine.on(events.FAILED, failures.append)
    engine.run()
    (failure,) = failures
    assert failure["message"].startswith(
        "Training failed: fc (Linear) expects 100 input features but gets 320"
    )
    assert failure["message"].endswith("Use nn.Linear(320, 10).")


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(epochs=0), "epochs must be at least 1"),
        (dict(lr=-1), "learning rate must be positive"),
        (dict(optimizer="rmsprop"), "optimizer must be one of"),
        (dict(nesterov=True, momentum=0), "nesterov needs SGD"),
    ],
)
def test_bad_configs(kw, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kw).validate()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")
def test_cuda_path_trains_with_amp_and_channels_last():
    engine = Engine(small(device="cuda", amp=True, channels_last=True))
    done = []
    engine.on(events.EPOCH_DONE, done.append)
    engine.run()
    assert engine.device.type == "cuda" and done[0]["accuracy"] > 0.5


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")
def test_cuda_graph_steps_train_as_ordinary_steps():
    """The same run with its steps replayed from a CUDA graph and without: the same losses and
    weights, through the epochs' shorter last batches, a schedule's new rate and one set from
    outside mid-epoch (each captured again)."""
    deterministic = torch.backends.cudnn.deterministic
    torch.backends.cudnn.deterministic = True

    def run(graphs: bool) -> Engine:
        config = small(device="cuda", cuda_graphs=graphs, epochs=3, schedule="step")
        config.limit_train, config.snapshot_every = 64 * 12 + 17, 0
        engine = Engine(config)
        asked = []

        def faster(payload):
            if payload["epoch"] == 1 and payload["batch"] >= 10 and not asked:
                engine.set_lr(0.02)
                asked.append(payload["batch"])

        engine.on(events.LOSSES, faster)
        engine.run()
        return engine

    try:
        graphed, plain = run(True), run(False)
    finally:
        torch.backends.cudnn.deterministic = deterministic
    steps = graphed.graphed
    assert plain.graphed is None and steps is not None and steps.off is None
    # warm-up, then a capture for the first rate, the rate set mid-epoch, and the schedule's
    assert steps.replays > 20 and steps.captures >= 3
    assert graphed.history["losses"] == pytest.approx(plain.history["losses"], rel=1e-4, abs=1e-5)
    for (name, a), b in zip(graphed.model.state_dict().items(), plain.model.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=name)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")
@pytest.mark.parametrize("model", ["resnet", "inception_v3"])
def test_cuda_graphs_serve_batch_norm_dropout_and_auxiliary_outputs(model):
    engine = Engine(small(device="cuda", model=model, limit_train=64 * 8, limit_test=256))
    done = []
    engine.on(events.EPOCH_DONE, done.append)
    engine.run()
    assert engine.graphed is not None and engine.graphed.off is None
    assert engine.graphed.replays > 0 and math.isfinite(done[0]["test_loss"])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")
def test_a_users_own_model_and_mixed_precision_run_without_cuda_graphs():
    from cnnviz.core.models import build

    own = Engine(small(device="cuda", limit_train=640), model_factory=lambda: build("simple"))
    own.run()
    mixed = Engine(small(device="cuda", limit_train=640, amp=True))
    mixed.run()
    assert own.graphed is None and mixed.graphed is None and not own.failure


def test_the_package_ships_mnist_and_the_default_checkpoint():
    """A plain (non-editable) install carries them: pyproject's package-data names them."""
    import sys
    from pathlib import Path

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the same parser from PyPI (the test extra installs it there)
        import tomli as tomllib

    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["cnnviz.resources"]
    folder = root / "cnnviz" / "resources"
    for pattern in patterns:
        assert list(folder.glob(pattern)), pattern
    from cnnviz.core.data.mnist import bundled_folder

    assert bundled_folder() == folder / "mnist"


def test_a_checkpoint_is_copied_by_the_training_thread_between_two_batches():
    """The payload is taken where the model lives, at a batch boundary (or while paused),
    never read by another thread while the run goes on."""
    engine = Engine(small(epochs=3))
    taken, paused = {}, threading.Event()

    def on_losses(_payload):
        if not paused.is_set():
            engine.pause()
            paused.set()

    engine.on(events.LOSSES, on_losses)
    thread = threading.Thread(target=engine.run)
    thread.start()
    try:
        assert paused.wait(60)

        def got(payload):
            taken["thread"] = threading.get_ident()
            taken["payload"] = payload

        engine.request_checkpoint(got)
        deadline = time.monotonic() + 30
        while "payload" not in taken and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        engine.stop()
        thread.join(60)
    assert taken["thread"] == thread.ident != threading.get_ident()
    payload = taken["payload"]
    assert payload["model"] == "simple" and payload["optimizer_state"]["state"]
    weights = next(iter(payload["model_state"].values()))
    assert weights.data_ptr() != next(iter(engine.model.state_dict().values())).data_ptr()
    late = {}
    engine.request_checkpoint(lambda p: late.update(p))  # no run any more: at once, here
    assert late["model"] == "simple"


def test_a_copy_that_fails_answers_none_and_the_callbacks_after_it_still_run():
    """Every waiting callback is answered at a boundary or at the run's end, even when one
    copy fails: a page never waits for ever, and None says "no copy"."""
    from cnnviz.core.training.snapshots import SnapshotRequests

    def broken():
        raise RuntimeError("cannot copy")

    requests = SnapshotRequests()
    requests.begin()
    got = []
    assert requests.add(got.append, broken)
    assert requests.add(got.append)  # the snapshot the boundary gives
    requests.serve(lambda: "snapshot", final=True)
    assert got == [None, "snapshot"] and not requests.active
