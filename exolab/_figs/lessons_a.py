"""Figures for lessons_a (registered with exolab.figures.figure)."""
from __future__ import annotations

from ..figures import figure  # noqa: F401
