"""Pure pandas queries over the knowledge base: the logic behind the explorers.

Every function reads the validated tables through :mod:`exolab.data` (which
caches them) and returns plain DataFrames or dicts, so lessons can call them
directly and tests can check them without a widget in sight.

Examples
--------
>>> from exolab import query as q
>>> q.filter_findings(text="PKM2").shape[0] > 0        # doctest: +SKIP
True
>>> q.citation_table(q.filter_findings(theme="metabolism")).columns.tolist()  # doctest: +SKIP
['id', 'finding', 'cargo', 'effect', 'cells', 'cancer', 'source']
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import data as _data
from .data import DataError

__all__ = ["THEME_LESSONS", "ANY", "filter_findings", "citation_table", "summarise",
           "communication_matrix", "findings_between", "resistance_matrix_table",
           "resistance_cell", "molecule_profile", "counts_by_theme", "kb_overview",
           "references_for", "format_source", "display_name", "filter_options"]

#: Which lesson teaches each theme (metastasis and angiogenesis share one).
THEME_LESSONS = {
    "biogenesis": "01_biogenesis",
    "metabolism": "02_metabolic_reprogramming",
    "immunity": "03_immunity",
    "drug_resistance": "04_drug_resistance",
    "metastasis": "05_metastasis_and_angiogenesis",
    "angiogenesis": "05_metastasis_and_angiogenesis",
    "therapy": "06_therapeutics_and_biomarkers",
}

#: The "no filter" choice shown in explorer dropdowns; accepted by every filter.
ANY = "(any)"

# findings column -> (lookup table, its key column) for display names.
_LINKS = {
    "cargo": ("molecules", "molecule_id"),
    "target": ("molecules", "molecule_id"),
    "donor_cell": ("cell_types", "cell_type_id"),
    "recipient_cell": ("cell_types", "cell_type_id"),
    "cancer_type": ("cancers", "cancer_id"),
    "drug": ("drugs", "drug_id"),
    "pathway": ("pathways", "pathway_id"),
}
# resolve() table -> findings columns a resolved id is matched against.
_RESOLVED_COLUMNS = {"molecules": ("cargo", "target"), "drugs": ("drug",),
                     "cancers": ("cancer_type",), "cell_types": ("donor_cell", "recipient_cell"),
                     "pathways": ("pathway",)}
_FILTERS = ("theme", "cargo_class", "cancer_type", "donor_cell", "recipient_cell", "pathway", "effect")
_MAX_TEXT = 500  # longer search text is cut: nothing in the tables is that long


# ----------------------------------------------------------------- helpers ---

def _table(name: str) -> pd.DataFrame:
    """The cached, validated table (read-only); empty if the registry does not name it yet."""
    if name not in _data.list_tables():
        return pd.DataFrame()
    # The cached frame, not load()'s deep copy: explorers query it on every
    # keystroke and nothing here mutates it. A shallow copy without attrs, because
    # pandas deep-copies attrs (the loader's line numbers) into every derived object.
    raw = _data._load_validated(name)
    hit = _CLEAN.get(name)
    if hit is None or hit[0] is not raw:
        clean = raw.copy(deep=False)
        clean.attrs = {}
        hit = _CLEAN[name] = (raw, clean)
    return hit[1]


_CLEAN: dict = {}


def _names(table: str, key: str) -> dict:
    """Map id -> display name for a lookup table (memoised per loaded version)."""
    df = _table(table)
    hit = _NAME_CACHE.get(table)
    if hit and hit[0] is df:  # same cached frame -> same names
        return hit[1]
    out = {}
    if not df.empty and key in df.columns:
        names = df["name"] if "name" in df.columns else df[key]
        out = {k: (n if isinstance(n, str) and n else k) for k, n in zip(df[key], names)}
    _NAME_CACHE[table] = (df, out)
    return out


_NAME_CACHE: dict = {}


def _lookups() -> dict:
    """Column -> {id: display name} for every linked findings column, fetched once per call.

    Fetching each table costs a few file-system checks (exolab.data revalidates
    on change), so queries take one snapshot instead of one per cell.
    """
    per_table = {}
    out = {}
    for col, (table, key) in _LINKS.items():
        if table not in per_table:
            per_table[table] = _names(table, key)
        out[col] = per_table[table]
    return out


def _dn(lk: dict, column: str, value) -> str:
    """display_name() against a snapshot from _lookups()."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    names = lk.get(column)
    return str(value) if names is None else names.get(value, str(value))


