"""Interactive widgets: thin ipywidgets shells over exolab's pure functions.

Each factory returns a :class:`~exolab.widgets._base.Panel`; display it as the
last expression of a cell.
"""
from __future__ import annotations

import importlib

# name -> submodule; resolved on first use so importing one widget does not
# import every model and plot library.
_FACTORIES = {
    "cargo_explorer": "explorers",
    "communication_map": "explorers",
    "resistance_matrix": "explorers",
    "molecule_card": "explorers",
    "kb_tour": "explorers",
    "sedimentation_explorer": "models",
    "warburg_explorer": "models",
    "resistance_explorer": "models",
    "size_explorer": "models",
    "widget_self_check": "explorers",
}
__all__ = sorted(_FACTORIES)


def __getattr__(name: str):
    if name in _FACTORIES:
        return getattr(importlib.import_module(f"{__name__}.{_FACTORIES[name]}"), name)
    raise AttributeError(f"exolab.widgets has no widget {name!r}; available: {', '.join(__all__)}")
