"""The hot path: the decorator and the value checker it calls."""

from ._decorator import check as check
from ._decorator import checked_signature as checked_signature

__all__ = ["check", "checked_signature"]
