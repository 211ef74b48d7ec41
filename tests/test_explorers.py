"""Knowledge-base plots and explorer widgets, driven the way a learner drives them."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import exolab.data as d
from exolab import query as q
from exolab.plots import data as pdata
from exolab.widgets import explorers as E

KB = Path(__file__).parent / "fixtures" / "kb"
ANY = E.ANY


def bars(ax):
    return [int(p.get_width()) for p in ax.patches if p.get_gid() == "bar"]


def note_visible(ax):
    return [t.get_visible() for t in ax.texts if t.get_gid() == "nomatch"] == [True]


def mesh(ax):
    return np.asarray(ax.collections[0].get_array()).reshape(len(ax.get_yticks()), len(ax.get_xticks()))


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
    assert labels[0] == "raises glycolysis" and all("_" not in t for t in labels)
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


def test_communication_heatmap_values_and_labels(kb):
    ax = pdata.plot_communication_heatmap(q.communication_matrix())
    assert mesh(ax).tolist() == [[4, 1, 1], [1, 0, 0], [1, 0, 0]]
    labels = [t.get_text() for t in ax.texts if t.get_gid() != "nomatch"]
    assert labels == ["4", "1", "1", "1", "", "", "1", "", ""]   # zeros left blank
    pdata.update_heatmap(ax, q.communication_matrix(theme="immunity"))
    assert mesh(ax).tolist() == [[0, 1, 1], [0, 0, 0], [0, 0, 0]]


def test_resistance_heatmap_values(kb):
    ax = pdata.plot_resistance_matrix()
    assert mesh(ax).tolist() == [[0, 1, 1], [1, 0, 0]]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cisplatin", "doxorubicin"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "anti-apoptosis", "horizontal transfer", "oncogenic signalling"]


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
    assert mesh(w.ax).tolist() == [[0, 1, 1], [1, 0, 0]]
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


def test_resistance_matrix_widget_is_drawn_like_the_static_plot(kb):
    w = E.resistance_matrix()
    static = pdata.plot_resistance_matrix()
    assert w.figure.get_size_inches().tolist() == pytest.approx(static.figure.get_size_inches().tolist())
    assert w.figure.dpi == static.figure.dpi
    assert mesh(w.ax).tolist() == mesh(static).tolist()


# ------------------------------------------------------------ molecule card ---

def test_molecule_card_content(kb):
    w = E.molecule_card("PKM2")
    card = w.card.value
    for piece in ("pyruvate kinase M1/2", "HGNC:9021", "PKM2", "M2-PK", "02_metabolic_reprogramming",
                  "F001", "Warburg effect"):
        assert piece in card
    w.controls["name"].value = "HIF-1α"
    assert "HGNC:4910" in w.card.value and "(target)" in w.card.value


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
    assert "3 findings on drug resistance (lesson 04_drug_resistance)" in w.count.value
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
    assert w.table.value.count("<tr>") == 3                   # header + exactly 2 rows
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

def _real_ready():
    d.clear_cache()
    try:
        return "findings" in d.list_tables() and len(d.load("findings")) > 0
    except d.DataError:
        return False


@pytest.mark.skipif(not _real_ready(), reason="findings table not curated yet")
@pytest.mark.parametrize("factory", ["cargo_explorer", "communication_map", "resistance_matrix",
                                     "molecule_card", "kb_tour"])
def test_real_data_widgets_build(factory):
    d.clear_cache()
    w = getattr(E, factory)()
    html = w._repr_mimebundle_()["text/html"]
    assert html and "Traceback" not in html and "exolab-static" in html
    assert html == getattr(E, factory)()._repr_mimebundle_()["text/html"]
