import math

import torch
from torch import Tensor, nn


def split_heads(x, heads):
    # one slice of the width per head
    b, n, width = x.shape
    return x.reshape(b, n, heads, width // heads).transpose(1, 2)


def attend(q, k, v):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    weights = torch.softmax(scores, dim=-1)
    return weights @ v


def merge_heads(x: Tensor):
    b, h, n, d = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(width, width)
        self.out = nn.Linear(width, width)

    def forward(self, x, memory):
        q = split_heads(self.query(x), self.heads)
        k = split_heads(memory, self.heads)
        mixed = merge_heads(attend(q, k, k))
        return self.out(mixed)  # back to the model's width
