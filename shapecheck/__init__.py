"""shapecheck: tensor shapes in PyTorch code made visible, checked and documented.

One source of truth, jaxtyping annotations such as `Float[Tensor, "batch hiddens"]`,
drives runtime checks, generated shape documentation and data-free CI checks.
"""

from ._config import checks_active as checks_active
from ._config import configure as configure
from ._config import disabled as disabled
from ._errors import AnnotationError as AnnotationError
from ._errors import ShapeError as ShapeError
from ._registry import Registry as Registry
from ._runtime import check as check
from ._runtime import checked_signature as checked_signature
from ._runtime import install as install
from ._runtime import installed_packages as installed_packages
from ._runtime import uninstall as uninstall
from ._spec import Size as Size
from ._survey import Violation as Violation
from ._survey import survey as survey

__version__ = "0.1.0"

__all__ = [
    "AnnotationError",
    "Registry",
    "ShapeError",
    "Size",
    "Violation",
    "__version__",
    "check",
    "checked_signature",
    "checks_active",
    "configure",
    "disabled",
    "install",
    "installed_packages",
    "survey",
    "uninstall",
]
