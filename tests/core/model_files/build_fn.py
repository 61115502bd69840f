import torch.nn as nn


def build_model():
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))