def display_name(column: str, value) -> str:
    """Return the student-facing name of an id in a findings ``column``.

    Parameters
    ----------
    column : str
        A findings column such as ``"cargo"`` or ``"donor_cell"``.
    value : str
        The id; unknown ids and other columns come back unchanged.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    link = _LINKS.get(column)
    if link is None:
        return str(value)
    return _names(*link).get(value, str(value))


def _findings(data) -> pd.DataFrame:
    return _table("findings") if data is None else data


def _as_list(value) -> list | None:
    """Normalise a filter value: None/ANY/empty -> None (no filter), else a list."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        value = [value]
    items = [v for v in value if v is not None and v != ANY and v != ""]
    return items or None


def _ids_for(column: str, values: list) -> set:
    """Accept ids or display names/aliases for a linked column."""
    out = set()
    link = _LINKS.get(column)
    names = _lookups()[column] if link else {}
    by_name = {str(n).lower(): k for k, n in names.items()}
    for v in values:
        v = str(v)
        out.add(v)
        if link and v not in names:
            if v.lower() in by_name:
                out.add(by_name[v.lower()])
            else:
                hit = _resolve_id(v)
                if hit and hit[0] == link[0]:
                    out.add(hit[1])
    return out


def _resolve_id(text: str) -> tuple[str, str] | None:
    """(table, id) that ``text`` names, using exolab.data's cached name index."""
    greek = getattr(_data, "_GREEK", {})
    if any(ch.isalpha() and ord(ch) > 127 and ch.lower() not in greek for ch in text):
        # The resolver drops letters it cannot spell out, so "café" would turn
        # into "caf" (a cell type); such text is searched as a substring only.
        return None
    try:
        key = _data._norm(text)
        return _data._index().get(key) if key else None
    except (DataError, LookupError, AttributeError):
        return None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).casefold()


_HAY: dict = {}


def _haystack(df: pd.DataFrame) -> pd.Series:
    """One case-folded search string per finding: claim, cargo as written, names."""
    hit = _HAY.get("last")
    if hit is not None and hit[0] is df:  # the cached findings: build once, not per keystroke
        return hit[1]
    hay = _build_haystack(df)
    _HAY["last"] = (df, hay)
    return hay


def _build_haystack(df: pd.DataFrame) -> pd.Series:
    lk = _lookups()
    parts = []
    for col in ("claim", "cargo_in_source", "condition", "cargo", "target"):
        if col in df.columns:
            parts.append(df[col].astype("string").fillna(""))
    for col in ("cargo", "target", "donor_cell", "recipient_cell", "cancer_type", "drug", "pathway"):
        if col in df.columns:
            parts.append(df[col].map(lambda v, c=col: _dn(lk, c, v)).astype("string"))
    if not parts:
        return pd.Series("", index=df.index, dtype="string")
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + " \n " + p
    return joined.map(_fold)


def _cell_matches(series: pd.Series, allowed: set) -> pd.Series:
    """True where a cell (or any item of a tuple cell) is in ``allowed``."""
    if series.dtype != object:  # plain string / categorical column: vectorised
        return series.astype("string").isin([str(a) for a in allowed]).fillna(False).astype(bool)

    def hit(v):
        if isinstance(v, tuple):
            return any(str(i) in allowed for i in v)
        return v is not None and not (not isinstance(v, str) and pd.isna(v)) and str(v) in allowed
    return series.map(hit).astype(bool)


# ----------------------------------------------------------------- queries ---

