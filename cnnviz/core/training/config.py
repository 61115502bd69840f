"""What a training run is: model, data, optimiser and the rest, checked before it starts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("none", "step", "cosine")
DEVICES = ("auto", "cpu", "cuda", "mps")


@dataclass
class TrainConfig:
    """Defaults are the lecture's: SGD lr 0.01, momentum 0.5, batch 64, ``range(1, 10)``."""

    model: str = "simple"
    model_options: dict = field(default_factory=dict)
    dataset: str = "mnist"  # a key of cnnviz.core.data.catalog.DATASETS or "folder:<path>"
    data_dir: str | None = None  # where downloaded datasets live
    dataset_options: dict = field(default_factory=dict)  # image folders: size, channels, ...
    epochs: int = 9
    batch_size: int = 64
    test_batch_size: int = 1000
    optimizer: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.5
    nesterov: bool = False
    weight_decay: float = 0.0
    schedule: str = "none"
    seed: int = 1
    device: str = "auto"
    limit_train: int | None = None
    limit_test: int | None = None
    amp: bool = False
    channels_last: bool = True  # zoo models only: much faster convolutions and pooling
    # CUDA, zoo models, SGD without amp: each step replayed from a CUDA graph (cuda_graph.py)
    cuda_graphs: bool = True
    log_every: int = 10
    snapshot_every: int = 50
    snapshot_seconds: float = 0.0
    probe_index: int = 0

    def validate(self) -> TrainConfig:
        """Raise ``ValueError`` naming the first bad setting; return self when all are fine."""
        from cnnviz.core.data.catalog import DATASETS, FOLDER_PREFIX

        checks = [
            (
                self.dataset in DATASETS
                or (
                    self.dataset.startswith(FOLDER_PREFIX)
                    and len(self.dataset) > len(FOLDER_PREFIX)
                ),
                f"dataset must be one of {', '.join(DATASETS)} or folder:<path>, "
                f"got {self.dataset!r}",
            ),
            (self.epochs >= 1, f"epochs must be at least 1, got {self.epochs}"),
            (self.batch_size >= 1, f"batch size must be at least 1, got {self.batch_size}"),
            (self.test_batch_size >= 1, "test batch size must be at least 1"),
            (self.lr > 0, f"learning rate must be positive, got {self.lr}"),
            (0 <= self.momentum < 1, f"momentum must be in [0, 1), got {self.momentum}"),
            (self.weight_decay >= 0, f"weight decay must not be negative, got {self.weight_decay}"),
            (
                self.optimizer in OPTIMIZERS,
                f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}",
            ),
            (
                self.schedule in SCHEDULES,
                f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}",
            ),
            (
                self.device in DEVICES,
                f"device must be one of {', '.join(DEVICES)}, got {self.device!r}",
            ),
            (self.limit_train is None or self.limit_train >= 1, "limit-train must be at least 1"),
            (self.limit_test is None or self.limit_test >= 1, "limit-test must be at least 1"),
            (self.log_every >= 1, "log_every must be at least 1"),
            (
                not (self.nesterov and (self.optimizer != "sgd" or self.momentum == 0)),
                "nesterov needs SGD with momentum > 0",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
