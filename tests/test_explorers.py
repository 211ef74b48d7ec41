"""Knowledge-base plots and explorer widgets, driven the way a learner drives them."""
from __future__ import annotations

import os
import re
import shutil
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import exolab.data as d
from exolab import query as q
from exolab.plots import data as pdata
from exolab.widgets import explorers as E

KB = Path(__file__).parent / "fixtures" / "kb"
ANY = E.ANY
# The fixture's vocabularies, read as plain YAML so parametrising touches no exolab cache.
_VOCAB = yaml.safe_load((KB / "tables.yml").read_text(encoding="utf-8"))["vocabularies"]


@pytest.fixture
def kb_copy(tmp_path, monkeypatch):
    """A private copy of the test knowledge base, for tests that edit its files."""
    copy = tmp_path / "kb"
    shutil.copytree(KB, copy)
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(copy))
    d.clear_cache()
    yield copy
    d.clear_cache()


def _rewrite(path: Path, text: str, step: int) -> None:
    """Write ``text`` with a modification time no earlier save can share (the loader
    notices a changed file by its time)."""
    path.write_text(text, encoding="utf-8")
    ns = path.stat().st_mtime_ns + step * 10**9
    os.utime(path, ns=(ns, ns))


class corrupted:
    """Context: ``name``.csv gets a ragged last row; restored (with a new time) on exit."""

    def __init__(self, folder: Path, name: str):
        self.path, self.original = folder / f"{name}.csv", (folder / f"{name}.csv").read_text("utf-8")

    def __enter__(self):
        _rewrite(self.path, self.original + "ragged\n", 5)
        return self

    def __exit__(self, *exc):
        _rewrite(self.path, self.original, 10)


def assert_problem(w, filename):
    """The explorer shows an error box naming the file, and nothing stale."""
    assert w.error and filename in w.error
    assert "exolab-message-error" in w.table.value and filename in w.table.value
    assert "<table" not in w.table.value
    if hasattr(w, "reset"):
        assert w.reset.button_style == "warning"
    if isinstance(getattr(w, "plot", None), E.W.Output):
        assert "image/png" not in w.plot.outputs[0]["data"]
        assert filename in w.plot.outputs[0]["data"]["text/html"]


def bars(ax):
    return [int(p.get_width()) for p in ax.patches if p.get_gid() == "bar"]


def note_visible(ax):
    return [t.get_visible() for t in ax.texts if t.get_gid() == "nomatch"] == [True]


def mesh(ax):
    return np.asarray(ax.collections[0].get_array()).reshape(len(ax.get_yticks()), len(ax.get_xticks()))


_SQUARE = re.compile(r"<td title='([^']*?): (\d+) findings?' style='background:(#[0-9a-f]{6})")


def html_squares(page: str) -> list:
    """(tooltip pair, count, colour) of every square of an HTML heatmap, row by row."""
    return [(pair, int(n), colour) for pair, n, colour in _SQUARE.findall(page)]


def html_mesh(page: str) -> list:
    """The counts of an HTML heatmap as rows (as :func:`mesh` gives them for a PNG one)."""
    rows = re.findall(r"<tr><th[^>]*>[^<]*</th>(.*?)</tr>", page)
    return [[int(n) for _pair, n, _c in _SQUARE.findall(r)] for r in rows if "<td title=" in r]


# ------------------------------------------------------------------- plots ---

def test_findings_summary_bars(kb):
    ax = pdata.plot_findings_summary(q.filter_findings(), by="cargo_class")
    assert bars(ax) == [4, 2, 1, 1]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["protein", "miRNA", "lncRNA", "mixed"]
    assert ax.patches[0].get_facecolor()[:3] == pytest.approx((0.0, 114 / 255, 178 / 255))  # fixed protein colour


