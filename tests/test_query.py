"""exolab.query: exact rows on the synthetic fixture, plus smoke checks on the real tables."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import exolab.data as d
from exolab import query as q

KB = Path(__file__).parent / "fixtures" / "kb"


def ids(df):
    return df["finding_id"].tolist()


# ------------------------------------------------------------- filtering ---

def test_no_filter_returns_every_finding(kb):
    assert ids(q.filter_findings()) == [f"F00{i}" for i in range(1, 9)]


@pytest.mark.parametrize("kwargs, expected", [
    ({"theme": "immunity"}, ["F003", "F006"]),
    ({"theme": ["immunity", "metabolism"]}, ["F001", "F003", "F006"]),
    ({"theme": "(any)"}, [f"F00{i}" for i in range(1, 9)]),
    ({"theme": []}, [f"F00{i}" for i in range(1, 9)]),
    ({"cargo_class": "miRNA"}, ["F002", "F006"]),
    ({"cancer_type": "breast cancer"}, ["F001", "F005", "F006"]),       # display name
    ({"cancer_type": "breast_cancer", "theme": "immunity"}, ["F006"]),
    ({"donor_cell": "caf"}, ["F002"]),
    ({"recipient_cell": "macrophage"}, ["F006"]),
    ({"pathway": "pi3k_akt"}, ["F002"]),
    ({"effect": "drug_resistance"}, ["F002", "F005", "F007"]),
    ({"theme": "therapy"}, []),
    ({"theme": "no_such_theme"}, []),
])
def test_filters(kb, kwargs, expected):
    assert ids(q.filter_findings(**kwargs)) == expected


@pytest.mark.parametrize("text, expected", [
    ("PKM2", ["F001"]),            # alias of PKM
    ("alix", ["F004"]),            # alias of PDCD6IP, any case
    ("PD-L1", ["F003"]),
    ("pd l1", ["F003"]),           # resolver ignores punctuation
    ("HIF-1α", ["F001"]),          # non-ASCII alias, matched as target
    ("cisplatin", ["F002", "F007"]),
    ("café", ["F006"]),            # non-ASCII substring of a claim
    ("(a+b)*?", ["F002"]),         # regex metacharacters taken literally
    ("[", []),
    ("x" * 10_000, []),
    ("🙂", []),
    ("   ", [f"F00{i}" for i in range(1, 9)]),
    ("HIF-1a", ["F001"]),          # Greek letter typed as a Latin one
    ("hif1 alpha", ["F001"]),      # ... or spelled out, without the hyphen
    ("ß", []),                     # not "ss": "glycolysis", "mass" ... do not match
    ("a+b", ["F002"]),             # punctuation other than joiners: literal only
])
def test_text_search(kb, text, expected):
    assert ids(q.filter_findings(text=text)) == expected


def test_text_search_ignores_joiners_and_greek_spelling(kb):
    same = [ids(q.filter_findings(text=t)) for t in ("HIF-1α", "HIF-1a", "HIF1α", "HIF-1alpha", "hif 1 alpha")]
    assert same == [["F001"]] * 5
    assert ids(q.filter_findings(text="in & around")) == ["F008"]       # literal text still works


def test_haystack_cache_keeps_one_entry_per_frame(kb, monkeypatch):
    built = []
    real_build = q._build_haystack
    monkeypatch.setattr(q, "_build_haystack", lambda df: built.append(len(df)) or real_build(df))
    q._HAY.clear()
    table, copy = q.filter_findings(), q.filter_findings().copy()
    subset = q.filter_findings(theme="immunity")
    built.clear()
    for _ in range(5):                       # alternating frames used to rebuild every time
        for frame in (table, copy, subset):
            q.filter_findings(frame, text="miR")
    assert sorted(built) == [2, 8, 8]


def test_each_table_is_fetched_once_per_public_call(kb, monkeypatch):
    calls = []
    real_load = d._load_validated
    monkeypatch.setattr(d, "_load_validated", lambda name, *a: calls.append(name) or real_load(name, *a))
    filters = dict(theme="immunity", cancer_type="glioma", donor_cell="cancer_cell",
                   recipient_cell="t_cell")
    q.filter_findings(**filters)                              # warm the caches
    calls.clear()
    assert ids(q.filter_findings(**filters)) == ["F003"]
    assert len(calls) == len(set(calls)), calls             # was 16 fetches of 6 tables
    calls.clear()
    q.filter_options(["theme", "cancer_type", "donor_cell"])
    assert len(calls) == len(set(calls)), calls


def test_filter_options_for_several_columns_match_one_by_one(kb):
    columns = ["theme", "cargo_class", "cancer_type", "donor_cell", "recipient_cell", "pathway", "effect"]
    together = q.filter_options(columns)
    assert together == {c: q.filter_options(c) for c in columns}
    assert ("breast cancer", "breast_cancer") in together["cancer_type"]
    assert q.filter_options(["theme", "no_such_column"])["no_such_column"] == []


def test_filter_accepts_a_subset_frame(kb):
    subset = q.filter_findings(theme="drug_resistance")
    assert ids(q.filter_findings(subset, text="H19")) == ["F007"]
    assert ids(q.filter_findings(subset, theme="immunity")) == []


def test_filter_options_keep_teaching_order_and_names(kb):
    assert [v for _, v in q.filter_options("theme")] == [
        "biogenesis", "metabolism", "immunity", "metastasis", "drug_resistance"]
    assert ("drug resistance", "drug_resistance") in q.filter_options("theme")
    assert ("cancer-associated fibroblast", "caf") in q.filter_options("donor_cell")
    assert q.filter_options("effect")[0] == ("raises glycolysis", "glycolysis_up")


# ---------------------------------------------------------------- tables ---

def test_citation_table_formats_sources(kb):
    table = q.citation_table(q.filter_findings(theme=["metabolism", "immunity"]))
    assert table.columns.tolist() == ["id", "finding", "cargo", "effect", "cells", "cancer", "source"]
    first = table.iloc[0].to_dict()
    assert first["cargo"] == "pyruvate kinase M1/2"
    assert first["cells"] == "cancer (tumour) cell → cancer (tumour) cell"
    # The whole section and every reference number: nothing is shortened.
    assert first["source"] == "Mohammed et al., §Exosomal proteins in metabolic reprogramming, refs 71, 72"
    assert first["effect"] == "raises glycolysis"
    assert table.set_index("id").loc["F003", "source"] == "Camci et al."
    assert table.set_index("id").loc["F006", "source"] == "Mohammed et al., §Immune cells, ref 71"
    assert table.set_index("id").loc["F006", "effect"] == "polarises macrophages to M2"


def test_citation_table_effect_follows_direction(kb):
    row = q.citation_table(q.filter_findings(theme="biogenesis")).iloc[0]
    assert row["effect"] == "inhibits exosome release down"   # fixture-only id: spelled out


def test_citation_table_flags_findings_that_are_not_plainly_stated(kb):
    df = q.filter_findings(theme="immunity").copy()
    df["confidence"] = pd.Categorical(["disputed", "typo_in_source"])
    sources = q.citation_table(df)["source"].tolist()
    assert sources == ["Camci et al.; ⚠ disputed",
                       "Mohammed et al., §Immune cells, ref 71; ⚠ typo in the source"]
    assert "exolab-flag" in q.citation_table(df)[["cargo", "source"]]._repr_html_()
    assert q.confidence_flag("stated") == "" and q.confidence_flag(None) == ""


def test_citation_table_falls_back_to_source_wording(kb):
    row = q.citation_table(q.filter_findings(theme="metastasis")).iloc[0]
    assert row["cargo"] == "unspecified vesicles"


def test_citation_table_of_nothing_is_empty_with_columns(kb):
    assert q.citation_table(q.filter_findings(theme="therapy")).shape == (0, 7)


def test_summarise_counts_in_vocabulary_order(kb):
    s = q.summarise(q.filter_findings(), by="cargo_class")
    assert list(zip(s["cargo_class"], s["findings"])) == [("protein", 4), ("miRNA", 2), ("lncRNA", 1),
                                                          ("mixed", 1)]
    assert s.columns.tolist() == ["cargo_class", "findings"]    # no label column repeating the ids
    cells = q.summarise(q.filter_findings(), by="donor_cell")
    assert cells.iloc[0].tolist() == ["cancer_cell", "cancer (tumour) cell", 6]
    effects = q.summarise(q.filter_findings(), by="effect")
    assert effects.set_index("effect").loc["glycolysis_up", "label"] == "raises glycolysis"
    assert effects.set_index("effect").loc["drug_resistance", "label"] == "confers drug resistance"
    with pytest.raises(KeyError):
        q.summarise(q.filter_findings(), by="nope")


def test_summarise_displays_labels_by_count_and_keeps_the_ids(kb):
    cells = q.summarise(q.filter_findings(), by="donor_cell")
    assert cells["findings"].tolist() == sorted(cells["findings"], reverse=True)   # most first
    assert cells["donor_cell"].iloc[0] == "cancer_cell"          # ids stay in the data
    page, text = cells._repr_html_(), repr(cells)
    assert "cancer_cell" not in page and "cancer_cell" not in text   # but only labels are shown
    assert "donor cell" in text.splitlines()[0] and "label" not in text.splitlines()[0]
    assert "cancer (tumour) cell" in page
    # a selection of the columns keeps the display ("donor cell", not "label")
    assert repr(cells[["label", "findings"]]).splitlines()[0].split() == ["donor", "cell", "findings"]


def test_summarise_counts_findings_without_a_value(kb):
    findings = d.load("findings")
    findings.loc[findings["finding_id"].isin(["F001", "F004"]), "effect"] = None
    effects = q.summarise(findings, by="effect")
    empty = int(findings["effect"].isna().sum())
    assert empty and effects["findings"].sum() == len(findings)
    last = effects.iloc[-1]
    assert last["effect"] is None and last["label"] == "(no effect recorded)" and last["findings"] == empty
    assert "(no effect recorded)" in repr(effects)
    assert q.summarise(findings, by="effect", missing=False)["findings"].sum() == len(findings) - empty
    assert None not in q.summarise(findings, by="donor_cell")["donor_cell"].tolist()   # required column


def test_counts_by_theme_lists_every_theme(kb):
    c = q.counts_by_theme()
    assert c["theme"].tolist() == d.vocabulary("theme")
    assert dict(zip(c["theme"], c["findings"])) == {
        "biogenesis": 1, "metabolism": 1, "angiogenesis": 0, "immunity": 2, "metastasis": 1,
        "drug_resistance": 3, "therapy": 0}
    assert c.set_index("theme").loc["angiogenesis", "lesson"] == "05_metastasis_and_angiogenesis"


def test_communication_matrix_and_drill_down(kb):
    m = q.communication_matrix()
    assert m.index[0] == "cancer (tumour) cell"            # curated order, display names
    assert m.loc["cancer (tumour) cell", "cancer (tumour) cell"] == 4
    assert m.loc["cancer-associated fibroblast", "macrophage"] == 0
    assert int(m.values.sum()) == 8
    imm = q.communication_matrix(theme="immunity")
    assert imm.to_dict() == {"macrophage": {"cancer (tumour) cell": 1}, "T cell": {"cancer (tumour) cell": 1}}
    assert ids(q.findings_between("cancer (tumour) cell", "T cell")) == ["F003"]
    assert ids(q.findings_between("cancer_cell", "cancer_cell", theme="drug_resistance")) == ["F005", "F007"]
    assert q.communication_matrix(theme="therapy").empty


def test_resistance_matrix_and_cell(kb):
    m = q.resistance_matrix_table()
    assert m.columns.tolist() == d.vocabulary("resistance_mechanism")      # all six, zeros kept
    assert m.index.tolist() == ["cisplatin", "doxorubicin"]               # every finding names a drug
    assert m.loc["cisplatin"].to_dict() == {
        "efflux_export": 0, "anti_apoptosis": 0, "metabolic_rewiring": 0, "horizontal_transfer": 1,
        "oncogenic_signalling": 1, "lipid_membrane": 0}
    assert m.loc["doxorubicin", "anti_apoptosis"] == 1 and int(m.values.sum()) == 3
    cell = q.resistance_cell("cisplatin", "oncogenic_signalling")
    assert cell[["id", "cargo", "cargo_class", "cancer"]].values.tolist() == [
        ["F002", "miR-21", "miRNA", "lung cancer"]]
    assert q.resistance_cell("cisplatin", "lipid_membrane").empty


def test_resistance_matrix_counts_findings_without_a_drug(kb):
    findings = d.load("findings")
    findings.loc[findings["finding_id"] == "F005", "drug"] = pd.NA        # a mechanism, no drug
    m = q.resistance_matrix_table(data=findings)
    assert m.index.tolist() == ["cisplatin", q.NO_DRUG]
    assert m.loc[q.NO_DRUG, "anti_apoptosis"] == 1 and int(m.values.sum()) == 3
    cell = q.resistance_cell(q.NO_DRUG, "anti_apoptosis", data=findings)
    assert cell["id"].tolist() == ["F005"]
    assert q.resistance_cell([q.NO_DRUG, "cisplatin"], None, data=findings)["id"].tolist() == [
        "F002", "F005", "F007"]
    assert q.resistance_cell("cisplatin", "anti_apoptosis", data=findings).empty


def test_filter_by_reference_numbers(kb):
    assert ids(q.filter_findings(refs=12)) == ["F002", "F005"]
    assert ids(q.filter_findings(refs=[3, 72])) == ["F001", "F004"]       # any of them
    assert ids(q.filter_findings(refs="14")) == ["F005", "F007"]          # typed as text
    assert ids(q.filter_findings(refs=14.0, theme="drug_resistance")) == ["F005", "F007"]
    assert ids(q.filter_findings(refs=14, cancer_type="breast_cancer")) == ["F005"]
    assert ids(q.filter_findings(refs=999)) == []
    assert ids(q.filter_findings(refs=None)) == ids(q.filter_findings(refs="(any)")) == ids(q.filter_findings())
    for bad in (1.5, "twelve", True):
        with pytest.raises(ValueError, match="refs must be reference numbers"):
            q.filter_findings(refs=bad)


def test_citation_table_can_name_the_drug(kb):
    plain = q.citation_table(q.filter_findings(theme="drug_resistance"))
    table = q.citation_table(q.filter_findings(theme="drug_resistance"), drug=True)
    assert table.columns.tolist() == ["id", "finding", "cargo", "effect", "cells", "cancer", "drug", "source"]
    assert dict(zip(table["id"], table["drug"])) == {"F002": "cisplatin", "F005": "doxorubicin",
                                                     "F007": "cisplatin"}
    assert table.drop(columns="drug").equals(plain)
    other = q.citation_table(q.filter_findings(theme="immunity"), drug=True)
    assert other["drug"].tolist() == ["–", "–"]
    assert q.citation_table(q.filter_findings(theme="therapy"), drug=True).shape == (0, 8)


def test_drugs_by_role_without_a_role_column(kb):
    assert q.drugs()["drug_id"].tolist() == ["cisplatin", "doxorubicin"]
    assert isinstance(q.drugs(), q.Table)
    assert q.drugs(role="chemotherapy").empty          # the fixture's drugs table has no roles


def test_whole_numbers_get_thousands_separators_but_years_do_not(kb):
    table = q.show_table(pd.DataFrame({"year": [2018, 1999], "cells": [100_000.0, 1000.0],
                                       "n": [12_345, 7]}))
    text = repr(table)
    assert "2018" in text and "2,018" not in text              # a column of years stays as written
    assert "100,000" in text and "1,000" in text and "12,345" in text   # one style per column
    assert "100,000" in table._repr_html_() and "1,000<" in table._repr_html_()


def test_molecule_profile(kb):
    p = q.molecule_profile("PKM2")
    assert p["molecule_id"] == "PKM"
    assert {"namespace": "HGNC", "id": "HGNC:9021"} in p["identifiers"]
    assert p["aliases"] == ["PKM2", "M2-PK"]
    assert p["by_lesson"] == {"02_metabolic_reprogramming": ["F001"]}
    assert [t["term_id"] for t in p["glossary"]] == ["warburg_effect"]
    # ALIX appears in the glossary by alias, not by molecule id
    assert [t["term_id"] for t in q.molecule_profile("PDCD6IP")["glossary"]] == ["escrt"]
    hif = q.molecule_profile("HIF-1α")
    assert hif["findings"][["finding_id", "role"]].values.tolist() == [["F001", "target"]]
    mir = q.molecule_profile("hsa-miR-21-5p")
    assert mir["by_lesson"] == {"03_immunity": ["F006"], "04_drug_resistance": ["F002"]}


@pytest.mark.parametrize("name", ["cisplatin", "no such molecule", ""])
def test_molecule_profile_rejects_non_molecules(kb, name):
    with pytest.raises(LookupError):
        q.molecule_profile(name)


def test_kb_overview_is_computed(kb):
    o = q.kb_overview().set_index("table")
    assert o.loc["findings", "rows"] == 8
    assert o.loc["findings", "description"] == "Synthetic findings for tests: 8 rows."
    assert o.loc["molecules", "description"] == "Synthetic molecules used by the tests."   # heading stripped
    assert o.loc["drugs", "description"] == "Fixture drugs"                               # title fallback


def test_references_for_deduplicates(kb):
    r = q.references_for(theme="drug_resistance")
    assert r[["ref_key", "section", "refs", "findings"]].values.tolist() == [
        ["mohammed_review", "Drug resistance", "12, 14", 3]]
    r = q.references_for(finding_ids=["F001", "F006", "F003"])
    assert r[["ref_key", "section", "refs"]].values.tolist() == [
        ["camci2025", "", ""], ["mohammed_review", "Exosomal proteins in metabolic reprogramming", "71, 72"],
        ["mohammed_review", "Immune cells", "71"]]
    assert r.loc[1, "cited"].startswith("[71] Lee et al. (2025). A cited fixture paper.")
    assert r.loc[0, "citation"] == "Camci et al. (2025). A second fixture review. D J Med Sci. doi:10.5606/x.1."
    assert q.references_for(theme="therapy").empty
    assert q.references_for().empty                     # no theme, ids or tables: nothing, not everything


def test_references_for_adds_prose_refs_tables_and_sources(kb):
    shown = q.filter_findings(theme="metastasis")        # a table a lesson shows, as rows
    r = q.references_for(theme="drug_resistance", tables=[shown], refs=[12, 14, 99, 3],
                         sources=["lee2025"])
    rows = r[["ref_key", "section", "refs", "from"]].values.tolist()
    assert ["camci2025", "Metastasis", "", "a table in the lesson"] in rows
    assert ["mohammed_review", "", "3, 99", "lesson text"] in rows   # 12 and 14 are listed already
    assert ["lee2025", "", "", "lesson text"] in rows
    with pytest.raises(KeyError, match="unknown reference"):
        q.references_for(sources=["nobody2020"])
    with pytest.raises(KeyError, match="unknown table"):
        q.references_for(tables=["no_such_table"])


def test_references_display_lists_every_section_and_number(kb):
    r = q.references_for(theme="drug_resistance", refs=[3, 99])
    page, text = r._repr_html_(), repr(r)
    for piece in ("§Drug resistance: refs 12, 14 (3 findings)", "cited in the lesson text: refs 3, 99"):
        assert piece in page and piece in text
    assert "<li>" in page and "..." not in page and "…" not in text
    assert repr(q.references_for(theme="therapy")) == "No references."
    # each bibliography entry is an item of its own (no "doi:....; [5] ..." run-on)
    cited = q.references_for(finding_ids=["F001"])
    entries = [c for c in cited["cited"] if c]
    assert entries and all(f"<li>{c}</li>" in cited._repr_html_() for e in entries for c in e.split("; "))
    assert ".;" not in cited._repr_html_()
    # rows of a table with no section name cover the whole document
    whole = q.references_for(tables=[q.filter_findings(theme="metastasis").assign(section="")])
    assert "whole document" in repr(whole) and "no section named" not in repr(whole)
    # Selecting columns gives an ordinary table view again.
    assert "<table" in r[["ref_key", "refs"]]._repr_html_()


# --------------------------------------------------------------- display ---

@pytest.mark.parametrize("column, header", [
    ("typical_purity", "typical purity"), ("size_min_nm", "size min (nm)"), ("s_S", "s (S)"),
    ("time_h", "time (h)"), ("time_min", "time (min)"), ("temp_C", "temp (°C)"),
    ("medium_density_g_ml", "medium density (g/mL)"), ("atp_per_glucose", "ATP per glucose"),
    ("misev_size_class", "MISEV size class"), ("chebi_id", "ChEBI id"), ("note", "note"),
    ("what the source says", "what the source says")])
def test_header_label(column, header):
    assert q.header_label(column) == header


def test_show_table_headers_read_as_words_except_taught_names(kb):
    df = pd.DataFrame({"size_min_nm": [30.0], "typical_purity": ["high"], "limitation": ["x"]})
    t = q.show_table(df, code=["limitation"])
    page, text = t._repr_html_(), repr(t)
    assert "size min (nm)" in page.replace("\u00a0", " ") and "typical purity" in page
    assert "<code>limitation</code>" in page and "size_min_nm" not in page
    assert text.splitlines()[0].split() == ["size", "min", "(nm)", "typical", "purity", "limitation"]
    assert q.show_table(df)["size_min_nm"].tolist() == [30.0]          # the data keep their names
    assert "size min (nm)" in t[["size_min_nm"]]._repr_html_().replace("\u00a0", " ")
    with pytest.raises(KeyError, match="no column 'nope'"):
        q.show_table(df, code=["nope"])
    hidden = q.show_table(df, hidden=["typical_purity"], headers={"limitation": "what it misses"})
    assert "typical" not in repr(hidden) and "what it misses" in repr(hidden)


def test_table_rows_are_striped_and_short_names_do_not_wrap_into_towers(kb):
    page = q.citation_table(q.filter_findings())._repr_html_()
    assert page.count("<tr style='background:") == len(q.filter_findings()) // 2
    assert "min-width:9em" in page


def test_sections_get_a_section_mark_only_in_the_body():
    assert q.section_text("Introduction") == "§Introduction"
    for other in ("Table 1", "Figure 2 caption", "Abstract"):
        assert q.section_text(other) == other
    assert q.section_text("") == "" and q.section_text(None) == ""


def test_citation_table_can_show_the_target(kb):
    t = q.citation_table(q.filter_findings(), target=True)
    assert t.columns.tolist() == ["id", "finding", "cargo", "target", "effect", "cells", "cancer", "source"]
    findings = q.filter_findings()
    named = findings["target"].notna()
    assert (t.loc[~named.to_numpy(), "target"] == "–").all()
    assert t.loc[named.to_numpy(), "target"].tolist() == [
        q.display_name("target", v) for v in findings.loc[named, "target"]]


def test_tables_keep_their_display_through_selection(kb):
    t = q.citation_table(q.filter_findings())
    for derived in (t.head(3), t[["cargo", "source"]], t.loc[t["cargo"] == "miR-21"], t.iloc[:2]):
        assert isinstance(derived, q.Table)
        page = derived._repr_html_()
        assert "<table class='exolab-table'" in page and "text-align:left" in page
        assert "line-height:1.35" in page                 # readable inside widgets too
        assert ">0<" not in page                           # no index column
    assert isinstance(t.iloc[0], pd.Series) and not isinstance(t.iloc[0], q.Table)


def test_table_text_view_is_readable_and_deterministic(kb):
    t = q.citation_table(q.filter_findings(theme="immunity"))
    text = repr(t)
    assert text == repr(q.citation_table(q.filter_findings(theme="immunity")))
    assert text.startswith("2 rows") and "id: F003" in text and "source: Camci et al." in text
    assert "..." not in text and "dtype" not in text
    small = q.summarise(q.filter_findings(), by="cargo_class")
    assert repr(small).splitlines()[0].split() == ["cargo", "class", "findings"]   # a grid when it fits


def test_show_table_formats_values(kb):
    df = pd.DataFrame({
        "name": ["a", "b"], "cancer_type": ["breast_cancer", None], "donor_cell": ["caf", "unknown"],
        "refs": [(36, 134), ()], "confidence": pd.Categorical(["disputed", "table_only"]),
        "size_nm": [30.0, float("nan")], "in_vivo": [True, False], "note": [pd.NA, "kept as written"]})
    t = q.show_table(df)
    text = repr(t)
    for piece in ("breast cancer", "–", "cancer-associated fibroblast", "unknown", "36, 134",
                  "disputed", "only in a review table", "30", "yes", "no", "kept as written"):
        assert piece in text, piece
    assert "<NA>" not in text and "nan" not in text and "(36, 134)" not in text
    assert "<NA>" not in t._repr_html_()
    raw = q.show_table(df, humanise=False)
    assert "breast_cancer" in repr(raw) and "36, 134" in repr(raw)


def test_show_table_accepts_series(kb):
    record = q.show_table(pd.Series({"molecule_id": "PKM", "aliases": ("PKM2", "M2-PK")}, name=24))
    assert record.shape == (1, 2) and "PKM2, M2-PK" in repr(record) and "Name:" not in repr(record)
    counts = q.show_table(pd.Series([3, 1], index=pd.Index(["cell_therapy", "vaccine"], name="strategy"),
                                    name="count"))
    assert counts.columns.tolist() == ["strategy", "count"] and "dtype" not in repr(counts)
    days = q.show_table(pd.Series({"drug + transfer": 15.34, "no drug": float("inf")},
                                  name="days until resistant ≥ 50 %"))
    assert days.columns.tolist() == ["", "days until resistant ≥ 50 %"]
    assert "15.3" in repr(days) and "∞" in repr(days) and "Name:" not in repr(days)


def test_matrix_display_shows_row_names_and_mechanism_labels(kb):
    page = q.resistance_matrix_table()._repr_html_()
    assert ">cisplatin<" in page and ">drug<" in page
    assert "oncogenic signalling" in page and "oncogenic_signalling" not in page


def test_vocab_labels(kb):
    assert q.vocab_label("effect", "glycolysis_up") == "raises glycolysis"
    assert q.vocab_label("effect", "exosome_release", "inhibits") == "lowers exosome release"
    assert q.vocab_label("resistance_mechanism", "efflux_export") == "drug efflux and export"
    assert q.vocab_label("theme", "drug_resistance") == "drug resistance"
    assert q.vocab_label("misev_size_class", "medium_large") == "medium/large"
    assert q.vocab_label("effect", None) == ""
    assert q.display_name("effect", "caf_activation") == "activates CAFs"


def test_queries_do_not_modify_the_cached_table(kb):
    before = d.load("findings")
    q.filter_findings(text="PKM2")
    q.molecule_profile("PKM")
    q.citation_table(q.filter_findings())
    pd.testing.assert_frame_equal(d.load("findings"), before)


# ------------------------------------------------------------- real data ---
# These always run: a curated table that stops loading must fail them, never skip them.

@pytest.fixture
def real(monkeypatch):
    """The course's own tables (no test knowledge base); a DataError here fails the test."""
    monkeypatch.delenv("EXOLAB_DATA_DIR", raising=False)
    d.clear_cache()
    assert "findings" in d.list_tables()
    assert len(d.load("findings")) > 0
    yield
    d.clear_cache()


