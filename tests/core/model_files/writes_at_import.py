import os

import torch
import torch.nn as nn

os.makedirs("runs", exist_ok=True)
with open("notes.txt", "w") as notes:
    notes.write("opened\n")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)

    def forward(self, x):
        return self.fc(x.flatten(1))


torch.save(Net().state_dict(), "net.pt")
print("saved")
