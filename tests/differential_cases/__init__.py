"""The cases of test_differential.py: programs over a decorator, with the engine's verdict.

`ported`: jaxtyping's own tests at v0.3.11, in torch. `everyday`: everyday
patterns and the known problem classes of issue 9. `dtypes`: every dtype
family against every torch dtype.
"""

from ._case import Case
from .dtypes import CASES as DTYPES
from .everyday import CASES as EVERYDAY
from .ported import CASES as PORTED
from .ported import NOT_PORTED

CASES: list[Case] = [*PORTED, *EVERYDAY, *DTYPES]

__all__ = ["CASES", "NOT_PORTED"]
