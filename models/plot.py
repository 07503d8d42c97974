"""The perplexity curve of a training run, as a PNG.

matplotlib is an optional dependency (``shapecheck[models]``), imported only
when a plot is drawn.
"""

import os
import sys
from collections.abc import Sequence

__all__ = ["plot_perplexity"]


def plot_perplexity(perplexities: Sequence[float], path: str | os.PathLike[str]) -> bool:
    """Write the perplexity curve (x: epoch, y: perplexity) as a PNG.

    Returns ``False``, after printing a one-line note on stderr, when
    matplotlib is not installed.  matplotlib is only imported here, with its
    non-interactive Agg canvas, so importing this module never needs it.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        print(
            "perplexity plot skipped: matplotlib is not installed (pip install shapecheck[models])",
            file=sys.stderr,
        )
        return False
    fig = Figure(figsize=(3.5, 2.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    epochs = range(1, len(perplexities) + 1)
    ax.plot(epochs, list(perplexities), label="train")
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity")
    ax.set_xlim(1, max(len(perplexities), 2))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, format="png")
    return True
