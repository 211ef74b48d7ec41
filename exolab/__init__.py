"""exolab: the shared data module of the exosomes-in-cancer teaching collection.

Submodules are imported on use (``exolab.data``, ``exolab.models``, ``exolab.quiz``,
``exolab.widgets`` ...) so that ``import exolab`` stays cheap.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"
__all__ = ["data", "lessons", "query", "models", "plots", "quiz", "widgets", "figures"]


def __getattr__(name: str):
    # Lazy submodule access: `exolab.data` works after a bare `import exolab`.
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'exolab' has no attribute {name!r}")