@pytest.mark.parametrize("text", ["PKM2", "ALIX", "PD-L1"])
def test_real_alias_search_finds_rows(real, text):
    found = q.filter_findings(text=text)
    assert len(found) > 0
    mid = d.resolve(text)["molecule_id"]
    assert ((found["cargo"] == mid) | (found["target"] == mid)).any()


def test_real_overview_and_theme_counts_agree(real):
    total = len(d.load("findings"))
    assert q.counts_by_theme()["findings"].sum() == total
    assert q.kb_overview().set_index("table").loc["findings", "rows"] == total
    assert int(q.communication_matrix().values.sum()) <= total
    assert q.citation_table(q.filter_findings()).shape[0] == total


@pytest.mark.parametrize("vocabulary", ["effect", "resistance_mechanism", "confidence"])
def test_every_registry_id_has_a_written_label(real, vocabulary):
    """A new vocabulary id must get a student-facing label (not just its spelling)."""
    ids = d.vocabulary(vocabulary)
    labels = q.EFFECT_LABELS if vocabulary == "effect" else q.VOCAB_LABELS[vocabulary]
    assert [i for i in ids if i not in labels] == []


def test_real_therapeutics_filters(real):
    blockers = q.therapeutics(strategy="blocker")
    assert len(blockers) > 0 and set(blockers["strategy"].astype(str)) == {"blocker"}
    acting = q.therapeutics(acts_on=["secretion", "sphingomyelinase", "AKT", "release"])
    assert len(acting) > 0
    assert acting["target"].str.contains("secretion|sphingomyelinase|AKT|release", case=False).all()
    assert q.therapeutics(acts_on="(a+b)*?").empty        # literal text, not a regex
    assert isinstance(acting, q.Table) and "<NA>" not in acting._repr_html_()