def filter_findings(data=None, *, theme=None, cargo_class=None, cancer_type=None, donor_cell=None,
                    recipient_cell=None, pathway=None, effect=None, text=None) -> pd.DataFrame:
    """Return the findings that pass every given filter.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Findings to filter (default: the whole ``findings`` table).
    theme, cargo_class, cancer_type, donor_cell, recipient_cell, pathway, effect : str or list, optional
        Keep rows whose column is one of these values. ``None``, ``"(any)"`` or
        an empty list means no filter; linked columns also accept display names.
    text : str, optional
        Free text. A name :func:`exolab.data.resolve` knows (``"PKM2"``,
        ``"ALIX"``, ``"PD-L1"``) selects that molecule's rows as cargo or target
        (or the drug's, cancer's, cell's, pathway's rows); any text also matches
        as a case-insensitive substring of the claim, the cargo as written in the
        source and the display names. Taken literally, never as a regex.

    Returns
    -------
    pandas.DataFrame
        Matching findings, original order, fresh 0..n-1 index.
    """
    df = _findings(data)
    if df.empty:
        return df.iloc[0:0].reset_index(drop=True)
    mask = pd.Series(True, index=df.index)
    given = dict(theme=theme, cargo_class=cargo_class, cancer_type=cancer_type, donor_cell=donor_cell,
                 recipient_cell=recipient_cell, pathway=pathway, effect=effect)
    for col, value in given.items():
        values = _as_list(value)
        if values is None:
            continue
        if col not in df.columns:
            mask &= False
            continue
        mask &= _cell_matches(df[col], _ids_for(col, values))
    if text is not None and str(text).strip():
        needle = str(text).strip()[:_MAX_TEXT]
        text_mask = _haystack(df).str.contains(_fold(needle), regex=False)
        hit = _resolve_id(needle)
        if hit and hit[0] in _RESOLVED_COLUMNS:
            for col in _RESOLVED_COLUMNS[hit[0]]:
                if col in df.columns:
                    text_mask |= _cell_matches(df[col], {hit[1]})
        mask &= text_mask.fillna(False).astype(bool)
    out = df.loc[mask].reset_index(drop=True)
    out.attrs = {}
    return out


def filter_options(column: str, data=None) -> list[tuple[str, str]]:
    """Return ``(label, value)`` choices for a findings column, in a stable order.

    Vocabulary columns keep teaching order; linked columns are labelled with
    display names and sorted by them. Only values that occur are listed.
    """
    df = _findings(data)
    if df.empty or column not in df.columns:
        return []
    present = pd.Series([v for cell in df[column].dropna()
                         for v in (cell if isinstance(cell, tuple) else (cell,))]).unique()
    if isinstance(df[column].dtype, pd.CategoricalDtype):
        order = [c for c in df[column].cat.categories if c in set(present)]
        return [(str(c), str(c)) for c in order]
    lk = _lookups()
    pairs = [(_dn(lk, column, v), str(v)) for v in present]
    return sorted(pairs, key=lambda p: (p[0].casefold(), p[1]))


def _authors_short(authors) -> str:
    if not isinstance(authors, str) or not authors.strip():
        return ""
    people = [a.strip() for a in authors.split(";") if a.strip()]
    surname = people[0].split()[0] if people[0].split() else people[0]
    return surname if len(people) == 1 else f"{surname} et al."


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:") + "…"


def _refs_text(refs) -> str:
    items = sorted({int(r) for r in refs}) if isinstance(refs, tuple) else []
    if not items:
        return ""
    return ("ref " if len(items) == 1 else "refs ") + ", ".join(map(str, items))


def _source_names() -> dict:
    """ref_key -> "Surname et al." (memoised per loaded references table)."""
    refs_df = _table("references")
    hit = _NAME_CACHE.get("_sources")
    if hit and hit[0] is refs_df:
        return hit[1]
    out = {}
    if {"ref_key", "authors"} <= set(refs_df.columns):
        out = {k: _authors_short(a) for k, a in zip(refs_df["ref_key"], refs_df["authors"])}
    _NAME_CACHE["_sources"] = (refs_df, out)
    return out


def format_source(source, section=None, refs=()) -> str:
    """Format a citation such as ``"Mohammed et al., §Exosomal proteins…, refs 71, 72"``.

    Parameters
    ----------
    source : str
        A ``references.ref_key``; the first author's surname is shown.
    section : str, optional
        The review's section heading (shortened to about 40 characters).
    refs : tuple of int, optional
        The review's own reference numbers.
    """
    return _format_source(_source_names(), source, section, refs)


def _format_source(sources: dict, source, section=None, refs=()) -> str:
    if source is None or (not isinstance(source, str) and pd.isna(source)):
        return ""
    parts = [sources.get(source) or str(source)]
    if isinstance(section, str) and section.strip():
        parts.append("§" + _shorten(section))
    if _refs_text(refs):
        parts.append(_refs_text(refs))
    return ", ".join(parts)


