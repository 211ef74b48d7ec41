"""Where exolab finds its curated data and lesson manifest.

Order: the ``EXOLAB_DATA_DIR`` environment variable (an instructor's extended copy,
or a test's corrupted copy); the copy bundled inside an installed wheel; the source
tree of an editable install. Never the current working directory.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

_PACKAGE = Path(str(resources.files("exolab")))
_BUNDLED = _PACKAGE / "_bundled"
_SOURCE_TREE = _PACKAGE.parent


def data_dir() -> Path:
    """Return the folder holding ``tables.yml`` and the CSV files.

    Returns
    -------
    pathlib.Path
        ``$EXOLAB_DATA_DIR`` if set, else the bundled or source-tree ``data/``.
    """
    override = os.environ.get("EXOLAB_DATA_DIR")
    if override:
        return Path(override).expanduser().resolve()
    if (_BUNDLED / "data" / "tables.yml").is_file():
        return _BUNDLED / "data"
    return _SOURCE_TREE / "data"


def manifest_path() -> Path:
    """Return the path of the lesson manifest ``lessons.yml``.

    Returns
    -------
    pathlib.Path
        ``$EXOLAB_MANIFEST`` if set, else the bundled or source-tree manifest.
    """
    override = os.environ.get("EXOLAB_MANIFEST")
    if override:
        return Path(override).expanduser().resolve()
    if (_BUNDLED / "lessons.yml").is_file():
        return _BUNDLED / "lessons.yml"
    return _SOURCE_TREE / "notebooks" / "lessons.yml"