def test_real_references_for_a_lesson_list_every_number(real):
    r = q.references_for(theme="therapy")
    numbers = {int(n) for refs in r["refs"] for n in str(refs).split(", ") if n}
    expected = {int(n) for refs in q.filter_findings(theme="therapy")["refs"].dropna() for n in refs}
    assert numbers == expected
    text = repr(r)
    assert all(str(n) in text for n in expected) and "..." not in text


def test_real_resistance_matrix_has_every_mechanism_and_every_tagged_finding(real):
    m = q.resistance_matrix_table()
    findings = d.load("findings")
    tagged = findings.loc[findings["resistance_mechanism"].notna()]
    assert m.shape[1] == 6 and m.columns.tolist() == d.vocabulary("resistance_mechanism")
    assert int(m.values.sum()) == len(tagged)
    no_drug = tagged.loc[tagged["drug"].isna()]
    if len(no_drug):
        assert m.index[-1] == q.NO_DRUG and int(m.loc[q.NO_DRUG].sum()) == len(no_drug)
        assert len(q.resistance_cell(q.NO_DRUG, None)) == len(no_drug)
    for mech in m.columns:                                  # the drill-down agrees with each count
        assert len(q.resistance_cell(None, mech)) == int(m[mech].sum())


@pytest.mark.parametrize("spellings", [("TGF-β", "TGFβ", "TGF-b", "TGFb", "TGF-beta", "tgf beta"),
                                       ("PD-L1", "PDL1", "pd l1"), ("HIF-1α", "HIF-1a", "HIF1alpha")])
