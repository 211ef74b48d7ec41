"""Figures for lessons_b (registered with exolab.figures.figure)."""
from __future__ import annotations

from ..figures import figure  # noqa: F401