def test_findings_summary_by_effect_has_labels_and_one_neutral_colour(kb):
    from matplotlib.colors import to_rgba

    from exolab.plots import NEUTRAL

    ax = pdata.plot_findings_summary(q.filter_findings(), by="effect")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    counts = q.summarise(q.filter_findings(), by="effect", missing=False)
    assert labels == counts["label"].tolist() and all("_" not in t for t in labels)
    assert bars(ax) == sorted(bars(ax), reverse=True)         # most findings on top
    colours = {tuple(p.get_facecolor()) for p in ax.patches if p.get_gid() == "bar"}
    assert colours == {to_rgba(NEUTRAL)}


def test_findings_summary_with_context_then_update(kb):
    ax = pdata.plot_findings_summary(q.filter_findings(theme="immunity"), context=q.filter_findings())
    assert [int(p.get_width()) for p in ax.patches if p.get_gid() == "context"] == [4, 2, 1, 1]
    assert bars(ax) == [1, 1, 0, 0]
    pdata.update_findings_summary(ax, q.filter_findings(theme="therapy"))
    assert bars(ax) == [0, 0, 0, 0] and note_visible(ax)


@pytest.mark.parametrize("empty", [None, pd.DataFrame(), "filtered"])
def test_empty_data_gives_a_message_not_an_error(kb, empty):
    data = q.filter_findings(theme="therapy") if isinstance(empty, str) else empty
    for plot in (pdata.plot_findings_summary, pdata.plot_communication_heatmap, pdata.plot_resistance_matrix):
        if data is None and plot is not pdata.plot_findings_summary:
            continue  # None means "whole table" for the matrices
        ax = plot(data)
        assert pdata.NO_MATCH in [t.get_text() for t in ax.texts]
        assert not ax.axison


def test_theme_counts_bars(kb):
    ax = pdata.plot_theme_counts()
    assert [int(p.get_width()) for p in ax.patches] == [1, 1, 0, 2, 1, 3, 0]
    assert "drug resistance" in [t.get_text() for t in ax.get_yticklabels()]


def counts(ax):
    """(row, column, text) of every count label on a heatmap."""
    return sorted((int(t.get_position()[1] - 0.5), int(t.get_position()[0] - 0.5), t.get_text())
                  for t in ax.texts if t.get_gid() == "count")


def test_communication_heatmap_values_and_labels(kb):
    ax = pdata.plot_communication_heatmap(q.communication_matrix())
    assert mesh(ax).tolist() == [[4, 1, 1], [1, 0, 0], [1, 0, 0]]
    # zeros are left blank, and get no Text at all
    assert counts(ax) == [(0, 0, "4"), (0, 1, "1"), (0, 2, "1"), (1, 0, "1"), (2, 0, "1")]
    changed = pdata.update_heatmap(ax, q.communication_matrix(theme="immunity"))
    assert mesh(ax).tolist() == [[0, 1, 1], [0, 0, 0], [0, 0, 0]]
    assert counts(ax) == [(0, 1, "1"), (0, 2, "1")]
    assert all(t.axes is ax for t in changed[1:])            # removed labels are gone, not blank
    pdata.update_heatmap(ax, q.communication_matrix(theme="drug_resistance"))
    assert counts(ax) == [(0, 0, "2"), (1, 0, "1")]          # new labels where zeros were
    pdata.update_heatmap(ax, q.communication_matrix(theme="therapy"))
    assert counts(ax) == [] and note_visible(ax)


MECHANISMS = ["drug efflux and export", "anti-apoptosis", "metabolic rewiring", "horizontal transfer",
              "oncogenic signalling", "lipid and membrane changes"]


def test_resistance_heatmap_values(kb):
    ax = pdata.plot_resistance_matrix()
    assert mesh(ax).tolist() == [[0, 0, 0, 1, 1, 0], [0, 1, 0, 0, 0, 0]]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cisplatin", "doxorubicin"]
    assert [t.get_text() for t in ax.get_xticklabels()] == MECHANISMS     # all six, empty or not


