#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Time of one training step of hffm's default M3T model in PyTorch eager.

The same architecture, operations and batch as learning/m3t-model.cc and
bench/train-step-bench.cc, for a side-by-side with the C++ (LibTorch) version.
Run with Debian's python3-torch: /usr/bin/python3 bench/train_step.py --threads=1
"""
import argparse
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

WIDTH, HEADS, BLOCKS, MLP, ADAPTER, PROMPTS, EXPERTS, TOPK, EXPERT_HIDDEN = (
    64, 4, 2, 128, 16, 2, 4, 2, 128)
TASKS = {"fine": 10, "coarse": 4, "question": 2}


class ImageEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.position = nn.Parameter(torch.randn(49, WIDTH) * 0.02)
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, WIDTH, 3, padding=1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return x.flatten(2).transpose(1, 2) + self.position


class TextEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens = nn.Embedding(27, WIDTH)
        self.position = nn.Parameter(torch.randn(8, WIDTH) * 0.02)

    def forward(self, t):
        return self.tokens(t) + self.position


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(WIDTH)
        self.qkv = nn.Linear(WIDTH, 3 * WIDTH)
        self.proj = nn.Linear(WIDTH, WIDTH)
        self.norm2 = nn.LayerNorm(WIDTH)
        self.fc1 = nn.Linear(WIDTH, MLP)
        self.fc2 = nn.Linear(MLP, WIDTH)

    def forward(self, x):
        b, t, d = x.shape
        q = self.qkv(self.norm1(x)).reshape(b, t, 3, HEADS, d // HEADS).permute(2, 0, 3, 1, 4)
        scores = torch.matmul(q[0], q[1].transpose(-2, -1)) / math.sqrt(d // HEADS)
        attended = torch.matmul(torch.softmax(scores, -1), q[2])
        y = x + self.proj(attended.transpose(1, 2).reshape(b, t, d))
        return y + self.fc2(F.gelu(self.fc1(self.norm2(y))))


class Adapter(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Linear(WIDTH, ADAPTER)
        self.up = nn.Linear(ADAPTER, WIDTH)

    def forward(self, x):
        return x + self.up(F.gelu(self.down(x)))


class Expert(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(WIDTH, EXPERT_HIDDEN)
        self.fc2 = nn.Linear(EXPERT_HIDDEN, WIDTH)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Head(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.norm = nn.LayerNorm(WIDTH)
        self.fc = nn.Linear(WIDTH, classes)

    def forward(self, x):
        return self.fc(self.norm(x))


class M3T(nn.Module):
    def __init__(self):
        super().__init__()
        self.image = ImageEncoder()
        self.text = TextEncoder()
        self.prompts = nn.ParameterDict(
            {t: nn.Parameter(torch.randn(PROMPTS, WIDTH) * 0.02) for t in TASKS})
        self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
        self.adapters = nn.ModuleList(Adapter() for _ in range(BLOCKS))
        self.gate = nn.Linear(WIDTH, EXPERTS)
        self.experts = nn.ModuleList(Expert() for _ in range(EXPERTS))
        self.heads = nn.ModuleDict({t: Head(c) for t, c in TASKS.items()})

    def moe(self, x):
        shape = x.shape
        flat = x.reshape(-1, shape[-1])
        probs = torch.softmax(self.gate(flat), -1)
        top_values, top_index = probs.topk(TOPK, -1)
        weights = top_values / top_values.sum(-1, keepdim=True)
        out = torch.zeros_like(flat)
        for e in range(EXPERTS):
            chosen = top_index == e
            rows = chosen.any(-1).nonzero().squeeze(-1)
            if rows.numel() == 0:
                continue
            w = (weights * chosen).sum(-1).index_select(0, rows).unsqueeze(-1)
            out.index_add_(0, rows, self.experts[e](flat.index_select(0, rows)) * w)
        share = F.one_hot(top_index, EXPERTS).float().sum((0, 1)) / top_index.numel()
        balance = EXPERTS * (share * probs.mean(0)).sum()
        return x + out.reshape(shape), balance

    def forward(self, images, text, tasks):
        b = images.shape[0]
        parts = [self.prompts[t].unsqueeze(0).expand(b, -1, -1) for t in tasks]
        parts += [self.image(images), self.text(text)]
        x = torch.cat(parts, 1)
        for block, adapter in zip(self.blocks, self.adapters):
            x = adapter(block(x))
        x, balance = self.moe(x)
        return {t: self.heads[t](x[:, i * PROMPTS]) for i, t in enumerate(tasks)}, balance


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = M3T()
    model.train()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    images = torch.randn(args.batch, 1, 28, 28)
    text = torch.randint(0, 27, (args.batch, 8))
    labels = {t: torch.randint(0, c, (args.batch,)) for t, c in TASKS.items()}
    tasks = list(TASKS)

    def step():
        logits, balance = model(images, text, tasks)
        loss = sum(F.cross_entropy(logits[t], labels[t]) for t in tasks) + 0.01 * balance
        adam.zero_grad()
        loss.backward()
        adam.step()

    for _ in range(5):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    parameters = sum(p.numel() for p in model.parameters())
    print(f"implementation=pytorch\nthreads={args.threads}\nbatch={args.batch}\n"
          f"steps={args.steps}\nparameters={parameters}\n"
          f"ms_per_step={1000 * seconds / args.steps}")


if __name__ == "__main__":
    main()
