"""Pure pandas queries over the knowledge base: the logic behind the explorers.

Every function reads the validated tables through :mod:`exolab.data` (which
caches them) and returns DataFrames or dicts, so lessons can call them directly
and tests can check them without a widget in sight. Tables meant to be read come
back as :class:`Table`, a DataFrame that displays readably everywhere (wrapped,
uncut text, names instead of ids); :func:`show_table` does the same for any frame.

Examples
--------
>>> from exolab import query as q
>>> q.filter_findings(text="PKM2").shape[0] > 0        # doctest: +SKIP
True
>>> q.citation_table(q.filter_findings(theme="metabolism")).columns.tolist()  # doctest: +SKIP
['id', 'finding', 'cargo', 'effect', 'cells', 'cancer', 'source']
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata
import weakref
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import data as _data
from .data import DataError

__all__ = ["THEME_LESSONS", "ANY", "filter_findings", "citation_table", "summarise",
           "communication_matrix", "findings_between", "resistance_matrix_table",
           "resistance_cell", "molecule_profile", "counts_by_theme", "kb_overview",
           "references_for", "format_source", "display_name", "filter_options",
           "therapeutics", "show_table", "Table", "ReferenceList", "vocab_label",
           "confidence_flag", "EFFECT_LABELS", "VOCAB_LABELS", "render_html", "render_text",
           "NO_DRUG", "rotors", "default_rotor", "DEFAULT_ROTOR", "source_issues", "drugs",
           "header_label", "section_text", "lesson_label"]

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

def lesson_label(lesson_id) -> str:
    """A lesson as students read it: ``"lesson 02 – Exosomes and metabolic reprogramming"``.

    The number is the lesson id's prefix and the title comes from the manifest; an id the
    manifest does not know (an instructor's own lesson) comes back unchanged.
    """
    text = str(lesson_id or "")
    try:
        from .lessons import LessonError, lesson, lesson_number

        entry = lesson(text)
    except (LessonError, ImportError, OSError):
        return text
    number = lesson_number(text)
    return f"lesson {number} – {entry['title']}" if number.isdigit() else str(entry["title"])


#: The "no filter" choice shown in explorer dropdowns; accepted by every filter.
ANY = "(any)"

#: Row of :func:`resistance_matrix_table` for mechanism findings that name no drug.
NO_DRUG = "(no specific drug)"

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

# One snapshot per public call: exolab.data checks two file times for every table it
# hands out (it revalidates a CSV that changed), and one explorer update used to ask
# for the same tables dozens of times. Inside a public function (and everything it
# calls) each table is fetched once; the next public call sees edits again.
_SNAPSHOT: dict = {"depth": 0, "tables": {}}


def _one_snapshot(fn):
    """Decorator: the tables ``fn`` and its callees read are fetched once per outermost call."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _SNAPSHOT["depth"]:
            return fn(*args, **kwargs)
        _SNAPSHOT["depth"] = 1
        try:
            return fn(*args, **kwargs)
        finally:
            _SNAPSHOT["depth"] = 0
            _SNAPSHOT["tables"] = {}
    return wrapper


def _table(name: str) -> pd.DataFrame:
    """The cached, validated table (read-only); empty if the registry does not name it yet."""
    if _SNAPSHOT["depth"]:
        hit = _SNAPSHOT["tables"].get(name)
        if hit is None:
            hit = _SNAPSHOT["tables"][name] = _fetch(name)
        return hit
    return _fetch(name)


def _fetch(name: str) -> pd.DataFrame:
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


# findings columns whose values are vocabulary ids with student-facing labels
_VOCAB_COLUMNS = {"effect": "effect", "resistance_mechanism": "resistance_mechanism",
                  "confidence": "confidence", "theme": "theme"}


def _dn(lk: dict, column: str, value) -> str:
    """display_name() against a snapshot from _lookups()."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    names = lk.get(column)
    if names is None:
        vocab = _VOCAB_COLUMNS.get(column)
        return vocab_label(vocab, value) if vocab else str(value)
    return names.get(value, str(value))


@_one_snapshot
def display_name(column: str, value) -> str:
    """Return the student-facing name of an id in a findings ``column``.

    Parameters
    ----------
    column : str
        A findings column such as ``"cargo"``, ``"donor_cell"`` or ``"effect"``.
    value : str
        The id; vocabulary columns (effect, resistance_mechanism, confidence, theme)
        give their label ("raises glycolysis"); unknown ids and other columns come
        back unchanged.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    link = _LINKS.get(column)
    if link is None:
        vocab = _VOCAB_COLUMNS.get(column)
        return vocab_label(vocab, value) if vocab else str(value)
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
    """Lower case after NFKC. Not ``casefold()``: that turns "ß" into "ss", so a search
    for "ß" matched every "expression" and "mass"."""
    return unicodedata.normalize("NFKC", str(text)).lower().replace("ς", "σ")


# Greek letters as single Latin letters, and their spelled-out names (when no letter
# follows: "beta1" yes, "diabetes" no), so TGF-β, TGF-b, TGFb and TGF-beta meet.
_GREEK_LETTERS = {"α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "κ": "k"}
_GREEK_NAMES = re.compile(r"(alpha|beta|gamma|delta|epsilon|kappa)(?![a-z])")
# Between two digits a joiner is kept as one mark, so "miR-21-5p" squashes to "mir21|5p"
# and neither becomes "mir215p" (which is miR-215) nor matches a search for "miR-215".
_DIGIT_MARK = "\ue000"   # private use: neither a word character nor a space
_DIGIT_JOIN = re.compile(r"(?<=\d)[\W_]+(?=\d)")
_NOT_ALNUM = re.compile(r"(?:[^\w\ue000]|_)+")
_PUNCTUATION = re.compile(r"[^\w\s\ue000]+|_+")
_SPACES = re.compile(r"\s+")
# Characters that only join the parts of a name ("PD-L1", "pd l1", "miR-21/5p"); a needle
# with any other punctuation ("(a+b)*?") is searched literally only.
_JOINERS = set(" -‐‑‒–—_/.·'’")


def _squash(folded: str, *, spaces: bool = False) -> str:
    """Already-folded text without punctuation, Greek as Latin letters.

    ``spaces=True`` (the haystack) keeps one space between words, so a needle never
    matches across them ("IL-6" must not find "until 6 days"); the needle loses its
    spaces too ("pd l1" finds "PD-L1").
    """
    for letter, latin in _GREEK_LETTERS.items():
        folded = folded.replace(letter, latin)
    folded = _GREEK_NAMES.sub(lambda m: m.group(1)[0], folded)
    folded = _DIGIT_JOIN.sub(_DIGIT_MARK, folded)
    if spaces:
        return _SPACES.sub(" ", _PUNCTUATION.sub("", folded))
    return _NOT_ALNUM.sub("", folded)


def _contains(hay: pd.Series, needle: str) -> pd.Series:
    """Rows of ``hay`` holding ``needle``, where a number in it is a whole number.

    A needle that ends (or starts) with a digit must not run on into another digit, so
    "miR-21" finds "miR-21-5p" but not miR-210 or miR-214, and "CD6" does not find CD63.
    """
    if not needle or not (needle[0].isdigit() or needle[-1].isdigit()):
        return hay.str.contains(needle, regex=False)
    pattern = (("(?<![0-9])" if needle[0].isdigit() else "") + re.escape(needle)
               + ("(?![0-9])" if needle[-1].isdigit() else ""))
    return hay.str.contains(pattern, regex=True)


def _squashed_needle(needle: str) -> str | None:
    """The needle for the punctuation-free haystack, or None when it must match literally."""
    folded = _fold(needle)
    if any(not ch.isalnum() and ch not in _JOINERS for ch in folded):
        return None
    squashed = _squash(folded)
    return squashed if len(squashed) >= 2 else None


# id(frame) -> (weak reference to the frame, folded haystack, squashed haystack or None).
# Several frames take turns (the cached findings, an explorer's own copy, a subset), so
# one slot per frame; a dead reference or a reused id is noticed and rebuilt.
_HAY: dict = {}
_HAY_SLOTS = 8


def _hay_entry(df: pd.DataFrame) -> list:
    key = id(df)
    hit = _HAY.get(key)
    if hit is not None and hit[0]() is df:
        return hit
    for k in [k for k, v in _HAY.items() if v[0]() is None]:
        del _HAY[k]
    while len(_HAY) >= _HAY_SLOTS:
        _HAY.pop(next(iter(_HAY)))
    try:
        ref = weakref.ref(df)
    except TypeError:  # pragma: no cover - every DataFrame takes weak references
        return [lambda: None, _build_haystack(df), None]
    entry = _HAY[key] = [ref, _build_haystack(df), None]
    return entry


def _haystack(df: pd.DataFrame) -> pd.Series:
    """One folded search string per finding: claim, cargo as written, names (cached per frame)."""
    return _hay_entry(df)[1]


def _squashed_haystack(df: pd.DataFrame) -> pd.Series:
    """:func:`_haystack` without punctuation or spaces and with Greek as Latin letters."""
    entry = _hay_entry(df)
    if entry[2] is None:
        entry[2] = entry[1].map(lambda text: _squash(text, spaces=True))
    return entry[2]


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


# ------------------------------------------------------------------ labels ---
# Vocabulary ids are for code; students read these labels. Effects are phrased as what
# the cargo does ("raises glycolysis"); the second form is used when a finding's
# ``direction`` is "inhibits". tests/test_query.py checks every registry id has a label.

#: effect id -> (label, label when the finding's direction is "inhibits").
EFFECT_LABELS = {
    "cargo_sorting": ("sorts cargo into exosomes", "blocks cargo sorting"),
    "exosome_release": ("drives exosome release", "lowers exosome release"),
    "glycolysis_up": ("raises glycolysis", "lowers glycolysis"),
    "oxphos_down": ("lowers OXPHOS", "prevents the loss of OXPHOS"),
    "oxphos_up": ("raises OXPHOS", "lowers OXPHOS"),
    "glutamine_metabolism_up": ("raises glutamine metabolism", "lowers glutamine metabolism"),
    "lipid_metabolism_up": ("raises lipid metabolism", "lowers lipid metabolism"),
    "metabolic_reprogramming": ("reprogrammes metabolism", "blocks metabolic reprogramming"),
    "ferroptosis_down": ("blocks ferroptosis", "promotes ferroptosis"),
    "caf_activation": ("activates CAFs", "blocks CAF activation"),
    "angiogenesis": ("drives angiogenesis", "inhibits angiogenesis"),
    "inflammation": ("drives inflammation", "dampens inflammation"),
    "m2_polarisation": ("polarises macrophages to M2", "blocks M2 polarisation"),
    "immunosuppression": ("suppresses immunity", "relieves immunosuppression"),
    "t_cell_suppression": ("suppresses T cells", "relieves T-cell suppression"),
    "antitumour_immunity": ("boosts antitumour immunity", "dampens antitumour immunity"),
    "proliferation": ("drives proliferation", "inhibits proliferation"),
    "emt": ("induces EMT", "blocks EMT"),
    "invasion_metastasis": ("drives invasion and metastasis", "inhibits invasion and metastasis"),
    "pre_metastatic_niche": ("builds a pre-metastatic niche", "blocks niche formation"),
    "anti_apoptosis": ("blocks apoptosis", "promotes apoptosis"),
    "stemness": ("drives stemness", "inhibits stemness"),
    "drug_resistance": ("confers drug resistance", "reduces drug resistance"),
    "drug_export": ("exports the drug", "blocks drug export"),
    "drug_sensitisation": ("restores drug sensitivity", "reduces drug sensitivity"),
    "drug_delivery": ("delivers a drug", "blocks drug delivery"),
    "biomarker": ("serves as a biomarker", "serves as a biomarker (lower with disease)"),
}

#: Labels of the other vocabularies (ids not listed read as words: "drug_resistance" -> "drug resistance").
VOCAB_LABELS = {
    "effect": {k: v[0] for k, v in EFFECT_LABELS.items()},
    "resistance_mechanism": {
        "efflux_export": "drug efflux and export", "anti_apoptosis": "anti-apoptosis",
        "metabolic_rewiring": "metabolic rewiring", "horizontal_transfer": "horizontal transfer",
        "oncogenic_signalling": "oncogenic signalling", "lipid_membrane": "lipid and membrane changes"},
    "confidence": {
        "stated": "stated", "ambiguous": "ambiguous in the source", "disputed": "disputed",
        "table_only": "only in a review table", "typo_in_source": "typo in the source"},
    # therapeutics: "not stated" read like a missing cell; the review simply does not say
    "evidence": {"in_vitro": "in vitro", "not_stated": "not reported in the review"},
}

# Enum values whose plain spelling is not just the id with spaces.
_WORDS = {"medium_large": "medium/large", "escrt_associated": "ESCRT-associated"}
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")   # not lesson ids such as 01_biogenesis


def _words(value) -> str:
    """An enum id as words: ``"plasma_membrane"`` -> ``"plasma membrane"``; other text unchanged."""
    text = str(value)
    if text in _WORDS:
        return _WORDS[text]
    return text.replace("_", " ") if _SNAKE.match(text) else text


def vocab_label(vocabulary: str, value, direction=None) -> str:
    """Return the student-facing label of a vocabulary id.

    Parameters
    ----------
    vocabulary : str
        ``"effect"``, ``"resistance_mechanism"``, ``"confidence"``, ``"theme"`` or any
        enum column name.
    value : str
        The id, e.g. ``"glycolysis_up"``.
    direction : {"promotes", "inhibits"}, optional
        For effects: ``"inhibits"`` gives the opposite phrasing ("lowers exosome release").

    Examples
    --------
    >>> vocab_label("effect", "caf_activation")
    'activates CAFs'
    >>> vocab_label("resistance_mechanism", "efflux_export")
    'drug efflux and export'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    value = str(value)
    if vocabulary == "effect" and value in EFFECT_LABELS:
        return EFFECT_LABELS[value][1 if str(direction) == "inhibits" else 0]
    if vocabulary == "effect" and str(direction) == "inhibits":
        return f"inhibits {_words(value)}"
    return VOCAB_LABELS.get(vocabulary, {}).get(value) or _words(value)


# ----------------------------------------------------------- table display ---
# One display path for every table a lesson shows: query results come back as
# :class:`Table` (a DataFrame that renders readably) and :func:`show_table` wraps any
# other frame. Cells are never cut, missing values read "–", tuples are joined, and
# ids are shown by name; the data underneath stay as they were, so filtering and
# column selection keep working (and keep the display).

MISSING = "–"
FLAG = "⚠"
_LONG = 60     # characters: columns with longer cells get room to wrap
_SHORT = 14    # characters: columns with only shorter cells never wrap
_TEXT_WIDTH = 100
_GRID_WIDTH = 140  # plain text: tables up to this wide stay a grid
_AXIS_VOCABS = {"mechanism": "resistance_mechanism"}  # crosstab axis name -> vocabulary
_BORDER = "rgba(127,127,127,0.35)"
_CELL = "text-align:left;vertical-align:top;padding:3px 10px 3px 4px;line-height:1.35;white-space:normal"


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, (float, np.floating)) and np.isnan(v)


def _number(v, group: bool = False) -> str:
    """One number as text; ``group``: whole numbers from 1,000 up get thousands separators."""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return _integer(int(v), group)
    v = float(v)
    if not np.isfinite(v):
        return "∞" if v > 0 else "-∞"
    if v.is_integer() and abs(v) < 1e15:
        return _integer(int(v), group)
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def _integer(n: int, group: bool) -> str:
    return f"{n:,}" if group and abs(n) >= 1000 else str(n)


_GROUP_FROM = 10_000  # a column holding a number this large groups thousands in all its numbers


def _groups_thousands(values) -> bool:
    """True if a column holds a number of 10,000 or more; years (2018) alone never do."""
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            continue
        if np.isfinite(v) and abs(v) >= _GROUP_FROM:
            return True
    return False


def _column_kinds() -> dict:
    """Column name -> ("link", table, key) or ("vocab", name), read from the registry."""
    try:
        reg = _data.registry()
    except DataError:
        return {}
    hit = _NAME_CACHE.get("_kinds")
    if hit and hit[0] is reg:
        return hit[1]
    out: dict = {}
    for spec in reg.get("tables", {}).values():
        for col, c in (spec.get("columns") or {}).items():
            c = c or {}
            if c.get("foreign_key") and out.get(col, ("",))[0] != "link":
                table, _, key = str(c["foreign_key"]).partition(".")
                out[col] = ("link", table, key)
            elif (c.get("vocabulary") or c.get("enum")) and col not in out and col != "lesson":
                out[col] = ("vocab", c.get("vocabulary") or col)
    _NAME_CACHE["_kinds"] = (reg, out)
    return out


def _formatter(col, dtype, humanise: bool, group: bool = False):
    """A function cell -> display string for one column (``group``: thousands separators)."""
    kind = _column_kinds().get(col) if humanise and isinstance(col, str) else None
    categorical = isinstance(dtype, pd.CategoricalDtype)
    names: dict = {}
    vocab = None
    if kind and col == "source":
        names = _source_names()
    elif kind and kind[0] == "link":
        names = _names(kind[1], kind[2])
    elif kind and kind[0] == "vocab":
        vocab = kind[1]
    elif humanise and categorical:
        vocab = str(col)

    def item(v, listed):
        if _missing(v):
            return MISSING
        if isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)):
            return _number(v, group)
        s = str(v)
        if s in names:
            return names[s] or s
        if vocab is not None and (categorical or listed):
            return vocab_label(vocab, s)
        return s if s.strip() else MISSING

    def cell(v):
        if isinstance(v, (tuple, list, set, frozenset)):
            parts = [item(i, True) for i in (sorted(v) if isinstance(v, (set, frozenset)) else v)]
            return ", ".join(parts) if parts else MISSING
        return item(v, False)
    return cell


# Column names as headers: snake_case read as words, a unit suffix in brackets
# ("size_min_nm" -> "size min (nm)", "s_S" -> "s (S)"), abbreviations as written.
_HEADER_UNITS = (("g", "ml", "g/mL"), ("mPa", "s", "mPa·s"), ("nm",), ("mm",), ("h",), ("min",),
                 ("S",), ("C", "°C"))
_HEADER_WORDS = {"atp": "ATP", "oxphos": "OXPHOS", "misev": "MISEV", "chebi": "ChEBI", "doid": "DOID",
                 "cl": "CL", "hgnc": "HGNC", "ec50": "EC50", "dna": "DNA", "rna": "RNA"}


def header_label(column) -> str:
    """A column name as a table header: ``"typical_purity"`` -> ``"typical purity"``.

    A unit suffix goes in brackets (``"diameter_nm"`` -> ``"diameter (nm)"``, ``"time_h"``
    -> ``"time (h)"``, ``"temp_C"`` -> ``"temp (°C)"``) and known abbreviations keep their
    case (``"atp_per_glucose"`` -> ``"ATP per glucose"``). Names without an underscore
    come back unchanged.
    """
    text = str(column)
    if "_" not in text or " " in text or not re.fullmatch(r"[A-Za-z0-9_]+", text):
        return text
    parts = [p for p in text.split("_") if p]
    unit = ""
    for spec in _HEADER_UNITS:
        n = len(spec) if len(spec) == 1 else len(spec) - 1
        if len(parts) > n and tuple(parts[-n:]) == tuple(spec[:n]):
            unit, parts = spec[-1] if len(spec) > 1 else spec[0], parts[:-n]
            break
    words = " ".join(_HEADER_WORDS.get(p.lower(), p) for p in parts)
    return f"{words} ({unit})" if unit else words


def _display_rows(df: pd.DataFrame, humanise: bool = True, *, hidden=(), headers=None,
                  code=(), words: bool = True) -> tuple[list, list, list, list]:
    """(headers, rows of strings, numeric flags, code-style flags) for a frame.

    The index is shown only when named. ``hidden`` columns are left out of the display
    (they stay in the data), ``headers`` maps a column to its header text, ``code``
    columns keep their name as the header, shown in code style (a column a lesson
    teaches by name), and ``words`` turns the other snake_case names into words.
    """
    if any(n is not None for n in df.index.names):
        df = df.reset_index()
    hidden, code = set(hidden or ()), set(code or ())
    keep = [i for i, c in enumerate(df.columns) if not (isinstance(c, str) and c in hidden)]
    if len(keep) < len(df.columns):
        df = df.iloc[:, keep]
    headers_out, codes = [], []
    axis_name = df.columns.name
    for c in df.columns:
        label = " / ".join(map(str, c)) if isinstance(c, tuple) else str(c)
        is_code = isinstance(c, str) and c in code
        if axis_name is not None and humanise:  # a crosstab: the headers are values
            vocab = _AXIS_VOCABS.get(str(axis_name), str(axis_name))
            label = vocab_label(vocab, label)
        elif headers and c in headers:
            label = str(headers[c])
        elif words and axis_name is None and not is_code:
            label = header_label(label)
        headers_out.append(label)
        codes.append(is_code)
    headers = headers_out
    columns = []
    numeric = []
    for i, c in enumerate(df.columns):
        s = df.iloc[:, i]
        values = s.tolist()
        if (c == "effect" and humanise and "direction" in df.columns
                and isinstance(s.dtype, pd.CategoricalDtype)):  # "lowers exosome release"
            directions = df["direction"].tolist()
            columns.append([MISSING if _missing(e) else vocab_label("effect", e, d)
                            for e, d in zip(values, directions)])
        else:
            fmt = _formatter(c, s.dtype, humanise,
                             pd.api.types.is_numeric_dtype(s.dtype) and _groups_thousands(values))
            columns.append([fmt(v) for v in values])
        numeric.append(pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype))
    rows = [list(r) for r in zip(*columns)] if columns else []
    return headers, rows, numeric, codes


def _display_options(df, hidden, headers, code, words) -> dict:
    """Display settings of a :class:`Table` (its own unless given here)."""
    return {"hidden": getattr(df, "_exolab_hidden", ()) if hidden is None else hidden,
            "headers": getattr(df, "_exolab_headers", None) if headers is None else headers,
            "code": getattr(df, "_exolab_code", ()) if code is None else code,
            "words": getattr(df, "_exolab_words", True) if words is None else words}


def _flagged(text: str) -> str:
    """Escaped cell text with a ⚠ marker (and what follows it) highlighted."""
    esc = html.escape(text)
    at = esc.find(FLAG)
    if at < 0:
        return esc
    return (esc[:at] + "<span class='exolab-flag' style='color:#B35900;font-weight:bold'>"
            + esc[at:] + "</span>")


_STRIPE = "rgba(127,127,127,0.08)"   # every second row, as JupyterLab stripes its tables
_NOWRAP_HEADER = re.compile(r"(?<=\S) (?=[%)(×≥≤])|(?<=[(×≥≤]) ")   # "≥ 50 %", "(× EC50)" stay whole


@_one_snapshot
def render_html(df: pd.DataFrame, *, humanise: bool = True, header_style: str = "",
                hidden=None, headers=None, code=None, words=None) -> str:
    """Left-aligned, wrapped, untruncated HTML for a table (index hidden unless named).

    Inline styles only, so JupyterLab (trusted or not), nbviewer and the widgets show
    the same thing (every second row striped, as in JupyterLab); line-height is set
    because widget HTML inherits a 28 px one. ``header_style`` is added to every header
    cell (the widgets make it sticky). Headers read as words (:func:`header_label`);
    ``hidden``, ``headers``, ``code`` and ``words`` are as in :func:`show_table` and
    default to the settings of a :class:`Table`.
    """
    headers, rows, numeric, codes = _display_rows(df, humanise,
                                                  **_display_options(df, hidden, headers, code, words))
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    styles = []
    for w, num in zip(widths, numeric):
        s = _CELL + (";text-align:right" if num else "")
        if w <= _SHORT:
            s += ";white-space:nowrap"
        elif w > _LONG:
            s += ";min-width:16em"
        else:  # short names ("cancer (type not stated)") wrap to two lines at most
            s += ";min-width:9em"
        styles.append(s)

    def head_cell(h, is_code):
        return f"<code>{html.escape(h)}</code>" if is_code else _NOWRAP_HEADER.sub("\u00a0", html.escape(h))
    head = "".join(f"<th style='{s};vertical-align:bottom;font-weight:bold;"
                   f"border-bottom:1px solid {_BORDER}{';' + header_style if header_style else ''}'>"
                   f"{head_cell(h, c)}</th>"
                   for h, s, c in zip(headers, styles, codes))
    body = "".join((f"<tr style='background:{_STRIPE}'>" if k % 2 else "<tr>")
                   + "".join(f"<td style='{s};border-bottom:1px solid {_BORDER}'>{_flagged(v)}</td>"
                             for v, s in zip(r, styles)) + "</tr>" for k, r in enumerate(rows))
    if not rows:
        body = (f"<tr><td colspan='{max(len(headers), 1)}' style='{_CELL};font-style:italic'>"
                "no rows</td></tr>")
    return ("<table class='exolab-table' style='border-collapse:collapse;table-layout:auto;"
            "margin:0.3em 0 0.8em 0;font-size:0.9em;line-height:1.35'>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


@_one_snapshot
def render_text(df: pd.DataFrame, *, humanise: bool = True, width: int = _TEXT_WIDTH,
                hidden=None, headers=None, code=None, words=None) -> str:
    """Plain-text view: an aligned grid when it fits ``width``, else one block per row."""
    headers, rows, numeric, _codes = _display_rows(df, humanise,
                                                   **_display_options(df, hidden, headers, code, words))
    if not headers:
        return "(empty table)"
    if not rows:
        return "(no rows) columns: " + ", ".join(headers)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    if sum(widths) + 2 * (len(widths) - 1) <= max(width, _GRID_WIDTH):
        def line(cells):
            return "  ".join((c.rjust(w) if num else c.ljust(w))
                             for c, w, num in zip(cells, widths, numeric)).rstrip()
        return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])
    import textwrap

    blocks = []
    for r in rows:
        lines = [f"{headers[0]}: {r[0]}"]
        for h, v in zip(headers[1:], r[1:]):
            lines += textwrap.wrap(f"{h}: {v}", width=width, initial_indent="  ",
                                   subsequent_indent="      ", break_long_words=False) or ["  " + h + ":"]
        blocks.append("\n".join(lines))
    noun = "row" if len(rows) == 1 else "rows"
    return f"{len(rows)} {noun}\n\n" + "\n\n".join(blocks)


class Table(pd.DataFrame):
    """A DataFrame that displays as a readable course table.

    It behaves as a DataFrame in every way (``.head()``, ``t[["a", "b"]]``, ``.loc``...)
    and the results of those operations display the same way: left-aligned, wrapped
    text, nothing cut, no index column, "–" for missing values, tuples joined
    ("36, 134"), and ids of cell types, cancers, drugs, molecules and vocabularies
    shown by their names. Plain text (``repr``) is an aligned grid or one block per row.
    """

    _metadata = ["_exolab_humanise", "_exolab_hidden", "_exolab_headers", "_exolab_code",
                 "_exolab_words"]
    _exolab_humanise = True
    _exolab_hidden: tuple = ()      # columns kept in the data but not displayed
    _exolab_headers: dict | None = None   # column -> header text
    _exolab_code: tuple = ()        # columns shown by their name, in code style
    _exolab_words = True            # other snake_case names read as words

    @property
    def _constructor(self):
        return type(self)

    def _repr_html_(self) -> str:
        return render_html(self, humanise=self._exolab_humanise)

    def __repr__(self) -> str:
        return render_text(self, humanise=self._exolab_humanise)

    def to_plain(self) -> pd.DataFrame:
        """The same data as a plain pandas DataFrame (pandas' own display)."""
        return pd.DataFrame(self)


def _as_table(df: pd.DataFrame, *, humanise: bool = True, cls=None, hidden=(), headers=None,
              code=(), words: bool = True) -> Table:
    out = (cls or Table)(df)
    out.attrs = {}
    out._exolab_humanise = humanise
    out._exolab_hidden = tuple(hidden or ())
    out._exolab_headers = dict(headers) if headers else None
    out._exolab_code = tuple(code or ())
    out._exolab_words = bool(words)
    return out


def show_table(data, *, humanise: bool = True, code=(), hidden=(), headers=None) -> Table:
    """Return ``data`` as a :class:`Table`, so it displays readably in every viewer.

    Parameters
    ----------
    data : pandas.DataFrame or pandas.Series
        Any table, e.g. ``exolab.data.load("markers")[["name", "limitation"]]``. A
        Series with a named index (``value_counts()``) or a name of its own becomes two
        columns; a Series that is one record (``exolab.data.resolve("PKM2")``, named by
        its row number) becomes one row.
    humanise : bool
        Show ids by name and vocabulary ids as words (default); False keeps values as
        they are (tuples are still joined and missing values still read "–"). Headers
        read as words either way (``typical_purity`` -> "typical purity", ``size_min_nm``
        -> "size min (nm)"; see :func:`header_label`).
    code : sequence of str
        Columns the lesson teaches by name (``"limitation"``, ``"cited_as"``): their
        header is the column name in code style, so it matches the prose.
    hidden : sequence of str
        Columns kept in the data (for code, filters and plots) but not displayed.
    headers : dict, optional
        Column -> header text, for headers that say more than the name.

    Examples
    --------
    >>> show_table(kb.load("markers")[["name", "category", "limitation"]], code=["limitation"])   # doctest: +SKIP
    """
    if isinstance(data, pd.Series):
        if data.index.name is not None:          # value_counts(): the index is a column
            data = data.reset_index()
        elif isinstance(data.name, str):         # a named column of values: label | value
            data = data.rename_axis("").reset_index()
        else:                                    # one record, e.g. kb.resolve("PKM2")
            data = data.to_frame().T.reset_index(drop=True)
            data.columns.name = None
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    missing = [c for c in list(code or ()) + list(hidden or ()) + list(headers or ())
               if c not in data.columns]
    if missing:
        raise KeyError(f"show_table: no column {missing[0]!r}; columns: {', '.join(map(str, data.columns))}")
    return _as_table(data, humanise=humanise, code=code, hidden=hidden, headers=headers)


# ----------------------------------------------------------------- queries ---

@_one_snapshot
def filter_findings(data=None, *, theme=None, cargo_class=None, cancer_type=None, donor_cell=None,
                    recipient_cell=None, pathway=None, effect=None, text=None,
                    refs=None) -> pd.DataFrame:
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
        source and the display names. Taken literally, never as a regex. Names
        also match without their punctuation and with Greek letters spelled
        either way ("TGF-b", "TGFb", "TGF-beta" and "TGF-β" find the same rows),
        unless the text holds other punctuation than hyphens, spaces, dots or
        slashes. A number at either end of the text is matched whole: "miR-21"
        finds miR-21-5p and miR-21-3p but not miR-210 or miR-214.
    refs : int or list of int, optional
        Keep findings whose ``refs`` cite any of these reference numbers (the
        numbering of each finding's ``source``): ``refs=172`` gives the findings
        that cite the review's reference [172].

    Returns
    -------
    pandas.DataFrame
        Matching findings, original order, fresh 0..n-1 index.

    Raises
    ------
    ValueError
        A ``refs`` item that is not a whole number.
    """
    wanted_refs = _ref_numbers(refs)
    df = _findings(data)
    if df.empty:
        return df.iloc[0:0].reset_index(drop=True)
    mask = pd.Series(True, index=df.index)
    if wanted_refs is not None:
        if "refs" not in df.columns:
            mask &= False
        else:
            mask &= df["refs"].map(lambda cell: isinstance(cell, tuple)
                                   and any(int(n) in wanted_refs for n in cell)).astype(bool)
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
        text_mask = _contains(_haystack(df), _fold(needle))
        squashed = _squashed_needle(needle)
        if squashed:  # "TGF-b", "TGFb", "TGF-beta" and "TGF-β" find the same rows
            text_mask |= _contains(_squashed_haystack(df), squashed)
        hit = _resolve_id(needle)
        if hit and hit[0] in _RESOLVED_COLUMNS:
            for col in _RESOLVED_COLUMNS[hit[0]]:
                if col in df.columns:
                    text_mask |= _cell_matches(df[col], {hit[1]})
        mask &= text_mask.fillna(False).astype(bool)
    out = df.loc[mask].reset_index(drop=True)
    out.attrs = {}
    return out


def _ref_numbers(refs) -> set | None:
    """``refs=`` of :func:`filter_findings` as a set of ints (None: no filter)."""
    items = _as_list(refs)
    if items is None:
        return None
    out = set()
    for item in items:
        if isinstance(item, (bool, np.bool_)):
            raise ValueError(f"refs must be reference numbers (whole numbers); got {item!r}")
        try:
            number = float(str(item).strip())
        except ValueError:
            raise ValueError(f"refs must be reference numbers (whole numbers); got {item!r}") from None
        if not number.is_integer():
            raise ValueError(f"refs must be reference numbers (whole numbers); got {item!r}")
        out.add(int(number))
    return out


@_one_snapshot
def filter_options(column, data=None):
    """Return ``(label, value)`` choices for a findings column, in a stable order.

    Vocabulary columns keep teaching order; linked columns are labelled with
    display names and sorted by them. Only values that occur are listed.

    Parameters
    ----------
    column : str or sequence of str
        One findings column, or several: then a dict column -> choices, built in
        one pass over the rows (what an explorer with seven filters needs).
    data : pandas.DataFrame, optional
        Findings (default: the whole table).
    """
    df = _findings(data)
    columns = [column] if isinstance(column, str) else list(column)
    present: dict = {c: {} for c in columns if c in df.columns}
    if not df.empty and present:
        names = list(present)
        for row in zip(*(df[c].tolist() for c in names)):
            for c, cell in zip(names, row):
                for v in (cell if isinstance(cell, tuple) else (cell,)):
                    if v is not None and not (not isinstance(v, str) and pd.isna(v)):
                        present[c][v] = None
    lk = _lookups()
    out = {}
    for c in columns:
        if c not in present:
            out[c] = []
        elif isinstance(df[c].dtype, pd.CategoricalDtype):
            out[c] = [(_dn(lk, c, v), str(v)) for v in df[c].cat.categories if v in present[c]]
        else:
            out[c] = sorted(((_dn(lk, c, v), str(v)) for v in present[c]),
                            key=lambda p: (p[0].casefold(), p[1]))
    return out[column] if isinstance(column, str) else out


def _authors_short(authors) -> str:
    if not isinstance(authors, str) or not authors.strip():
        return ""
    people = [a.strip() for a in authors.split(";") if a.strip()]
    surname = people[0].split()[0] if people[0].split() else people[0]
    return surname if len(people) == 1 else f"{surname} et al."


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


@_one_snapshot
def format_source(source, section=None, refs=()) -> str:
    """Format a citation such as ``"Mohammed et al., §Exosomal proteins in cancer, refs 71, 72"``.

    Parameters
    ----------
    source : str
        A ``references.ref_key``; the first author's surname is shown.
    section : str, optional
        The review's section heading, in full.
    refs : tuple of int, optional
        The review's own reference numbers, all of them.
    """
    return _format_source(_source_names(), source, section, refs)


_NOT_A_SECTION = re.compile(r"(Table|Figure)\s+\d+(\s+caption)?|Abstract", re.IGNORECASE)


def section_text(section) -> str:
    """A section as a citation names it: "§" before a body section, tables, figures and
    abstracts as they are ("§Introduction", "Table 1", "Figure 2 caption", "Abstract")."""
    if not isinstance(section, str) or not section.strip():
        return ""
    text = " ".join(section.split())
    return text if _NOT_A_SECTION.fullmatch(text) else "§" + text


def _format_source(sources: dict, source, section=None, refs=()) -> str:
    if source is None or (not isinstance(source, str) and pd.isna(source)):
        return ""
    parts = [sources.get(source) or str(source)]
    if isinstance(section, str) and section.strip():
        parts.append(section_text(section))
    if _refs_text(refs):
        parts.append(_refs_text(refs))
    return ", ".join(parts)


def _get(row, col):
    v = row.get(col) if hasattr(row, "get") else None
    if v is None or (not isinstance(v, (str, tuple)) and pd.isna(v)):
        return None
    return v


def confidence_flag(confidence) -> str:
    """``""`` for a plainly stated finding, else a marker such as ``"⚠ disputed"``."""
    if confidence is None or (not isinstance(confidence, str) and pd.isna(confidence)):
        return ""
    if str(confidence) == "stated":
        return ""
    return f"{FLAG} {vocab_label('confidence', confidence)}"


@_one_snapshot
def citation_table(findings: pd.DataFrame, *, drug: bool = False, target: bool = False) -> Table:
    """Return a tidy, student-facing table of findings with full sources.

    Parameters
    ----------
    findings : pandas.DataFrame
        Rows of the ``findings`` table (e.g. from :func:`filter_findings`).
    drug : bool
        Add a ``drug`` column after ``cancer``: the drug(s) a finding names, by name
        ("bortezomib (BTZ)"), "–" where it names none.
    target : bool
        Add a ``target`` column after ``cargo``: the molecule the cargo acts on, by name
        ("MT-CYB"), "–" where none is named. Rows that share cargo and source often
        differ only there.

    Returns
    -------
    Table
        A DataFrame (so ``.head()`` and ``t[["cargo", "source"]]`` work) that displays
        readably. Columns ``id``, ``finding`` (the claim), ``cargo`` (display name, or
        the wording of the source when no molecule is linked), ``effect`` ("raises
        glycolysis", "lowers exosome release"), ``cells`` ("donor → recipient"),
        ``cancer`` and ``source`` ("Mohammed et al., §section, refs 71, 72", never
        shortened). A finding whose ``confidence`` is not ``stated`` ends its source
        with a marker such as "⚠ disputed" or "⚠ typo in the source", so flagged rows
        stay visible whichever columns a lesson selects.
    """
    columns = ["id", "finding", "cargo", "effect", "cells", "cancer", "source"]
    if drug:
        columns.insert(columns.index("cancer") + 1, "drug")
    if target:
        columns.insert(columns.index("cargo") + 1, "target")
    lk, sources = _lookups(), _source_names()
    needed = ["finding_id", "claim", "cargo", "cargo_in_source", "target", "effect", "direction",
              "donor_cell", "recipient_cell", "cancer_type", "drug", "source", "section", "refs",
              "confidence"]
    rows = []
    for r in findings[[c for c in needed if c in findings.columns]].to_dict("records"):
        cargo = _dn(lk, "cargo", _get(r, "cargo")) or (_get(r, "cargo_in_source") or "")
        effect = vocab_label("effect", _get(r, "effect"), _get(r, "direction"))
        donor = _dn(lk, "donor_cell", _get(r, "donor_cell"))
        recipient = _dn(lk, "recipient_cell", _get(r, "recipient_cell"))
        cells = f"{donor or '?'} → {recipient or '?'}" if (donor or recipient) else ""
        source = _format_source(sources, _get(r, "source"), _get(r, "section"), _get(r, "refs") or ())
        flag = confidence_flag(_get(r, "confidence"))
        row = {
            "id": str(_get(r, "finding_id") or ""),
            "finding": str(_get(r, "claim") or ""),
            "cargo": str(cargo),
            "effect": effect,
            "cells": cells,
            "cancer": _dn(lk, "cancer_type", _get(r, "cancer_type")),
            "source": f"{source}; {flag}" if flag and source else (source or flag),
        }
        if target:
            row["target"] = _dn(lk, "target", _get(r, "target")) or MISSING
        if drug:
            named = _get(r, "drug")
            named = named if isinstance(named, tuple) else (() if named is None else (named,))
            row["drug"] = ", ".join(_dn(lk, "drug", v) for v in named) or MISSING
        rows.append(row)
    return _as_table(pd.DataFrame(rows, columns=columns), humanise=False)


@_one_snapshot
def summarise(findings: pd.DataFrame, by: str = "theme", *, missing: bool = True) -> Table:
    """Count findings per value of one column.

    Parameters
    ----------
    findings : pandas.DataFrame
        Findings rows.
    by : str
        Column to group by, e.g. ``"theme"``, ``"cargo_class"`` or ``"cancer_type"``.
    missing : bool
        Add a last row for the findings that leave ``by`` empty, labelled with the
        column in words ("(no effect recorded)", "(no resistance mechanism recorded)";
        its id is None), so the counts add up to every finding.

    Returns
    -------
    Table
        Columns ``by`` (the ids you can pass to :func:`filter_findings`), ``label``
        (display name, e.g. "raises glycolysis") and ``findings`` (count), most findings
        first (ties in teaching order for vocabularies, else by id). The display shows
        the label, headed by the column's name in words ("donor cell"), and the count;
        the id column stays in the data for code, filters and plots. ``label`` is left
        out when it would only repeat the ids (``cargo_class``); then the ids are shown.
    """
    if by not in findings.columns:
        raise KeyError(f"findings have no column {by!r}; columns: {', '.join(findings.columns)}")
    values = [v for cell in findings[by].dropna()
              for v in (cell if isinstance(cell, tuple) else (cell,))]
    empty = int(sum(1 for cell in findings[by]
                    if _missing(cell) or (isinstance(cell, tuple) and not cell)))
    counts = pd.Series(values, dtype=object).value_counts()
    lk = _lookups()
    if isinstance(findings[by].dtype, pd.CategoricalDtype):
        rank = {c: i for i, c in enumerate(findings[by].cat.categories)}
    else:
        rank = {}
    order = sorted(counts.index, key=lambda v: (-counts[v], rank.get(v, len(rank)), str(v)))
    keys = [str(v) for v in order]
    labels = [_dn(lk, by, v) for v in order]
    totals = [int(counts[v]) for v in order]
    with_label = labels != keys
    if missing and empty:
        keys.append(None)
        labels.append(f"(no {header_label(by)} recorded)")
        totals.append(empty)
    out = {by: keys, "label": labels, "findings": totals}
    if not with_label:
        out[by] = [k if k is not None else lab for k, lab in zip(keys, labels)]
        del out["label"]
    frame = pd.DataFrame(out, columns=list(out))
    if not with_label:
        return _as_table(frame, humanise=False)
    return _as_table(frame, humanise=False, hidden=[by], headers={"label": header_label(by)})


@_one_snapshot
def communication_matrix(theme=None, effect=None, *, data=None) -> Table:
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
        return _as_table(pd.DataFrame(dtype=int).rename_axis(index="donor", columns="recipient"),
                         humanise=False)
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
    return _as_table(pd.DataFrame(grid, index=pd.Index(donors, name="donor"),
                                  columns=pd.Index(recips, name="recipient")), humanise=False)


@_one_snapshot
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
    """Findings with a resistance mechanism (one row per drug and mechanism they name)."""
    df = _findings(data)
    if df.empty or "resistance_mechanism" not in df.columns:
        return df.iloc[0:0]
    if "drug" in df.columns:
        df = _explode(df, "drug")
    df = _explode(df, "resistance_mechanism")
    return df.loc[df["resistance_mechanism"].notna().to_numpy()]


def _mechanisms() -> list:
    try:
        return list(_data.vocabulary("resistance_mechanism"))
    except DataError:
        return []


@_one_snapshot
def resistance_matrix_table(*, data=None) -> Table:
    """Count findings per drug × resistance mechanism.

    Every mechanism of the ``resistance_mechanism`` vocabulary is a column (zeros
    included), and findings that name a mechanism but no drug are counted in a last
    row, :data:`NO_DRUG` ("(no specific drug)"), so every mechanism-tagged finding
    is in the matrix once per drug it names.

    Returns
    -------
    pandas.DataFrame
        Integer counts; index = drug display names, then :data:`NO_DRUG` if any
        (``"drug"``); columns = the mechanisms in vocabulary order (``"mechanism"``).
    """
    df = _resistance_rows(data)
    vocab = _mechanisms()
    if df.empty:
        return _as_table(pd.DataFrame(0, index=pd.Index([], name="drug"),
                                      columns=pd.Index(vocab, name="mechanism"), dtype=int))
    lk = _lookups()
    raw = df["drug"] if "drug" in df.columns else pd.Series(None, index=df.index, dtype=object)
    drugs = pd.Series([NO_DRUG if _missing(v) else _dn(lk, "drug", v) for v in raw],
                      name="drug", dtype=object)
    mechs = pd.Series(df["resistance_mechanism"].astype(str).to_numpy(), name="mechanism")
    table = pd.crosstab(drugs, mechs)
    columns = vocab + sorted(m for m in table.columns if m not in vocab)
    rows = sorted((d for d in table.index if d != NO_DRUG), key=lambda d: (d.casefold(), d))
    rows += [NO_DRUG] if NO_DRUG in table.index else []
    table = table.reindex(index=pd.Index(rows, name="drug"),
                          columns=pd.Index(columns, name="mechanism"), fill_value=0)
    return _as_table(table.astype(int))


@_one_snapshot
def resistance_cell(drug, mechanism, *, data=None) -> Table:
    """Return the long table behind one drug × mechanism cell: cargo and cancers.

    Parameters
    ----------
    drug : str or list
        Drug id or display name; ``None`` or ``"(any)"`` means every drug;
        :data:`NO_DRUG` ("(no specific drug)") the findings that name none.
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
        return _as_table(pd.DataFrame(columns=columns), humanise=False)
    drugs, mechs = _as_list(drug), _as_list(mechanism)
    if drugs is not None:
        named = [d for d in drugs if str(d) != NO_DRUG]
        raw = df["drug"] if "drug" in df.columns else pd.Series(None, index=df.index, dtype=object)
        keep = np.zeros(len(df), dtype=bool)
        if named:
            keep |= _cell_matches(raw, _ids_for("drug", named)).to_numpy()
        if len(named) < len(drugs):   # the "(no specific drug)" row
            keep |= raw.isna().to_numpy()
        df = df.loc[keep]
    if mechs is not None:
        df = df.loc[df["resistance_mechanism"].astype(str).isin([str(m) for m in mechs]).to_numpy()]
    cites = citation_table(df)
    out = pd.DataFrame({"id": cites["id"], "cargo": cites["cargo"],
                        "cargo_class": df["cargo_class"].astype(str).tolist() if "cargo_class" in df else "",
                        "cancer": cites["cancer"], "finding": cites["finding"],
                        "source": cites["source"]}, columns=columns).reset_index(drop=True)
    return _as_table(out, humanise=False)


@_one_snapshot
def therapeutics(strategy=None, *, acts_on=None, cancer_type=None, evidence=None) -> Table:
    """Return rows of the ``therapeutics`` table that pass every given filter.

    Parameters
    ----------
    strategy : str or list, optional
        ``"carrier"``, ``"blocker"``, ``"vaccine"`` or ``"cell_therapy"``.
    acts_on : str or list of str, optional
        Keep rows whose ``target`` (what the therapy acts on) contains any of these
        words, ignoring case; taken literally, not as a regex.
        ``acts_on=["secretion", "sphingomyelinase", "AKT", "release"]`` finds the
        therapies that block exosome production or release.
    cancer_type : str or list, optional
        Cancer ids or names, as in :func:`filter_findings`.
    evidence : str or list, optional
        ``"in_vitro"``, ``"mouse"``, ``"clinical"`` or ``"not_stated"``.

    Returns
    -------
    Table
        The matching rows, every column, table order, fresh index; displays with
        names for drugs, cancers and molecules.
    """
    df = _table("therapeutics")
    if df.empty:
        return _as_table(df)
    mask = pd.Series(True, index=df.index)
    for col, value in (("strategy", strategy), ("evidence", evidence)):
        values = _as_list(value)
        if values is not None:
            mask &= df[col].astype(str).isin([str(v) for v in values])
    cancers = _as_list(cancer_type)
    if cancers is not None:
        mask &= _cell_matches(df["cancer_type"], _ids_for("cancer_type", cancers))
    words = _as_list(acts_on)
    if words is not None:
        text = df["target"].astype("string").fillna("").map(_fold)
        hit = pd.Series(False, index=df.index)
        for w in words:
            hit |= text.str.contains(_fold(str(w)[:_MAX_TEXT]), regex=False)
        mask &= hit.astype(bool)
    return _as_table(df.loc[mask].reset_index(drop=True))


_ISSUE_COLUMNS = {"issue_id": "issue", "kind": "kind", "what_the_source_says": "what the source says",
                  "what_the_course_does": "what the course does", "note": "note"}


@_one_snapshot
def source_issues(*ids) -> Table:
    """Return rows of the ``source_issues`` table in a compact, readable form.

    Parameters
    ----------
    *ids : str or list of str
        Issue ids such as ``"SI43"``, in the order to show them; none means every
        issue, in table order.

    Returns
    -------
    Table
        Columns ``issue``, ``kind``, ``what the source says`` and ``what the course
        does``, plus ``note`` when one of the rows has a note. The source, section and
        the list of affected rows are left out; ``kb.load("source_issues")`` has them.

    Raises
    ------
    KeyError
        An id that is not in the table (the message names it).

    Examples
    --------
    >>> source_issues("SI43", "SI44")        # doctest: +SKIP
    """
    wanted = [str(i) for item in ids
              for i in ([item] if isinstance(item, str) or not isinstance(item, Iterable) else item)]
    df = _table("source_issues")
    known = df["issue_id"].astype(str).tolist() if "issue_id" in df.columns else []
    missing = [i for i in wanted if i not in known]
    if missing:
        raise KeyError(f"no source issue {', '.join(missing)} in the source_issues table "
                       f"({len(known)} issues; kb.load('source_issues') lists them)")
    if wanted:
        df = df.set_index("issue_id", drop=False).loc[wanted]
    columns = [c for c in _ISSUE_COLUMNS if c in df.columns]
    if "note" in columns and df["note"].isna().all():
        columns.remove("note")
    out = df[columns].rename(columns=_ISSUE_COLUMNS).reset_index(drop=True)
    return _as_table(out)


@_one_snapshot
def drugs(role=None) -> Table:
    """Return rows of the ``drugs`` table, optionally only those of some roles.

    Parameters
    ----------
    role : str or list of str, optional
        ``"chemotherapy"``, ``"targeted"`` or ``"exosome_inhibitor"`` (the ``role``
        values of the registry); ``None`` or ``"(any)"`` means every drug.

    Returns
    -------
    Table
        The matching rows, every column, table order, fresh index.

    Raises
    ------
    ValueError
        A role the registry does not allow (the message lists the allowed ones).

    Examples
    --------
    >>> drugs(role="exosome_inhibitor")[["name", "chebi_id", "note"]]   # doctest: +SKIP
    """
    df = _table("drugs")
    roles = _as_list(role)
    if roles is None:
        return _as_table(df.reset_index(drop=True))
    allowed = (list(df["role"].cat.categories) if "role" in df.columns
               and isinstance(df["role"].dtype, pd.CategoricalDtype) else None)
    unknown = [r for r in roles if allowed is not None and str(r) not in allowed]
    if unknown:
        raise ValueError(f"role must be one of {', '.join(allowed)}; got {', '.join(map(repr, unknown))}")
    if "role" not in df.columns:
        return _as_table(df.iloc[0:0].reset_index(drop=True))
    keep = df["role"].astype(str).isin([str(r) for r in roles])
    return _as_table(df.loc[keep.to_numpy()].reset_index(drop=True))


#: The rotor the course's sedimentation examples use when the ``rotors`` table has it.
DEFAULT_ROTOR = "type_70_ti"


@_one_snapshot
def rotors() -> pd.DataFrame:
    """The ``rotors`` table indexed by ``rotor_id`` (empty if the registry has none)."""
    df = _table("rotors")
    if df.empty or "rotor_id" not in df.columns:
        return pd.DataFrame(columns=["name", "max_rpm", "r_max_mm", "r_min_mm", "k_factor"])
    return df.set_index("rotor_id")


def default_rotor(rotor=None) -> str:
    """The ``rotor_id`` a sedimentation example should use.

    Parameters
    ----------
    rotor : str, optional
        A wanted ``rotor_id``. ``None`` gives :data:`DEFAULT_ROTOR` when the table has
        it, else its first rotor (an instructor's table may hold other rotors).

    Raises
    ------
    ValueError
        ``rotor`` is not in the table (the message lists the valid ids), or the
        table holds no rotor at all.
    """
    ids = [str(i) for i in rotors().index]
    if not ids:
        raise ValueError("the rotors table holds no rotor; add one to rotors.csv")
    if rotor is None:
        return DEFAULT_ROTOR if DEFAULT_ROTOR in ids else ids[0]
    if str(rotor) not in ids:
        raise ValueError(f"rotor must be a rotor_id of the rotors table ({', '.join(ids)}); "
                         f"got {rotor!r}")
    return str(rotor)


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


@_one_snapshot
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


@_one_snapshot
def counts_by_theme(*, data=None) -> Table:
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
    return _as_table(pd.DataFrame({"theme": themes, "lesson": [THEME_LESSONS.get(t, "") for t in themes],
                                   "findings": [int(counts.get(t, 0)) for t in themes]}), humanise=False)


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
            joined = re.sub(r"`([^`]+)`", r"\1", " ".join(para))   # Markdown code marks read as text
            m = re.match(r"(.+?[.!?])(\s|$)", joined)
            return m.group(1) if m else joined
    return str(spec.get("title", ""))


@_one_snapshot
def kb_overview() -> Table:
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
    return _as_table(out, humanise=False)


_KIND_ORDER = {"review": 0, "guideline": 1, "course": 2, "cited_in_review": 3}
_LESSON_TEXT = "lesson text"


@_one_snapshot
def references_for(*, theme=None, finding_ids=None, tables=(), refs=(), sources=(),
                   review: str = "mohammed_review") -> "ReferenceList":
    """Return the deduplicated sources behind what a lesson shows, for its reference list.

    Parameters
    ----------
    theme : str or list, optional
        Take the findings of these themes.
    finding_ids : iterable of str, optional
        Take these findings (combined with ``theme`` if both are given).
    tables : iterable of str or DataFrame, optional
        Other tables the lesson shows, e.g. ``["biogenesis_steps", "uptake_routes"]``,
        or the filtered rows themselves; their ``source``, ``section`` and ``refs``
        are added.
    refs : iterable of int, optional
        Reference numbers of ``review`` cited in the lesson's prose; those not
        already listed under a section are listed as cited in the lesson text.
    sources : iterable of str, optional
        Further ``references.ref_key`` values the lesson relies on (``"misev2018"``).
    review : str
        Whose numbering ``refs`` uses (the Mohammed review).

    Returns
    -------
    ReferenceList
        A DataFrame, one row per source and section: ``ref_key``, ``citation``
        (authors, year, title, journal, DOI), ``section`` (in full), ``refs`` (every
        number, ``"71, 72"``), ``cited`` (the entries of the review's bibliography
        that the course holds for those numbers), ``findings`` (how many findings)
        and ``from`` (which course tables cite it). It displays as a bulleted
        reference list, nothing cut.
    """
    columns = ["ref_key", "citation", "section", "refs", "cited", "findings", "from"]
    frames: list[tuple[str, pd.DataFrame]] = []
    if theme is not None or finding_ids is not None:
        df = filter_findings(theme=theme)
        if finding_ids is not None:
            wanted = {str(f) for f in ([finding_ids] if isinstance(finding_ids, str) else finding_ids)}
            df = df.loc[df["finding_id"].astype(str).isin(wanted)]
        frames.append(("findings", df))
    for t in ([tables] if isinstance(tables, (str, pd.DataFrame)) else tables or ()):
        if isinstance(t, str):
            if t not in _data.list_tables():
                raise KeyError(f"unknown table {t!r}; tables are: {', '.join(_data.list_tables())}")
            frames.append((t, _table(t)))
        else:
            frames.append(("a table in the lesson", t))
    refs_df = _table("references")
    info = {r["ref_key"]: r for r in refs_df.to_dict("records")} if not refs_df.empty else {}
    cited = {}
    if "cited_as" in refs_df.columns:
        for r in refs_df.dropna(subset=["cited_as"]).to_dict("records"):
            cited[int(r["cited_as"])] = r
    groups: dict[tuple, dict] = {}
    for label, df in frames:
        if df is None or df.empty or "source" not in df.columns:
            continue
        cols = [c for c in ("source", "section", "refs") if c in df.columns]
        for r in df[cols].to_dict("records"):
            if _get(r, "source") is None:
                continue
            section = " ".join(str(_get(r, "section") or "").split())
            g = groups.setdefault((str(r["source"]), section), {"refs": set(), "n": 0, "from": []})
            g["refs"].update(int(x) for x in (_get(r, "refs") or ()))
            g["n"] += label == "findings"
            if label not in g["from"]:
                g["from"].append(label)
    listed = {n for (key, _), g in groups.items() if key == review for n in g["refs"]}
    extra = sorted({int(n) for n in refs} - listed)
    if extra:
        groups[(review, "")] = g = groups.get((review, ""), {"refs": set(), "n": 0, "from": []})
        g["refs"].update(extra)
        g["from"].append(_LESSON_TEXT)
    for key in ([sources] if isinstance(sources, str) else sources or ()):
        if key not in info:
            raise KeyError(f"unknown reference {key!r}; see exolab.data.load('references')")
        if not any(k == key for k, _ in groups):
            groups[(str(key), "")] = {"refs": set(), "n": 0, "from": [_LESSON_TEXT]}
    if not groups:
        return _as_table(pd.DataFrame(columns=columns), cls=ReferenceList)

    def order(item):
        (key, section), g = item
        kind = (info.get(key) or {}).get("kind")
        return (_KIND_ORDER.get(str(kind), 9), key, section == "" and g["n"] == 0, section)

    rows = []
    for (key, section), g in sorted(groups.items(), key=order):
        rows.append({"ref_key": key, "citation": _citation(info.get(key), key), "section": section,
                     "refs": ", ".join(map(str, sorted(g["refs"]))),
                     "cited": "; ".join(f"[{n}] {_citation(cited[n], '')}" for n in sorted(g["refs"])
                                        if n in cited and key == review),
                     "findings": g["n"], "from": ", ".join(g["from"])})
    return _as_table(pd.DataFrame(rows, columns=columns), humanise=False, cls=ReferenceList)


def _reference_groups(df: pd.DataFrame) -> list[tuple[str, list[dict]]]:
    out: dict[str, list[dict]] = {}
    for r in df.to_dict("records"):
        out.setdefault(str(r.get("ref_key")), []).append(r)
    return list(out.items())


def _section_line(r: dict) -> str:
    refs = str(r.get("refs") or "")
    n = r.get("findings")
    tables = [str(x).replace("_", " ") for x in str(r.get("from") or "").split(", ")
              if x and x not in ("findings", _LESSON_TEXT)]
    what = [f"{int(n)} finding{'s' if n != 1 else ''}"] if isinstance(n, (int, np.integer)) and n else []
    if tables:
        what.append(("table: " if len(tables) == 1 else "tables: ") + ", ".join(tables))
    if r.get("section"):
        where = section_text(r["section"])
    elif what:
        where = "whole document"
    else:
        where = "cited in the lesson text"
    line = where + (f": refs {refs}" if "," in refs else f": ref {refs}" if refs else "")
    return line + (f" ({'; '.join(what)})" if what else "")


class ReferenceList(Table):
    """The result of :func:`references_for`: a DataFrame shown as a bulleted reference list."""

    _FIELDS = {"ref_key", "citation", "section", "refs"}

    def _repr_html_(self) -> str:
        if not self._FIELDS <= set(self.columns):
            return super()._repr_html_()
        if self.empty:
            return "<p><i>No references.</i></p>"
        items = []
        for _key, rows in _reference_groups(self):
            sub = "".join(f"<li>{html.escape(_section_line(r))}</li>" for r in rows)
            cited = [c for r in rows for c in str(r.get("cited") or "").split("; ") if c]
            bib = ("<li>Entries of its bibliography held by the course:<ul style='margin:0.1em 0'>"
                   + "".join(f"<li>{html.escape(c)}</li>" for c in dict.fromkeys(cited))
                   + "</ul></li>") if cited else ""
            items.append(f"<li style='margin-bottom:0.4em'>{html.escape(str(rows[0]['citation']))}"
                         f"<ul style='margin:0.1em 0'>{sub}{bib}</ul></li>")
        return ("<ul class='exolab-references' style='line-height:1.4;text-align:left'>"
                + "".join(items) + "</ul>")

    def __repr__(self) -> str:
        if not self._FIELDS <= set(self.columns):
            return super().__repr__()
        if self.empty:
            return "No references."
        import textwrap

        lines = []
        for _key, rows in _reference_groups(self):
            lines += textwrap.wrap(str(rows[0]["citation"]), width=_TEXT_WIDTH, initial_indent="- ",
                                   subsequent_indent="  ")
            for r in rows:
                lines += textwrap.wrap(_section_line(r), width=_TEXT_WIDTH, initial_indent="    - ",
                                       subsequent_indent="      ")
            cited = [c for r in rows for c in str(r.get("cited") or "").split("; ") if c]
            for c in dict.fromkeys(cited):
                lines += textwrap.wrap(c, width=_TEXT_WIDTH, initial_indent="    * ",
                                       subsequent_indent="      ")
        return "\n".join(lines)


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
    return " ".join(p if p.endswith((".", "?", "!", "…")) else p + "." for p in parts)
