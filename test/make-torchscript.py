#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Writes a small TorchScript module for the TorchScript import test.

An adapter with hffm's layout (down: Linear(64, 16), up: Linear(16, 64)) whose parameters
are set to known values: parameter k (in named_parameters order) holds
0.001 * arange(numel) + k, reshaped. Usage: make-torchscript.py OUTPUT
"""
import sys

import torch


class Adapter(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.down = torch.nn.Linear(64, 16)
        self.up = torch.nn.Linear(16, 64)

    def forward(self, x):
        return x + self.up(torch.nn.functional.gelu(self.down(x)))


def main():
    adapter = Adapter()
    with torch.no_grad():
        for k, (_, p) in enumerate(adapter.named_parameters()):
            p.copy_((0.001 * torch.arange(p.numel(), dtype=torch.float32) + k).reshape(p.shape))
    torch.jit.script(adapter).save(sys.argv[1])


if __name__ == "__main__":
    main()