def test_resistance_heatmap_sets_the_no_drug_row_apart(kb):
    findings = d.load("findings")
    findings.loc[findings["finding_id"].isin(["F005", "F007"]), "drug"] = pd.NA
    matrix = q.resistance_matrix_table(data=findings)
    matrix.loc[q.NO_DRUG, "anti_apoptosis"] = 9              # a large row must not wash out the drugs
    ax = pdata.plot_resistance_matrix(matrix)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cisplatin", q.NO_DRUG]
    assert ax.collections[0].get_clim() == (0, 1.0)          # colour scale from the drug rows
    assert (1, 1, "9") in counts(ax)                          # its numbers still shown
    assert [line.get_ydata()[0] for line in ax.lines] == [1]  # the dividing line


def test_heatmap_drops_empty_rows_and_columns_and_reads_at_9pt(kb):
    m = q.communication_matrix(theme="immunity")
    padded = m.reindex(index=list(m.index) + ["platelet"], columns=list(m.columns) + ["B cell"],
                       fill_value=0)
    ax = pdata.plot_communication_heatmap(padded)
    assert mesh(ax).tolist() == [[1, 1]]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cancer (tumour) cell"]
    assert min(t.get_fontsize() for t in ax.texts if t.get_text()) >= 9
    (w, h), _ = pdata.heatmap_layout(pdata.communication_frame(padded), title=pdata.COMMUNICATION_TITLE)
    assert ax.figure.get_size_inches().tolist() == pytest.approx([w, h])


def test_heatmap_html(kb):
    page = pdata.communication_heatmap_html(q.communication_matrix(theme="immunity"))
    assert page.count("<td") == 2 and ">1</td>" in page
    assert "title='cancer (tumour) cell → T cell: 1 finding'" in page
    assert "line-height" in page and "writing-mode:vertical-rl" in page
    assert pdata.NO_MATCH in pdata.communication_heatmap_html(q.communication_matrix(theme="therapy"))


# ---------------------------------------------------------- cargo explorer ---

def test_explorer_controls_fit_their_text(kb):
    w = E.cargo_explorer()
    assert w.controls["text"].placeholder == "e.g. PKM2, PD-L1"
    assert all(c.layout.width == E._DROPDOWN_WIDTH for c in w.controls.values())
    effect_labels = [label for label, _ in w.controls["effect"].options]
    assert "raises glycolysis" in effect_labels and "glycolysis_up" not in effect_labels
    assert "line-height" in w.children[0].value


def test_cargo_explorer_filters_update_count_table_and_plot(kb):
    w = E.cargo_explorer()
    assert set(w.controls) == {"theme", "cargo_class", "cancer_type", "donor_cell", "recipient_cell",
                               "pathway", "effect", "text"}
    assert "8 of 8 findings match" in w.count.value
    w.controls["theme"].value = "immunity"
    assert "2 of 8 findings match" in w.count.value
    assert "F003" in w.table.value and "F006" in w.table.value and "F001" not in w.table.value
    assert "Camci et al." in w.table.value
    assert bars(w.ax) == [1, 1, 0, 0]
    assert w.plot.outputs[0]["data"]["image/png"]
    w.controls["cancer_type"].value = "breast_cancer"
    assert "1 of 8" in w.count.value and list(w.result["finding_id"]) == ["F006"]


def test_cargo_explorer_no_rows_then_reset(kb):
    w = E.cargo_explorer(theme="immunity")
    w.controls["cargo_class"].value = "lncRNA"
    assert "0 of 8 findings match" in w.count.value
    assert "No findings match this combination" in w.table.value
    assert "<table" not in w.table.value
    assert w.reset.button_style == "warning" and note_visible(w.ax)
    w.controls["text"].value = "PKM2"
    w.reset.click()
    assert "8 of 8 findings match" in w.count.value
    assert all(c.value == ANY for k, c in w.controls.items() if k != "text") and w.controls["text"].value == ""
    assert bars(w.ax) == [4, 2, 1, 1] and not note_visible(w.ax)


@pytest.mark.parametrize("text, n", [("PKM2", 1), ("alix", 1), ("PD-L1", 1), ("café", 1), ("(a+b)*?", 1),
                                     ("<b>in", 1), ("x" * 10_000, 0), ("🙂" * 50, 0), ("[", 0)])
def test_cargo_explorer_text_search_is_safe(kb, text, n):
    w = E.cargo_explorer()
    w.controls["text"].value = text
    assert f"{n} of 8 findings match" in w.count.value
    assert ("No findings match" in w.table.value) == (n == 0)


