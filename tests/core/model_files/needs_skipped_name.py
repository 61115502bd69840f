import torch.nn as nn
from torchvision import datasets

train_dataset = datasets.MNIST("./data", train=True, download=True)
num_classes = len(train_dataset.classes)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(28 * 28, num_classes)

    def forward(self, x):
        return self.fc(x.flatten(1))
