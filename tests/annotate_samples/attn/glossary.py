"""The registry: the dims, and an exercise that runs the package at given sizes."""

import torch

from shapecheck import Registry

shapes = Registry(
    dims={
        "batch": "sequences side by side",
        "queries": "query positions",
        "keys": "key positions",
        "model": "the model width",
        "heads": "attention heads",
    },
)


@shapes.exercise("one attention layer")
def _one_layer(sizes, device):
    from .layers import Attention, attend, merge_heads, split_heads

    batch, queries, keys = sizes["batch"], sizes["queries"], sizes["keys"]
    model, heads = sizes["model"], sizes["heads"]
    x = torch.zeros(batch, queries, model * heads, device=device)
    memory = torch.zeros(batch, keys, model * heads, device=device)
    q = split_heads(x, heads)
    k = split_heads(memory, heads)
    merge_heads(attend(q, k, k))
    Attention(model * heads, heads).to(device)(x, memory)