def test_cargo_explorer_escapes_data(kb):
    w = E.cargo_explorer(theme="metastasis")
    assert "<b>in &" not in w.table.value
    assert "&lt;b&gt;in &amp; around&lt;/b&gt;" in w.table.value


def test_cargo_explorer_initial_filters(kb):
    assert "3 of 8" in E.cargo_explorer(cancer_type="breast cancer").count.value   # display name
    assert "1 of 8" in E.cargo_explorer(text="PKM2").count.value
    both = E.cargo_explorer(theme=["immunity", "metabolism"])
    assert "3 of 8" in both.count.value
    assert "Filters: Theme = immunity or metabolism." in both._repr_mimebundle_()["text/html"]
    unknown = E.cargo_explorer(theme="no_such_theme")
    assert "0 of 8" in unknown.count.value and "No findings match" in unknown.table.value
    with pytest.raises(TypeError, match="colour"):
        E.cargo_explorer(colour="red")


def test_static_fallback_is_deterministic_and_escaped(kb):
    a = E.cargo_explorer(theme="metastasis")._repr_mimebundle_()
    b = E.cargo_explorer(theme="metastasis")._repr_mimebundle_()
    assert a["text/html"] == b["text/html"]
    assert "F008" in a["text/html"] and "1 of 8 findings match" in a["text/html"]
    assert "&lt;b&gt;in &amp; around&lt;/b&gt;" in a["text/html"] and "<b>in" not in a["text/html"]
    assert a["text/plain"] == "Cargo explorer: 1 of 8 findings match."
    assert "application/vnd.jupyter.widget-view+json" in a


def test_fallback_keeps_the_initial_view_after_interaction(kb):
    w = E.cargo_explorer(theme="immunity")
    before = w._repr_mimebundle_()["text/html"]
    w.controls["theme"].value = "metabolism"
    assert w._repr_mimebundle_()["text/html"] == before


# ------------------------------------------------------- communication map ---

def test_communication_map_drill_down(kb):
    w = E.communication_map()
    assert w.drawn.values.tolist() == [[4, 1, 1], [1, 0, 0], [1, 0, 0]]
    assert w.map.value == pdata.communication_heatmap_html(w.drawn)
    assert "8 findings from any cell to any cell" in w.count.value
    w.controls["theme"].value = "immunity"
    assert w.drawn.values.tolist() == [[1, 1]]          # only the donors and recipients with findings
    assert w.drawn.columns.tolist() == ["macrophage", "T cell"]
    assert w.map.value.count("<td") == 2 and "fibroblast" not in w.map.value
    assert [v for _, v in w.controls["donor"].options] == [ANY, "cancer (tumour) cell"]
    w.controls["donor"].value = "cancer (tumour) cell"
    w.controls["recipient"].value = "T cell"
    assert "1 finding from cancer (tumour) cell to T cell" in w.count.value
    assert "F003" in w.table.value and "F006" not in w.table.value


def test_communication_map_no_rows_and_reset(kb):
    w = E.communication_map(theme="metastasis")
    w.controls["effect"].value = "m2_polarisation"
    assert "0 findings" in w.count.value and "No findings match" in w.table.value
    assert pdata.NO_MATCH in w.map.value and w.reset.button_style == "warning"
    w.reset.click()
    assert "8 findings" in w.count.value and pdata.NO_MATCH not in w.map.value
    assert w.controls["theme"].value == ANY


def test_communication_map_says_how_to_pick_a_square(kb):
    w = E.communication_map()
    intro = w.children[0].value
    assert "pick a donor and a recipient" in intro and "click" not in intro.lower()
    assert [label for label, _ in w.controls["effect"].options][1] == "raises glycolysis"


# -------------------------------------------------------- resistance matrix ---