def test_real_spellings_find_the_same_rows(real, spellings):
    found = [ids(q.filter_findings(text=t)) for t in spellings]
    assert found[0] and all(f == found[0] for f in found), dict(zip(spellings, map(len, found)))


def test_real_sharp_s_is_not_ss(real):
    hay = q._haystack(q.filter_findings())
    assert len(q.filter_findings(text="ß")) == int(hay.str.contains("ß", regex=False).sum())
    assert len(q.filter_findings(text="ss")) > 0


def test_punctuation_free_search_does_not_match_across_words(kb):
    findings = d.load("findings")
    findings.loc[findings["finding_id"] == "F004", "claim"] = "Loss of ALIX for a week until 6 days later."
    findings.loc[findings["finding_id"] == "F005", "claim"] = "Vesicles carry IL-6 (interleukin 6)."
    assert ids(q.filter_findings(findings, text="IL-6")) == ["F005"]
    assert ids(q.filter_findings(findings, text="il6")) == ["F005"]


@pytest.mark.parametrize("needle", ["miR-21", "mir 21", "miR21", "MIR-21"])
def test_real_a_number_in_the_search_is_a_whole_number(real, needle):
    """'miR-21' finds miR-21-5p and miR-21-3p, never miR-210 or miR-214 (other miRNAs)."""
    cargo = set(q.filter_findings(text=needle)["cargo"].dropna())
    assert {"hsa-miR-21-5p", "hsa-miR-21-3p"} <= cargo
    assert not {"hsa-miR-210-3p", "hsa-miR-214-3p"} & cargo


