"""The hot path: the decorator, the checkers it generates, locals and the import hook."""

from ._decorator import check as check
from ._decorator import checked_signature as checked_signature
from ._import_hook import install as install
from ._import_hook import installed_packages as installed_packages
from ._import_hook import uninstall as uninstall

__all__ = ["check", "checked_signature", "install", "installed_packages", "uninstall"]