def test_resistance_matrix_cell(kb):
    w = E.resistance_matrix()
    assert html_mesh(w.map.value) == [[0, 0, 0, 1, 1, 0], [0, 1, 0, 0, 0, 0]]
    assert "cisplatin × oncogenic signalling: 1 finding" in [p + f": {n} finding" for p, n, _ in
                                                            html_squares(w.map.value) if n == 1]
    assert [label for label, _ in w.controls["mechanism"].options][1:] == MECHANISMS
    assert "3 findings: any × any" in w.count.value
    w.controls["drug"].value = "cisplatin"
    w.controls["mechanism"].value = "oncogenic_signalling"
    assert "1 finding: cisplatin × oncogenic signalling" in w.count.value
    assert "miR-21" in w.table.value and "lung cancer" in w.table.value
    w.controls["mechanism"].value = "anti_apoptosis"
    assert "0 findings" in w.count.value and "No finding links this drug" in w.table.value
    assert "square" not in w.table.value
    w.reset.click()
    assert "3 findings" in w.count.value


def test_resistance_matrix_widget_shows_what_the_static_plot_draws(kb):
    w = E.resistance_matrix()
    static = pdata.plot_resistance_matrix()
    assert html_mesh(w.map.value) == mesh(static).tolist()
    page = w.map.value
    for label in [t.get_text() for t in static.get_xticklabels() + static.get_yticklabels()]:
        assert f">{label}<" in page
    assert pdata.RESISTANCE_TITLE in page and "<img" not in page


def test_resistance_matrix_drills_into_findings_without_a_drug(kb_copy):
    path = kb_copy / "findings.csv"
    _rewrite(path, path.read_text("utf-8").replace(",doxorubicin,anti_apoptosis,", ",,anti_apoptosis,"), 1)
    w = E.resistance_matrix()
    assert w.matrix.index.tolist() == ["cisplatin", q.NO_DRUG]
    assert [v for _, v in w.controls["drug"].options] == [ANY, "cisplatin", q.NO_DRUG]
    w.controls["drug"].value = q.NO_DRUG
    assert "1 finding: (no specific drug) × any" in w.count.value
    assert "F005" in w.table.value and "name a mechanism but no particular drug" in w.table.value
    w.controls["mechanism"].value = "anti_apoptosis"
    assert "F005" in w.table.value and w.reset.button_style == ""
    w.controls["mechanism"].value = "efflux_export"
    assert "0 findings" in w.count.value and w.reset.button_style == "warning"
    assert "last row counts findings that name a mechanism but no particular drug" in w.children[0].value


# ------------------------------------------------------------ molecule card ---

def test_molecule_card_content(kb):
    w = E.molecule_card("PKM2")
    card = w.card.value
    for piece in ("pyruvate kinase M1/2", "HGNC:9021", "PKM2", "M2-PK",
                  "lesson 02 – Exosomes and metabolic reprogramming", "F001", "Warburg effect"):
        assert piece in card
    assert "02_metabolic_reprogramming" not in card                  # lessons by number and title
    f001 = q.filter_findings().set_index("finding_id").loc["F001"]
    cells = (f"{q.display_name('donor_cell', f001['donor_cell'])} → "
             f"{q.display_name('recipient_cell', f001['recipient_cell'])}")
    assert cells in card                                             # who sends it to whom
    w.controls["name"].value = "HIF-1α"
    assert "HGNC:4910" in w.card.value and "(target)" in w.card.value


def test_molecule_card_static_text_counts_in_words(kb):
    one = E.molecule_card("ALIX")                       # one fixture finding
    assert one._repr_mimebundle_()["text/plain"].endswith("ALIX: 1 finding")
    assert "1 finding across the lessons" in one.card.value
    two = E.molecule_card("miR-21")
    assert two._repr_mimebundle_()["text/plain"].endswith("miR-21: 2 findings")


@pytest.mark.parametrize("name, expect", [("zzz", "no molecule"), ("", "Type or pick"),
                                          ("cisplatin", "not a molecule"), ("<script>", "no molecule"),
                                          ("y" * 5000, "too long")])
def test_molecule_card_odd_input_gives_a_message(kb, name, expect):
    w = E.molecule_card()
    w.controls["name"].value = name
    assert expect in w.card.value
    assert "<script>" not in w.card.value
    assert w.profile is None