def _get(row, col):
    v = row.get(col) if hasattr(row, "get") else None
    if v is None or (not isinstance(v, (str, tuple)) and pd.isna(v)):
        return None
    return v


def citation_table(findings: pd.DataFrame) -> pd.DataFrame:
    """Return a tidy, student-facing table of findings with formatted sources.

    Parameters
    ----------
    findings : pandas.DataFrame
        Rows of the ``findings`` table (e.g. from :func:`filter_findings`).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``finding`` (the claim), ``cargo`` (display name, or the
        wording of the source when no molecule is linked), ``effect``
        (``"promotes glycolysis up"`` style), ``cells`` (``"donor → recipient"``),
        ``cancer`` and ``source`` (``"Mohammed et al., §…, refs 71, 72"``).
    """
    columns = ["id", "finding", "cargo", "effect", "cells", "cancer", "source"]
    lk, sources = _lookups(), _source_names()
    needed = ["finding_id", "claim", "cargo", "cargo_in_source", "effect", "direction", "donor_cell",
              "recipient_cell", "cancer_type", "source", "section", "refs"]
    rows = []
    for r in findings[[c for c in needed if c in findings.columns]].to_dict("records"):
        cargo = _dn(lk, "cargo", _get(r, "cargo")) or (_get(r, "cargo_in_source") or "")
        effect = str(_get(r, "effect") or "").replace("_", " ")
        if _get(r, "direction") and effect:
            effect = f"{_get(r, 'direction')} {effect}"
        donor = _dn(lk, "donor_cell", _get(r, "donor_cell"))
        recipient = _dn(lk, "recipient_cell", _get(r, "recipient_cell"))
        cells = f"{donor or '?'} → {recipient or '?'}" if (donor or recipient) else ""
        rows.append({
            "id": str(_get(r, "finding_id") or ""),
            "finding": str(_get(r, "claim") or ""),
            "cargo": str(cargo),
            "effect": effect,
            "cells": cells,
            "cancer": _dn(lk, "cancer_type", _get(r, "cancer_type")),
            "source": _format_source(sources, _get(r, "source"), _get(r, "section"), _get(r, "refs") or ()),
        })
    return pd.DataFrame(rows, columns=columns)


def summarise(findings: pd.DataFrame, by: str = "theme") -> pd.DataFrame:
    """Count findings per value of one column.

    Parameters
    ----------
    findings : pandas.DataFrame
        Findings rows.
    by : str
        Column to group by, e.g. ``"theme"``, ``"cargo_class"`` or ``"cancer_type"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``label`` (display name) and ``findings`` (count); only
        values that occur, in teaching order for vocabularies, else by count.
    """
    if by not in findings.columns:
        raise KeyError(f"findings have no column {by!r}; columns: {', '.join(findings.columns)}")
    values = [v for cell in findings[by].dropna()
              for v in (cell if isinstance(cell, tuple) else (cell,))]
    counts = pd.Series(values, dtype=object).value_counts()
    lk = _lookups()
    if isinstance(findings[by].dtype, pd.CategoricalDtype):
        order = [c for c in findings[by].cat.categories if c in counts.index]
    else:
        order = sorted(counts.index, key=lambda v: (-counts[v], str(v)))
    return pd.DataFrame({by: [str(v) for v in order],
                         "label": [_dn(lk, by, v) for v in order],
                         "findings": [int(counts[v]) for v in order]},
                        columns=[by, "label", "findings"])


