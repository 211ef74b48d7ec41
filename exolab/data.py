"""Load, validate and look up the course's curated tables.

Every table is named in one registry, ``data/tables.yml``, which gives its file,
columns, types, controlled vocabularies, keys and foreign keys. Each load is
validated against it; a bad file raises :class:`DataError` naming the file, the
line, the column, the offending value and what is allowed.

Examples
--------
>>> import exolab.data as d
>>> d.list_tables()[:3]                      # doctest: +SKIP
['findings', 'molecules', 'drugs']
>>> d.resolve("PKM2")["molecule_id"]         # doctest: +SKIP
'PKM'
>>> d.findings_for("miR-21").shape[0] > 0    # doctest: +SKIP
True

Hand-written validation rather than pandera/frictionless: both add around a
second of import time and phrase errors per check rather than per cell, while
this course needs every table validated in well under 0.2 s and messages that
name file, line and column (see README, developer notes).
"""
from __future__ import annotations

import csv
import difflib
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ._paths import data_dir

__all__ = ["DataError", "list_tables", "load", "describe", "registry", "schema", "vocabulary",
           "resolve", "findings_for", "clear_cache"]

# libyaml's parser is ~20x faster than the pure-Python one; fall back if absent.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TYPES = ("string", "integer", "number", "boolean", "category", "list")
_TRUE = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class DataError(ValueError):
    """A curated table (or the registry) does not match its schema.

    Attributes
    ----------
    file, line, column, value :
        Where the problem is; ``line`` counts the header as line 1.
    """

    def __init__(self, message: str, *, file=None, line=None, column=None, value=None):
        self.file, self.line, self.column, self.value = file, line, column, value
        where = str(file) if file is not None else "exolab data"
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


# ---------------------------------------------------------------- registry ---

@dataclass(frozen=True)
class _Column:
    name: str
    type: str
    required: bool = False
    unique: bool = False
    levels: tuple | None = None      # enum / vocabulary, in teaching order
    item_type: str = "string"
    pattern: re.Pattern | None = None
    min: float | None = None
    max: float | None = None
    foreign_key: tuple[str, str] | None = None


_cache: dict = {}


def clear_cache() -> None:
    """Forget every loaded table and the registry (e.g. after editing a CSV)."""
    _cache.clear()


def _registry_path() -> Path:
    return data_dir() / "tables.yml"


def registry() -> dict:
    """Return the parsed registry ``tables.yml`` (vocabularies and tables).

    Returns
    -------
    dict
        ``{"vocabularies": {...}, "tables": {...}}`` exactly as written.
    """
    path = _registry_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise DataError(f"registry not found ({exc.strerror}); set EXOLAB_DATA_DIR to a folder "
                        "that holds tables.yml, or reinstall exolab", file=path) from exc
    key = ("registry", str(path))
    hit = _cache.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataError(f"the registry is not valid UTF-8 YAML: {exc}", file=path) from exc
    if not isinstance(doc.get("tables"), dict) or not doc["tables"]:
        raise DataError("the registry needs a non-empty 'tables:' mapping", file=path)
    doc.setdefault("vocabularies", {})
    _cache[key] = (stamp, doc)
    return doc


def list_tables() -> list[str]:
    """Return the names of every table in the registry, in registry order."""
    return list(registry()["tables"])


def vocabulary(name: str) -> list[str]:
    """Return a controlled vocabulary (e.g. ``"theme"``) in teaching order."""
    vocabs = registry()["vocabularies"]
    if name not in vocabs:
        raise DataError(f"unknown vocabulary {name!r}; vocabularies are: {', '.join(vocabs)}",
                        file=_registry_path())
    return list(vocabs[name])