# ------------------------------------------------------------ tour, check ---

def test_kb_tour(kb):
    w = E.kb_tour()
    assert ">findings</td>" in w.tables_html and "exolab-table-box" not in w.tables_html
    assert [int(p.get_width()) for p in w.ax.patches] == [1, 1, 0, 2, 1, 3, 0]
    w.controls["theme"].value = "drug_resistance"
    assert "3 findings on drug resistance (lesson 04 – How exosomes spread drug resistance)" in w.count.value
    assert "F002" in w.table.value
    w.controls["theme"].value = "therapy"
    assert "No findings on this theme yet." in w.table.value
    lean = E.kb_tour(tables=False, plot=False)
    assert w.plot in w.children and lean.plot not in lean.children and len(lean.children) == 4


def test_kb_tour_shows_exactly_the_examples_it_promises(kb, monkeypatch):
    monkeypatch.setattr(E.KbTour, "examples", 2)
    w = E.kb_tour()
    w.controls["theme"].value = "drug_resistance"            # 3 findings
    assert "the first 2:" in w.count.value
    assert len(re.findall(r"<tr[ >]", w.table.value)) == 3    # header + exactly 2 rows (striped or not)
    assert "exolab-table-box" not in w.table.value            # in full, never in a scroll box


def test_long_tables_scroll_in_a_bordered_box_with_a_cue(kb):
    rows = pd.DataFrame({"finding": ["A long finding text that wraps over several lines " * 3] * 30})
    boxed = E.table_html(rows)
    assert "exolab-table-box" in boxed and "border:1px solid" in boxed and "scroll inside the box" in boxed
    assert "position:sticky" in boxed
    short = E.table_html(rows.head(4))
    assert "exolab-table-box" not in short and "scroll" not in short


def test_widget_self_check():
    w = E.widget_self_check()
    bundle = w._repr_mimebundle_()
    assert "If you can read this, interactive widgets are not rendering" in bundle["text/html"]
    for hint in ("run this cell", "trust", "restart the kernel", "make lab"):
        assert hint in bundle["text/html"]
    assert bundle["text/html"] == E.widget_self_check()._repr_mimebundle_()["text/html"]
    assert not w.label.value.startswith("✓")
    w.button.click()
    assert w.label.value.startswith("✓ The kernel answered")


# --------------------------------------------- every filter value, every pair ---

def assert_consistent(w, expected: int, empty_text: str):
    """Count matches the query; an empty result shows a message, no table, a warning Reset."""
    assert f"{expected} of 8 findings match" in w.count.value or \
        f"{expected} finding{'s' if expected != 1 else ''} " in w.count.value, w.count.value
    if expected == 0:
        assert empty_text in w.table.value and "<table" not in w.table.value
        assert w.reset.button_style == "warning"
    else:
        assert "<table" in w.table.value and empty_text not in w.table.value
        assert w.reset.button_style == ""
    assert w.error is None


@pytest.mark.parametrize("column", E.CargoExplorer.filters)
def test_cargo_explorer_every_single_filter_value(kb, column):
    w = E.cargo_explorer()
    values = [v for _, v in w.controls[column].options if v != ANY]
    assert values
    for value in values:
        w.controls[column].value = value
        expected = len(q.filter_findings(**{column: value}))
        assert_consistent(w, expected, "No findings match this combination")
        assert note_visible(w.ax) == (expected == 0)
        assert sum(bars(w.ax)) >= expected
    w.reset.click()
    assert_consistent(w, 8, "No findings match")


@pytest.mark.parametrize("theme", [ANY] + _VOCAB["theme"])
def test_communication_map_every_theme_and_effect(kb, theme):
    w = E.communication_map(theme=theme)     # a theme without findings is kept as a choice
    assert w.controls["theme"].value == theme
    for effect in [ANY] + _VOCAB["effect"]:
        if effect not in [v for _, v in w.controls["effect"].options]:
            continue
        w.controls["effect"].value = effect
        expected = len(q.filter_findings(theme=theme, effect=effect))
        assert_consistent(w, expected, "No findings match")
        assert (pdata.NO_MATCH in w.map.value) == w.drawn.empty
        assert int(w.drawn.to_numpy().sum()) == expected      # every fixture finding has both cells
    w.reset.click()
    assert w.controls["theme"].value == ANY and "8 findings" in w.count.value


