"""`python -m models.train --ddp` with a shape bug planted on one rank, for test_ddp.py.

Run by torchrun in place of `-m models.train`:

    torchrun --nproc_per_node=2 tests/ddp_fault.py --fault-rank 1 --ddp --epochs 1

Rank `--fault-rank` starts its first step from a state for one sequence more
than its shard of the minibatch holds, so the checker raises `ShapeError` on
that rank alone. Every other argument goes to the product's command line,
which knows nothing of this.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import torch

import models.ddp
from models.cli import main
from models.train import RecurrentNet, _next_state


def plant_fault() -> None:
    """Make this rank's first training step start from a wrongly shaped state."""
    planted = False

    def wrong_first_state(
        net: RecurrentNet, state: Any, batch_size: int, device: torch.device, fresh: bool
    ) -> Any:
        nonlocal planted
        if planted:
            return _next_state(net, state, batch_size, device, fresh)
        planted = True
        return net.begin_state(batch_size=batch_size + 1, device=device)

    # The name training calls for each step's state, as `models.ddp` sees it.
    models.ddp._next_state = wrong_first_state  # type: ignore[attr-defined]


def run(argv: list[str]) -> int:
    """Plant the fault where `--fault-rank` says, then run the command line."""
    parser = argparse.ArgumentParser(prog="ddp_fault.py")
    parser.add_argument("--fault-rank", type=int, required=True, metavar="N")
    options, rest = parser.parse_known_args(argv)
    world_size = int(os.environ.get("WORLD_SIZE", "0"))
    if "--ddp" not in rest:
        parser.error("argument --fault-rank: only valid with --ddp")
    if not 0 <= options.fault_rank < world_size:
        parser.error(
            f"argument --fault-rank: no rank {options.fault_rank} among {world_size} ranks"
        )
    if os.environ.get("RANK") == str(options.fault_rank):
        plant_fault()
    return main(rest)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