def test_joined_numbers_do_not_run_together(kb):
    findings = d.load("findings")
    findings.loc[findings["finding_id"] == "F004", "claim"] = "Vesicles carry miR-21-5p."
    findings.loc[findings["finding_id"] == "F005", "claim"] = "Vesicles carry miR-215 and CD63."
    for needle in ("miR-21", "mir 21 5p", "miR-21-5p"):
        assert "F004" in ids(q.filter_findings(findings, text=needle)), needle
        assert "F005" not in ids(q.filter_findings(findings, text=needle)), needle
    assert "F004" not in ids(q.filter_findings(findings, text="miR-215"))    # not "mir21"+"5p"
    assert "F005" in ids(q.filter_findings(findings, text="miR-215"))
    assert "F005" not in ids(q.filter_findings(findings, text="CD6"))
    assert "F005" in ids(q.filter_findings(findings, text="CD63"))


def test_real_source_issues_are_compact_and_in_the_order_asked(real):
    both = q.source_issues("SI44", "SI43")
    assert isinstance(both, q.Table)
    assert both["issue"].tolist() == ["SI44", "SI43"]
    assert both.columns.tolist() == ["issue", "kind", "what the source says", "what the course does"]
    issues = d.load("source_issues").set_index("issue_id")
    assert both.iloc[1]["what the course does"] == issues.loc["SI43", "what_the_course_does"]
    assert q.source_issues(["SI43", "SI44"])["issue"].tolist() == ["SI43", "SI44"]
    with_note = issues.loc[issues["note"].notna()].index[0]
    assert "note" in q.source_issues(with_note).columns
    text, page = repr(both), both._repr_html_()
    assert "cannabidiol" in text and "what_the" not in text and "<NA>" not in page and "–" not in text
    assert len(q.source_issues()) == len(issues)
    with pytest.raises(KeyError, match="SI99"):
        q.source_issues("SI43", "SI99")


def test_real_drugs_by_role(real):
    table = d.load("drugs")
    inhibitors = q.drugs(role="exosome_inhibitor")
    assert isinstance(inhibitors, q.Table) and len(inhibitors) > 0
    assert inhibitors["drug_id"].tolist() == table.loc[table["role"] == "exosome_inhibitor", "drug_id"].tolist()
    assert len(q.drugs(role=["chemotherapy", "targeted"])) + len(inhibitors) == len(q.drugs()) == len(table)
    with pytest.raises(ValueError, match="role must be one of chemotherapy"):
        q.drugs(role="inhibitor")


def test_real_filter_by_reference_agrees_with_the_refs_column(real):
    findings = d.load("findings")
    for n in (172, 8, 16):
        expected = [f for f, refs in zip(findings["finding_id"], findings["refs"]) if n in refs]
        assert expected and ids(q.filter_findings(refs=n)) == expected