def test_communication_map_set_quietly_redraws_the_map(kb):
    w = E.communication_map()
    w._set_quietly({"theme": "immunity"})            # used to refresh the list only
    assert w.drawn.values.tolist() == [[1, 1]] and "2 findings" in w.count.value


# ------------------------------------------------ a CSV corrupted mid-session ---

def test_cargo_explorer_reports_a_broken_table_then_recovers(kb_copy):
    w = E.cargo_explorer()
    with corrupted(kb_copy, "cell_types"):
        w.controls["theme"].value = "immunity"
        assert_problem(w, "cell_types.csv")
        assert len(w.result) == 0 and "press 'Reset filters'" in w.error
    w.controls["theme"].value = "metabolism"
    assert w.error is None and "1 of 8 findings match" in w.count.value
    assert w.plot.outputs[0]["data"]["image/png"]


def test_communication_map_reports_a_broken_table_then_recovers(kb_copy):
    w = E.communication_map()
    with corrupted(kb_copy, "cell_types"):
        w.controls["theme"].value = "immunity"
        assert_problem(w, "cell_types.csv")
        assert "exolab-message-error" in w.map.value
    w.reset.click()
    assert w.error is None and "8 findings" in w.count.value and "<td" in w.map.value


def test_resistance_matrix_reports_a_broken_table_then_recovers(kb_copy):
    w = E.resistance_matrix()
    with corrupted(kb_copy, "findings"):
        w.controls["drug"].value = "cisplatin"
        assert_problem(w, "findings.csv")
    w.controls["mechanism"].value = "horizontal_transfer"
    assert w.error is None and "1 finding: cisplatin × horizontal transfer" in w.count.value


def test_molecule_card_reports_a_broken_table_then_recovers(kb_copy):
    w = E.molecule_card()
    with corrupted(kb_copy, "findings"):
        w.controls["name"].value = "ALIX"
        assert w.error and "findings.csv" in w.error and w.profile is None
        assert "type or pick the name again" in w.error                  # the way back
        assert "exolab-message-error" in w.card.value and "HGNC" not in w.card.value
    w.controls["name"].value = "PD-L1"
    assert w.error is None and "F003" in w.card.value


def test_kb_tour_reports_a_broken_table_then_recovers(kb_copy):
    w = E.kb_tour()
    with corrupted(kb_copy, "cell_types"):
        w.controls["theme"].value = "immunity"
        assert w.error and "cell_types.csv" in w.error
        assert "exolab-message-error" in w.table.value and "F003" not in w.table.value
    w.controls["theme"].value = "drug_resistance"
    assert w.error is None and "F002" in w.table.value


# ------------------------------------------------------------ no shared state ---