def communication_matrix(theme=None, effect=None, *, data=None) -> pd.DataFrame:
    """Count findings per donor × recipient cell type.

    Parameters
    ----------
    theme, effect : str or list, optional
        Filters as in :func:`filter_findings`.
    data : pandas.DataFrame, optional
        Findings to count (default: the whole table).

    Returns
    -------
    pandas.DataFrame
        Integer counts; index = donor display names (``"donor"``), columns =
        recipient display names (``"recipient"``); empty if nothing matches.
    """
    df = filter_findings(data, theme=theme, effect=effect)
    if df.empty or not {"donor_cell", "recipient_cell"} <= set(df.columns):
        return pd.DataFrame(dtype=int).rename_axis(index="donor", columns="recipient")
    pairs = df[["donor_cell", "recipient_cell"]].dropna()
    lk = _lookups()
    counts = Counter((_dn(lk, "donor_cell", a), _dn(lk, "recipient_cell", b))
                     for a, b in zip(pairs["donor_cell"], pairs["recipient_cell"]))
    # Curated cell_types order (cancer cells first) reads better than A-Z.
    rank = {n: i for i, n in enumerate(dict.fromkeys(lk["donor_cell"].values()))}
    key = lambda n: (rank.get(n, len(rank)), n)  # noqa: E731
    donors = sorted({a for a, _ in counts}, key=key)
    recips = sorted({b for _, b in counts}, key=key)
    # Counter + numpy rather than pd.crosstab: about ten times faster per keystroke.
    grid = np.zeros((len(donors), len(recips)), dtype=int)
    di, ri = {n: i for i, n in enumerate(donors)}, {n: i for i, n in enumerate(recips)}
    for (a, b), n in counts.items():
        grid[di[a], ri[b]] = n
    return pd.DataFrame(grid, index=pd.Index(donors, name="donor"),
                        columns=pd.Index(recips, name="recipient"))


def findings_between(donor, recipient, theme=None, effect=None, *, data=None) -> pd.DataFrame:
    """Return the findings behind one cell of :func:`communication_matrix`.

    ``donor`` and ``recipient`` may be ids or display names (as shown in the matrix).
    """
    return filter_findings(data, theme=theme, effect=effect, donor_cell=donor, recipient_cell=recipient)


