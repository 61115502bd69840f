"""The lecture's log lines, written the same way by the CLI and the Train page."""


def train_line(p: dict) -> str:
    """``Train Epoch: 9 [46080/60000 (77%)]\\tLoss: 0.108415`` from a LOSSES payload."""
    return "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
        p["epoch"], p["samples"], p["total"], 100.0 * p["batch"] / p["batches"], p["loss"]
    )


def test_line(r: dict) -> str:
    """``Test set: Average loss: 0.0483, Accuracy: 9846/10000 (98%)`` from an EPOCH_DONE payload."""
    return "Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)".format(
        r["test_loss"], r["correct"], r["total"], 100.0 * r["accuracy"]
    )