def test_importing_the_widget_modules_creates_no_widget():
    import subprocess
    import sys

    code = ("import exolab.widgets.explorers, exolab.widgets.models, exolab.widgets.quiz\n"
            "from ipywidgets.widgets.widget import _instances\nprint(len(_instances))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_explorers_share_no_layout(kb):
    a, b = E.cargo_explorer(), E.cargo_explorer()
    assert not {id(c.layout) for c in a.controls.values()} & {id(c.layout) for c in b.controls.values()}


def test_first_draw_uses_fixed_margins_that_fit(kb):
    w = E.cargo_explorer()
    assert w.figure.get_layout_engine() is None
    renderer = w.canvas.canvas.get_renderer()
    box = w.figure.bbox
    lo, hi = w.ax.get_xlim()
    shown = [t for t in w.ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]
    for t in [*w.ax.get_yticklabels(), *shown, w.ax.title, w.ax.xaxis.label]:
        e = t.get_window_extent(renderer)
        assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 and box.y0 - 1 <= e.y0 and e.y1 <= box.y1 + 1, t


# ------------------------------------------------------------------- speed ---

def test_cargo_explorer_updates_quickly(kb):
    """Generous bound (shared CI machines); the report measures the real numbers."""
    w = E.cargo_explorer()
    values = ["immunity", ANY, "metabolism", "drug_resistance", ANY]
    times = []
    for i in range(50):
        t = time.perf_counter()
        w.controls["theme"].value = values[i % len(values)]
        times.append(time.perf_counter() - t)
    assert statistics.median(times) < 0.2


# --------------------------------------------------------------- real data ---
# These always run: a curated table that stops loading must fail them, never skip them.

@pytest.fixture
def real(monkeypatch):
    """The course's own tables (no test knowledge base); a DataError here fails the test."""
    monkeypatch.delenv("EXOLAB_DATA_DIR", raising=False)
    d.clear_cache()
    assert len(d.load("findings")) > 0
    yield
    d.clear_cache()


@pytest.mark.parametrize("factory", ["cargo_explorer", "communication_map", "resistance_matrix",
                                     "molecule_card", "kb_tour"])
def test_real_data_widgets_build(real, factory):
    w = getattr(E, factory)()
    html = w._repr_mimebundle_()["text/html"]
    assert html and "Traceback" not in html and "exolab-static" in html
    assert html == getattr(E, factory)()._repr_mimebundle_()["text/html"]


def test_real_resistance_matrix_shows_six_mechanisms_and_the_no_drug_row(real):
    w = E.resistance_matrix()
    findings = d.load("findings")
    tagged = findings.loc[findings["resistance_mechanism"].notna()]
    assert w.matrix.shape[1] == 6 and int(w.matrix.values.sum()) == len(tagged)
    static = pdata.plot_resistance_matrix()
    assert [t.get_text() for t in static.get_xticklabels()] == MECHANISMS
    assert html_mesh(w.map.value) == mesh(static).tolist()
    assert sum(map(sum, html_mesh(w.map.value))) == len(tagged)
    # the "(no specific drug)" row is set apart and, as in the PNG, does not set the colour
    # scale: its larger counts sit on the darkest colour, the largest drug count too
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    assert "border-top:2px solid" in w.map.value
    darkest = to_hex(colormaps["Oranges"](1.0))
    squares = html_squares(w.map.value)
    drug_top = max(n for pair, n, _ in squares if not pair.startswith(q.NO_DRUG))
    assert all(c == darkest for pair, n, c in squares if n >= drug_top)
    assert any(pair.startswith(q.NO_DRUG) and n > drug_top for pair, n, _ in squares)
    w.controls["drug"].value = q.NO_DRUG
    n = int(tagged["drug"].isna().sum())
    assert f"{n} findings: (no specific drug) × any" in w.count.value
    w.controls["mechanism"].value = "lipid_membrane"
    assert len(w.result) == int(w.matrix.loc[q.NO_DRUG, "lipid_membrane"]) > 0


def test_real_communication_map_every_theme_and_effect(real):
    w = E.communication_map()
    themes = [v for _, v in w.controls["theme"].options]
    for theme in themes:
        w.controls["theme"].value = theme
        for effect in [v for _, v in w.controls["effect"].options]:
            w.controls["effect"].value = effect
            expected = len(q.filter_findings(theme=theme, effect=effect))
            n = f"{expected} finding{'s' if expected != 1 else ''} from any cell"
            assert n in w.count.value and w.error is None
            assert ("<table" in w.table.value) == (expected > 0)
            assert (w.reset.button_style == "warning") == (expected == 0)


@pytest.mark.parametrize("column", E.CargoExplorer.filters)
def test_real_cargo_explorer_every_single_filter_value(real, column):
    w = E.cargo_explorer()
    total = len(w.all)
    for value in [v for _, v in w.controls[column].options if v != ANY]:
        w.controls[column].value = value
        expected = len(q.filter_findings(**{column: value}))
        assert f"{expected} of {total} findings match" in w.count.value and w.error is None
        assert ("<table" in w.table.value) == (expected > 0)
        assert (w.reset.button_style == "warning") == (expected == 0)