def _explode(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """One row per item when a column holds tuples (list columns)."""
    if df[col].map(lambda v: isinstance(v, tuple)).any():
        df = df.explode(col)
    return df


def _resistance_rows(data=None) -> pd.DataFrame:
    df = _findings(data)
    if df.empty or not {"drug", "resistance_mechanism"} <= set(df.columns):
        return df.iloc[0:0]
    df = _explode(_explode(df, "drug"), "resistance_mechanism")
    return df.loc[df["drug"].notna() & df["resistance_mechanism"].notna()]


def resistance_matrix_table(*, data=None) -> pd.DataFrame:
    """Count findings per drug × resistance mechanism.

    Returns
    -------
    pandas.DataFrame
        Integer counts; index = drug display names (``"drug"``), columns = the
        mechanisms that occur, in vocabulary order (``"mechanism"``).
    """
    df = _resistance_rows(data)
    if df.empty:
        return pd.DataFrame(dtype=int).rename_axis(index="drug", columns="mechanism")
    lk = _lookups()
    drugs = df["drug"].map(lambda v: _dn(lk, "drug", v)).rename("drug")
    mechs = df["resistance_mechanism"].astype(str).rename("mechanism")
    table = pd.crosstab(drugs, mechs)
    try:
        order = [m for m in _data.vocabulary("resistance_mechanism") if m in table.columns]
    except DataError:
        order = []
    order += [m for m in table.columns if m not in order]
    return table[order].astype(int)


def resistance_cell(drug, mechanism, *, data=None) -> pd.DataFrame:
    """Return the long table behind one drug × mechanism cell: cargo and cancers.

    Parameters
    ----------
    drug : str or list
        Drug id or display name; ``None`` or ``"(any)"`` means every drug.
    mechanism : str or list
        A ``resistance_mechanism`` value; ``None`` or ``"(any)"`` means every one.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``cargo``, ``cargo_class``, ``cancer``, ``finding``, ``source``.
    """
    df = _resistance_rows(data)
    columns = ["id", "cargo", "cargo_class", "cancer", "finding", "source"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    drugs, mechs = _as_list(drug), _as_list(mechanism)
    if drugs is not None:
        df = df.loc[_cell_matches(df["drug"], _ids_for("drug", drugs))]
    if mechs is not None:
        df = df.loc[df["resistance_mechanism"].astype(str).isin([str(m) for m in mechs])]
    cites = citation_table(df)
    return pd.DataFrame({"id": cites["id"], "cargo": cites["cargo"],
                         "cargo_class": df["cargo_class"].astype(str).tolist() if "cargo_class" in df else "",
                         "cancer": cites["cancer"], "finding": cites["finding"],
                         "source": cites["source"]}, columns=columns).reset_index(drop=True)


def _norm_key(text) -> str:
    try:
        return _data._norm(text)
    except AttributeError:  # pragma: no cover - data module without _norm
        return re.sub(r"[^0-9a-z]", "", str(text).lower())


def _glossary_index() -> list[tuple[dict, set]]:
    """(term, normalised related-molecule names) per glossary row, memoised per loaded table."""
    gloss = _table("glossary")
    hit = _NAME_CACHE.get("_glossary")
    if hit and hit[0] is gloss:
        return hit[1]
    out = []
    if not gloss.empty and "related_molecules" in gloss.columns:
        for g in gloss.to_dict("records"):
            related = g["related_molecules"] if isinstance(g["related_molecules"], tuple) else ()
            term = {"term_id": str(g["term_id"]), "term": str(g.get("term") or ""),
                    "definition": str(g.get("definition") or ""), "lesson": str(g.get("lesson") or "")}
            out.append((term, {_norm_key(m) for m in related}))
    _NAME_CACHE["_glossary"] = (gloss, out)
    return out


def molecule_profile(name: str) -> dict:
    """Gather what the knowledge base says about one molecule.

    Parameters
    ----------
    name : str
        Any name :func:`exolab.data.resolve` understands (``"PKM2"``, ``"ALIX"``).

    Returns
    -------
    dict
        ``molecule_id``, ``name``, ``kind``, ``identifiers`` (list of
        ``{"namespace", "id"}``), ``aliases`` (list), ``findings`` (DataFrame
        with ``role`` and ``lesson`` columns), ``by_lesson`` (lesson id -> list
        of finding ids, course order) and ``glossary`` (list of dicts with
        ``term_id``, ``term``, ``definition``, ``lesson``).

    Raises
    ------
    LookupError
        If ``name`` is unknown or names something that is not a molecule.
    """
    row = _data.resolve(str(name)[:_MAX_TEXT])
    if row["table"] != "molecules":
        raise LookupError(f"{name!r} is in table {row['table']!r}, not a molecule; "
                          "try exolab.data.findings_for() for it")
    mid = row["molecule_id"]

    def val(col):
        v = row.get(col)
        return None if v is None or (not isinstance(v, (str, tuple)) and pd.isna(v)) else v

    identifiers = []
    if val("namespace") and val("identifier"):
        identifiers.append({"namespace": str(val("namespace")), "id": str(val("identifier"))})
    if val("approved_symbol") and str(val("approved_symbol")) != str(val("identifier")):
        identifiers.append({"namespace": "symbol", "id": str(val("approved_symbol"))})
    aliases = list(val("aliases") or ())

    df = _findings(None)
    if not df.empty:
        as_cargo = _cell_matches(df["cargo"], {mid}) if "cargo" in df else False
        as_target = _cell_matches(df["target"], {mid}) if "target" in df else False
        found = df.loc[as_cargo | as_target].copy()
        found["role"] = ["cargo" if c else "target" for c in as_cargo[as_cargo | as_target]]
        found["lesson"] = found["theme"].astype(str).map(THEME_LESSONS).fillna("")
    else:
        found = pd.DataFrame(columns=["finding_id", "role", "lesson"])
    found = found.reset_index(drop=True)
    lesson_order = list(dict.fromkeys(THEME_LESSONS.values()))
    by_lesson = {}
    for lesson in lesson_order + sorted(set(found["lesson"]) - set(lesson_order)):
        ids = found.loc[found["lesson"] == lesson, "finding_id"].astype(str).tolist()
        if ids:
            by_lesson[lesson] = ids

    keys = {_norm_key(k) for k in [mid, val("name"), val("approved_symbol"), *aliases] if k}
    terms = [term for term, related in _glossary_index() if related & keys]
    return {"molecule_id": str(mid), "name": str(val("name") or mid), "kind": str(val("kind") or ""),
            "identifiers": identifiers, "aliases": aliases, "findings": found,
            "by_lesson": by_lesson, "glossary": terms}


def counts_by_theme(*, data=None) -> pd.DataFrame:
    """Count findings per theme, every theme listed (zeros included), with its lesson.

    Returns
    -------
    pandas.DataFrame
        Columns ``theme``, ``lesson``, ``findings``, in teaching order.
    """
    df = _findings(data)
    try:
        themes = _data.vocabulary("theme")
    except DataError:
        themes = list(THEME_LESSONS)
    counts = (df["theme"].astype(str).value_counts() if "theme" in df.columns and not df.empty
              else pd.Series(dtype=int))
    return pd.DataFrame({"theme": themes, "lesson": [THEME_LESSONS.get(t, "") for t in themes],
                         "findings": [int(counts.get(t, 0)) for t in themes]})


def _first_line(name: str) -> str:
    """First sentence of a table's description (headings skipped), else its title."""
    spec = _data.registry()["tables"].get(name, {})
    if spec.get("description"):
        try:
            text = _data.describe(name)
        except DataError:
            text = ""
        para = []
        for line in text.splitlines():
            line = line.strip()
            if line.startswith(("#", "|")) or not line:
                if para:
                    break
                continue
            para.append(line)
        if para:
            joined = " ".join(para)
            m = re.match(r"(.+?[.!?])(\s|$)", joined)
            return m.group(1) if m else joined
    return str(spec.get("title", ""))


def kb_overview() -> pd.DataFrame:
    """List every registered table with its live row count and a one-line description.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``rows`` and ``description`` (first sentence of
        the table's description file, else its registry title).
    """
    rows = []
    for name in _data.list_tables():
        try:
            n = len(_data.load(name))
        except DataError:
            n = None  # a table being curated right now may not load yet
        rows.append({"table": name, "rows": n, "description": _first_line(name)})
    out = pd.DataFrame(rows, columns=["table", "rows", "description"])
    out["rows"] = out["rows"].astype("Int64")
    return out


def references_for(*, theme=None, finding_ids=None) -> pd.DataFrame:
    """Return the deduplicated sources behind a set of findings, for a lesson's reference list.

    Parameters
    ----------
    theme : str or list, optional
        Take the findings of these themes.
    finding_ids : iterable of str, optional
        Take these findings (combined with ``theme`` if both are given).

    Returns
    -------
    pandas.DataFrame
        One row per source and section: ``ref_key``, ``citation`` (authors,
        year, title, journal, DOI), ``section``, ``refs`` (the review's numbered
        references, ``"71, 72"``), ``cited`` (surviving entries of the review's
        bibliography with those numbers) and ``findings`` (how many).
    """
    columns = ["ref_key", "citation", "section", "refs", "cited", "findings"]
    df = filter_findings(theme=theme)
    if finding_ids is not None:
        wanted = {str(f) for f in ([finding_ids] if isinstance(finding_ids, str) else finding_ids)}
        df = df.loc[df["finding_id"].astype(str).isin(wanted)]
    if df.empty or "source" not in df.columns:
        return pd.DataFrame(columns=columns)
    refs_df = _table("references")
    info = {r["ref_key"]: r for _, r in refs_df.iterrows()} if not refs_df.empty else {}
    cited = {}
    if "cited_as" in refs_df.columns:
        for _, r in refs_df.dropna(subset=["cited_as"]).iterrows():
            cited[int(r["cited_as"])] = r
    groups: dict[tuple, dict] = {}
    for _, r in df.iterrows():
        section = _get(r, "section") or ""
        g = groups.setdefault((str(r["source"]), section), {"refs": set(), "n": 0})
        g["refs"].update(int(x) for x in (_get(r, "refs") or ()))
        g["n"] += 1
    rows = []
    for (key, section), g in groups.items():
        rows.append({"ref_key": key, "citation": _citation(info.get(key), key), "section": section,
                     "refs": ", ".join(map(str, sorted(g["refs"]))),
                     "cited": "; ".join(f"[{n}] {_citation(cited[n], '')}" for n in sorted(g["refs"])
                                        if n in cited),
                     "findings": g["n"]})
    return pd.DataFrame(rows, columns=columns).sort_values(["ref_key", "section"], kind="stable") \
        .reset_index(drop=True)


def _citation(row, fallback: str) -> str:
    if row is None:
        return fallback

    def v(col):
        x = row.get(col)
        return None if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)

    parts = [_authors_short(v("authors")) or fallback]
    if v("year"):
        parts[0] += f" ({v('year')})"
    for col in ("title", "journal"):
        if v(col):
            parts.append(v(col))
    if v("doi"):
        parts.append(f"doi:{v('doi')}")
    return " ".join(p if p.endswith((".", "?", "!")) else p + "." for p in parts)