def _unknown_table(name: str) -> DataError:
    names = list_tables()
    close = difflib.get_close_matches(str(name), names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return DataError(f"unknown table {name!r}.{hint} Tables are: {', '.join(names)} "
                     "(list them with exolab.data.list_tables()).", file=_registry_path())


def _table_spec(name: str) -> dict:
    tables = registry()["tables"]
    if name not in tables:
        raise _unknown_table(name)
    return tables[name]


def schema(name: str) -> list[_Column]:
    """Return the validated column specifications of table ``name``."""
    spec = _table_spec(name)
    key = ("schema", str(_registry_path()), name)
    hit = _cache.get(key)
    if hit and hit[0] is spec:
        return hit[1]
    cols = _build_schema(name, spec)
    _cache[key] = (spec, cols)
    return cols


def _build_schema(name: str, spec: dict) -> list[_Column]:
    reg = _registry_path()
    vocabs = registry()["vocabularies"]
    cols = []
    for col, opts in (spec.get("columns") or {}).items():
        opts = opts or {}
        where = f"table {name!r}, column {col!r}"
        ctype = opts.get("type")
        if ctype not in _TYPES:
            raise DataError(f"{where}: type {ctype!r} is not one of {', '.join(_TYPES)}", file=reg)
        levels = None
        if "vocabulary" in opts:
            if opts["vocabulary"] not in vocabs:
                raise DataError(f"{where}: vocabulary {opts['vocabulary']!r} is not defined; "
                                f"defined: {', '.join(vocabs)}", file=reg)
            levels = tuple(str(v) for v in vocabs[opts["vocabulary"]])
        elif "enum" in opts:
            levels = tuple(str(v) for v in opts["enum"])
        if ctype == "category" and not levels:
            raise DataError(f"{where}: a category column needs 'enum:' or 'vocabulary:'", file=reg)
        fk = None
        if opts.get("foreign_key"):
            parts = str(opts["foreign_key"]).split(".")
            if len(parts) != 2:
                raise DataError(f"{where}: foreign_key must look like 'table.column', got "
                                f"{opts['foreign_key']!r}", file=reg)
            fk = (parts[0], parts[1])
        item_type = opts.get("item_type", "string")
        if ctype == "list" and item_type not in ("string", "integer", "number"):
            raise DataError(f"{where}: item_type {item_type!r} must be string, integer or number", file=reg)
        cols.append(_Column(
            name=col, type=ctype, required=bool(opts.get("required", False)),
            unique=bool(opts.get("unique", False)) or col == spec.get("primary_key"),
            levels=levels, item_type=item_type,
            pattern=re.compile(opts["pattern"]) if opts.get("pattern") else None,
            min=opts.get("min"), max=opts.get("max"), foreign_key=fk))
    if not cols:
        raise DataError(f"table {name!r} has no columns in the registry", file=reg)
    pk = spec.get("primary_key")
    if pk and pk not in {c.name for c in cols}:
        raise DataError(f"table {name!r}: primary_key {pk!r} is not one of its columns", file=reg)
    for c in cols:
        if c.name == pk and not c.required:
            object.__setattr__(c, "required", True)
    return cols


# ----------------------------------------------------------------- parsing ---

def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DataError("file not found; the registry names it but it is missing from the data "
                        "folder", file=path) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        bad = raw[exc.start:exc.start + 4]
        raise DataError(f"bytes {bad!r} are not UTF-8; re-save the file as UTF-8 "
                        "(in a spreadsheet: 'CSV UTF-8')", file=path, line=line) from exc
    return text.removeprefix("\ufeff")


def _convert(value: str, col: _Column, kind: str, path: Path, line: int):
    """Convert one non-empty cell (or list item) of type ``kind``."""
    def fail(expected: str):
        raise DataError(f"value {value!r} is not {expected}", file=path, line=line,
                        column=col.name, value=value)

    if kind == "integer":
        try:
            out = int(value)
        except ValueError:
            fail("a whole number")
    elif kind == "number":
        try:
            out = float(value)
        except ValueError:
            fail("a number (use '.' as the decimal mark)")
        if not math.isfinite(out):
            fail("a finite number")
    elif kind == "boolean":
        if value.lower() not in _TRUE:
            fail("true or false")
        return _TRUE[value.lower()]
    else:
        out = value
    if kind in ("integer", "number"):
        if col.min is not None and out < col.min:
            raise DataError(f"value {value} is below the minimum {col.min}", file=path, line=line,
                            column=col.name, value=value)
        if col.max is not None and out > col.max:
            raise DataError(f"value {value} is above the maximum {col.max}", file=path, line=line,
                            column=col.name, value=value)
    if col.levels is not None and kind in ("string", "category") and value not in col.levels:
        close = difflib.get_close_matches(value, col.levels, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"value {value!r} is not allowed.{hint} Allowed: {', '.join(col.levels)}",
                        file=path, line=line, column=col.name, value=value)
    if col.pattern is not None and not col.pattern.fullmatch(value):
        raise DataError(f"value {value!r} does not match the pattern {col.pattern.pattern!r}",
                        file=path, line=line, column=col.name, value=value)
    return out


def _parse(name: str) -> tuple[pd.DataFrame, list[int], dict[str, list], Path]:
    """Parse and type-check one CSV; return the frame, source lines and raw column values."""
    spec = _table_spec(name)
    cols = schema(name)
    path = data_dir() / spec["file"]
    text = _read_text(path)
    if not text.strip():
        raise DataError(f"the file is empty; it needs at least the header line: "
                        f"{','.join(c.name for c in cols)}", file=path, line=1)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    expected = [c.name for c in cols]
    if header != expected:
        twice = sorted({c for c in header if header.count(c) > 1})
        if twice:
            raise DataError(f"column(s) {', '.join(map(repr, twice))} appear more than once in the header; "
                            f"the header must be: {','.join(expected)}", file=path, line=1, column=twice[0])
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        if missing:
            raise DataError(f"missing column(s) {', '.join(map(repr, missing))}; the header must be: "
                            f"{','.join(expected)}", file=path, line=1, column=missing[0])
        if extra:
            raise DataError(f"unexpected column(s) {', '.join(map(repr, extra))}; add them to "
                            f"tables.yml or remove them. Expected: {','.join(expected)}",
                            file=path, line=1, column=extra[0])
        raise DataError(f"columns are out of order; the header must be: {','.join(expected)}",
                        file=path, line=1)
    rows: list[list[str]] = []
    lines: list[int] = []
    width = len(cols)
    end = reader.line_num
    for row in reader:
        # A quoted cell may span lines; errors point at the line where the record starts,
        # which is where an unclosed quote was opened.
        start, end = end + 1, reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue  # blank line at the end of a hand-edited file
        if len(row) != width:
            if end > start:
                raise DataError(f"the record starting here runs on to line {end} and has {len(row)} cells "
                                f"(the header has {width}); a quote (\") opened on this line is probably "
                                "not closed", file=path, line=start)
            raise DataError(f"has {len(row)} cells but the header has {width}; check for an "
                            "unquoted comma", file=path, line=start)
        rows.append(row)
        lines.append(start)
    if not rows:
        raise DataError("has its header line but no rows; add at least one row (or restore the file "
                        "from the course repository)", file=path, line=1)
    # Column by column: one specialised loop per column is several times faster
    # than a generic per-cell routine, which keeps every table under budget.
    columns = list(zip(*rows)) if rows else [() for _ in cols]
    frame: dict[str, object] = {}
    raw: dict[str, list] = {}
    for col, cells in zip(cols, columns):
        values = _column_values(col, cells, lines, path)
        raw[col.name] = values
        frame[col.name] = _column_array(col, values)
    return pd.DataFrame(frame), lines, raw, path


def _column_values(col: _Column, cells, lines: list[int], path: Path) -> list:
    out: list = []
    append = out.append
    plain = col.type == "string" and col.levels is None and col.pattern is None
    seen: dict[str, int] = {}
    for cell, line in zip(cells, lines):
        cell = cell.strip()
        if not cell:
            if col.required:
                raise DataError("is empty but required", file=path, line=line, column=col.name)
            append(() if col.type == "list" else None)
            continue
        if col.unique:
            first = seen.setdefault(cell, line)
            if first != line:
                raise DataError(f"value {cell!r} is duplicated (first on line {first}); it must be "
                                "unique", file=path, line=line, column=col.name, value=cell)
        if plain:
            append(cell)
        elif col.type == "list":
            items = [i.strip() for i in cell.split("|")]
            if "" in items:
                raise DataError(f"value {cell!r} has an empty item; separate items with a single '|'",
                                file=path, line=line, column=col.name, value=cell)
            append(tuple(_convert(i, col, col.item_type, path, line) for i in items))
        else:
            append(_convert(cell, col, col.type, path, line))
    return out


def _column_array(col: _Column, values: list):
    if col.type == "string":
        return pd.array(values, dtype="string")
    if col.type == "integer":
        return pd.array(values, dtype="Int64")
    if col.type == "number":
        return pd.array(values, dtype="Float64")
    if col.type == "boolean":
        return pd.array(values, dtype="boolean")
    if col.type == "category":
        # Codes from a dict lookup: values were already checked against the levels.
        position = {level: i for i, level in enumerate(col.levels)}
        codes = [-1 if v is None else position[v] for v in values]
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(col.levels), ordered=True))
    return pd.Series(values, dtype=object)


def _check_foreign_keys(name: str, raw: dict[str, list], lines: list[int], path: Path, stack: tuple) -> None:
    for col in schema(name):
        if not col.foreign_key:
            continue
        table, key = col.foreign_key
        if table == name:
            allowed = {v for v in raw[key] if v is not None}
        else:
            if table in stack:
                continue  # a cycle: the other side checks this link
            target = _load_validated(table, stack + (name,))
            if key not in target.columns:
                raise DataError(f"table {name!r}, column {col.name!r}: foreign key names "
                                f"{table}.{key}, which does not exist", file=_registry_path())
            allowed = _cache[("keys", str(data_dir()), table, key)] if ("keys", str(data_dir()), table, key) in _cache \
                else _cache.setdefault(("keys", str(data_dir()), table, key), set(target[key].dropna()))
        for i, cell in enumerate(raw[col.name]):
            for item in (cell if col.type == "list" else (cell,)):
                if item is None or item in allowed:
                    continue
                close = difflib.get_close_matches(str(item), [str(a) for a in allowed], n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise DataError(f"value {item!r} is not a {key} in table {table!r}.{hint} "
                                f"Add it to {table} or correct the reference.",
                                file=path, line=lines[i], column=col.name, value=item)


def _load_validated(name: str, stack: tuple = ()) -> pd.DataFrame:
    spec = _table_spec(name)
    folder = data_dir()
    path = folder / spec["file"]
    try:
        stamp = (path.stat().st_mtime_ns, _registry_path().stat().st_mtime_ns)
    except OSError:
        stamp = None
    key = ("table", str(folder), name)
    hit = _cache.get(key)
    if hit and stamp is not None and hit[0] == stamp:
        return hit[1]
    for k in [k for k in _cache if k[0] == "keys" and k[2] == name]:
        del _cache[k]  # the table changed: key sets derived from it are stale
    df, lines, raw, path = _parse(name)
    _check_foreign_keys(name, raw, lines, path, stack)
    _cache[key] = (stamp, df)
    return df


def load(name: str) -> pd.DataFrame:
    """Return table ``name`` as a validated DataFrame.

    Parameters
    ----------
    name : str
        A table in the registry (see :func:`list_tables`).

    Returns
    -------
    pandas.DataFrame
        Nullable dtypes (``string``, ``Int64``, ``Float64``, ``boolean``),
        ordered categoricals for controlled vocabularies, and tuples for
        pipe-separated list columns. A fresh copy each call.

    Raises
    ------
    DataError
        If the file breaks its schema; the message names file, line and column.
    """
    return _load_validated(str(name)).copy()


def describe(name: str) -> str:
    """Return the Markdown description of table ``name`` with live counts.

    ``{{rows}}`` in the description file is replaced by the number of rows.
    """
    spec = _table_spec(name)
    if not spec.get("description"):
        raise DataError(f"table {name!r} names no description file", file=_registry_path())
    path = data_dir() / spec["description"]
    text = _read_text(path)
    return text.replace("{{rows}}", str(len(_load_validated(name))))


def _make_loader(table: str):
    def loader() -> pd.DataFrame:
        return load(table)
    loader.__name__ = f"load_{table}"
    loader.__doc__ = (f"Return the ``{table}`` table as a validated DataFrame.\n\n"
                      f"See ``exolab.data.describe({table!r})`` for its columns.")
    return loader


# One explicit loader per public table (tab completion and docs see them);
# tables an instructor adds to the registry get theirs through __getattr__.
_PUBLIC_TABLES = ("findings", "molecules", "drugs", "cancers", "cell_types", "cell_lines", "pathways",
                  "references", "vesicle_classes", "markers", "biogenesis_steps", "isolation_methods",
                  "uptake_routes", "therapeutics", "glossary", "rotors")
for _t in _PUBLIC_TABLES:
    globals()[f"load_{_t}"] = _make_loader(_t)
    __all__.append(f"load_{_t}")


def __getattr__(attr: str):
    if attr.startswith("load_") and attr[5:] in list_tables():
        return _make_loader(attr[5:])
    raise AttributeError(f"module 'exolab.data' has no attribute {attr!r}")


# ------------------------------------------------------------------ lookup ---

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa"}
# (table, id column, columns searched for names/aliases) in priority order.
_LOOKUP = (
    ("molecules", "molecule_id", ("molecule_id", "name", "approved_symbol", "identifier", "aliases")),
    ("drugs", "drug_id", ("drug_id", "name", "chebi_label", "chebi_id")),
    ("cancers", "cancer_id", ("cancer_id", "name", "abbreviation", "doid", "doid_label")),
    ("cell_types", "cell_type_id", ("cell_type_id", "name", "cl_id", "cl_label")),
    ("pathways", "pathway_id", ("pathway_id", "name")),
    ("glossary", "term_id", ("term_id", "term")),
)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    for letter, word in _GREEK.items():
        text = text.replace(letter, word)
    text = re.sub(r"^hsa-", "", text)
    text = text.replace("microrna", "mir")
    return re.sub(r"[^0-9a-z]", "", text)


def _index() -> dict[str, tuple[str, str]]:
    key = ("index", str(data_dir()))
    tables = set(list_tables())
    stamp = tuple((t, _cache.get(("table", str(data_dir()), t), (None,))[0]) for t, *_ in _LOOKUP
                  if t in tables)
    hit = _cache.get(key)
    if hit and hit[0] == stamp and all(s is not None for _, s in stamp):
        return hit[1]
    index: dict[str, tuple[str, str]] = {}
    for table, id_col, cols in _LOOKUP:
        if table not in tables:
            continue
        df = _load_validated(table)
        present = [c for c in cols if c in df.columns]
        for row in df[[id_col, *[c for c in present if c != id_col]]].itertuples(index=False):
            ident = row[0]
            for cell in row:
                for name in (cell if isinstance(cell, tuple) else (cell,)):
                    if isinstance(name, str) and name:
                        index.setdefault(_norm(name), (table, ident))
    stamp = tuple((t, _cache.get(("table", str(data_dir()), t), (None,))[0]) for t, *_ in _LOOKUP
                  if t in tables)
    _cache[key] = (stamp, index)
    return index


def resolve(name: str) -> pd.Series:
    """Find the row a name refers to, across molecules, drugs, cancers, cells, pathways, glossary.

    Matching ignores case, hyphens, spaces, a ``hsa-`` prefix and Greek-letter
    spelling, and uses every alias, so ``"PKM2"``, ``"pd-l1"``, ``"ALIX"`` and
    ``"PGC-1alpha"`` all resolve.

    Parameters
    ----------
    name : str
        A name, alias, abbreviation or identifier.

    Returns
    -------
    pandas.Series
        The matching row, plus ``table`` (which table it is from).

    Raises
    ------
    LookupError
        If nothing matches; the message suggests close names.
    """
    index = _index()
    key = _norm(name)
    if not key or key not in index:
        close = difflib.get_close_matches(key, list(index), n=3)
        suggestions = sorted({index[c][1] for c in close})
        hint = f" Close matches: {', '.join(suggestions)}." if suggestions else ""
        raise LookupError(f"no molecule, drug, cancer, cell type, pathway or glossary term is called "
                          f"{name!r}.{hint} Browse names with exolab.data.load('molecules').")
    table, ident = index[key]
    df = _load_validated(table)
    id_col = next(c for t, c, _ in _LOOKUP if t == table)
    row = df.loc[df[id_col] == ident].iloc[0].copy()
    row["table"] = table
    return row


_FINDINGS_COLUMN = {"molecules": ("cargo", "target"), "drugs": ("drug",), "cancers": ("cancer_type",),
                    "cell_types": ("donor_cell", "recipient_cell"), "pathways": ("pathway",)}


def findings_for(name: str) -> pd.DataFrame:
    """Return every finding that involves ``name`` (alias-aware).

    A molecule matches as cargo or target; a drug, cancer, cell type or pathway
    matches its column in ``findings``.

    Parameters
    ----------
    name : str
        Anything :func:`resolve` understands, e.g. ``"miR-21"`` or ``"PKM2"``.

    Returns
    -------
    pandas.DataFrame
        Matching rows of ``findings`` (possibly empty for a glossary term).
    """
    row = resolve(name)
    findings = load("findings")
    cols = _FINDINGS_COLUMN.get(row["table"], ())
    ident = row[next(c for t, c, _ in _LOOKUP if t == row["table"])]
    mask = pd.Series(False, index=findings.index)
    for col in cols:
        mask |= findings[col].astype("string").eq(ident).fillna(False)
    return findings.loc[mask].reset_index(drop=True)
