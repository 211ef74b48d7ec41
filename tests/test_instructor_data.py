"""An instructor's extended copy of the data (EXOLAB_DATA_DIR) flows through every
layer: loader, lookup, queries and the explorer widgets."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

import exolab.data as d
from exolab._paths import data_dir

NEW_MOLECULE = "hsa-miR-9999-teach"


@pytest.fixture
def extended(tmp_path, monkeypatch):
    source = data_dir()
    copy = tmp_path / "data"
    shutil.copytree(source, copy)
    with open(copy / "molecules.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    mol = {c: "" for c in header}
    mol.update(molecule_id=NEW_MOLECULE, name="miR-9999 (class example)", kind="miRNA", namespace="none",
               note="Invented by an instructor for a class exercise; not a real miRNA.")
    with open(copy / "molecules.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([mol[c] for c in header])
    with open(copy / "findings.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        fheader, first = next(reader), next(reader)
    row = dict(zip(fheader, first))
    row.update(finding_id="F999", claim="Class example: an invented miRNA raises glycolysis in fibroblasts.",
               cargo=NEW_MOLECULE, cargo_in_source="miR-9999", cargo_class="miRNA", theme="metabolism",
               confidence="stated", note="Instructor's example row.")
    with open(copy / "findings.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([row[c] for c in fheader])
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(copy))
    d.clear_cache()
    yield copy
    d.clear_cache()


def test_extra_rows_load_and_resolve(extended):
    assert "F999" in set(d.load("findings")["finding_id"])
    assert d.resolve("miR-9999 (class example)")["molecule_id"] == NEW_MOLECULE
    assert list(d.findings_for(NEW_MOLECULE)["finding_id"]) == ["F999"]


def test_extra_rows_show_up_in_queries_and_the_cargo_explorer(extended):
    import exolab.query as q
    from exolab.widgets import cargo_explorer

    assert list(q.filter_findings(text=NEW_MOLECULE)["finding_id"]) == ["F999"]
    w = cargo_explorer()
    w.controls["text"].value = NEW_MOLECULE
    assert "F999" in w.table.value or "invented miRNA" in w.table.value
    total = len(d.load("findings"))
    assert re.search(rf"\b1 of {total}\b", w.count.value), w.count.value


def _next_line(path: Path) -> int:
    """Line number (header = 1, as in an editor) that a row appended to ``path`` will get."""
    text = path.read_text(encoding="utf-8")
    return text.count("\n") + (0 if text.endswith("\n") else 1) + 1


def test_a_ragged_row_in_the_instructor_copy_is_reported_with_file_and_line(extended):
    path = extended / "findings.csv"
    line = _next_line(path)
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write("F998\n")                     # one cell where the header has many
    d.clear_cache()
    with pytest.raises(d.DataError) as info:
        d.load("findings")
    err = info.value
    assert err.file == path and err.line == line and err.column is None
    assert f"findings.csv, line {line}" in str(err) and "has 1 cells but the header has" in str(err)


def test_a_bad_value_in_the_instructor_copy_is_reported_with_file_line_column(extended):
    path = extended / "findings.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header, first = next(reader), next(reader)
    row = dict(zip(header, first))
    row.update(finding_id="F998", theme="metabolsim")    # a typo of a vocabulary word
    line = _next_line(path)
    with open(path, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([row[c] for c in header])
    d.clear_cache()
    with pytest.raises(d.DataError) as info:
        d.load("findings")
    err = info.value
    assert (err.file, err.line, err.column) == (path, line, "theme")
    assert f"findings.csv, line {line}, column 'theme'" in str(err)
    assert "Did you mean 'metabolism'" in str(err)


# --------------------------------------------------- instructor rows in every explorer ---

def _baseline(monkeypatch, extended, compute):
    """``compute()`` on the course's own tables, then back to the instructor's copy."""
    monkeypatch.delenv("EXOLAB_DATA_DIR")
    d.clear_cache()
    try:
        return compute()
    finally:
        monkeypatch.setenv("EXOLAB_DATA_DIR", str(extended))
        d.clear_cache()


def test_extra_row_grows_its_square_of_the_communication_map(extended, monkeypatch):
    import exolab.query as q
    from exolab.widgets import communication_map

    row = d.load("findings").set_index("finding_id").loc["F999"]      # F001's cells, copied
    names = dict(zip(d.load("cell_types")["cell_type_id"], d.load("cell_types")["name"]))
    donor, recipient = names[row["donor_cell"]], names[row["recipient_cell"]]
    before = _baseline(monkeypatch, extended, lambda: (
        int(q.communication_matrix().loc[donor, recipient]),
        int(q.communication_matrix(theme="metabolism").loc[donor, recipient]),
        int(q.communication_matrix().to_numpy().sum())))
    w = communication_map()
    assert int(w.matrix.loc[donor, recipient]) == before[0] + 1
    assert int(w.matrix.to_numpy().sum()) == before[2] + 1           # one more, nowhere else
    w.controls["theme"].value = "metabolism"
    assert int(w.drawn.loc[donor, recipient]) == before[1] + 1
    w.controls["donor"].value, w.controls["recipient"].value = donor, recipient
    assert "F999" in w.table.value and "invented miRNA" in w.table.value


def test_the_molecule_card_finds_the_instructors_molecule(extended):
    from exolab.widgets import molecule_card

    w = molecule_card(NEW_MOLECULE)
    assert w.profile and w.profile["molecule_id"] == NEW_MOLECULE
    assert "miR-9999 (class example)" in w.card.value and "F999" in w.card.value
    assert "miR-9999 (class example)" in w.controls["name"].options
    w.controls["name"].value = "PKM2"
    w.controls["name"].value = "miR-9999 (class example)"           # typed by its name
    assert w.error is None and "F999" in w.card.value


def test_kb_tour_counts_the_instructors_rows(extended, monkeypatch):
    from exolab.widgets import kb_tour

    rows, metabolism = _baseline(monkeypatch, extended, lambda: (
        {t: len(d.load(t)) for t in ("findings", "molecules")},
        int((d.load("findings")["theme"] == "metabolism").sum())))
    w = kb_tour()
    overview = w.overview.set_index("table")["rows"]
    assert overview["findings"] == rows["findings"] + 1 and overview["molecules"] == rows["molecules"] + 1
    assert f"metabolism ({metabolism + 1})" in [label for label, _ in w.controls["theme"].options]
    w.controls["theme"].value = "metabolism"
    assert f"{metabolism + 1} findings on metabolism" in w.count.value


# ------------------------------------------------------------- the instructor's rotors ---

@pytest.fixture
def rotors_copy(tmp_path, monkeypatch):
    """A copy of the course data whose rotors.csv a test may rewrite."""
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(copy))
    d.clear_cache()
    yield copy / "rotors.csv"
    d.clear_cache()


def _keep_rows(path: Path, keep) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([lines[0]] + [l for l in lines[1:] if keep(l)]), encoding="utf-8")


def test_an_instructors_rotor_appears_in_the_sedimentation_explorer(rotors_copy):
    from exolab.models import sedimentation as sd
    from exolab.widgets import sedimentation_explorer

    with open(rotors_copy, "a", encoding="utf-8", newline="") as fh:
        fh.write("teach_60,Teaching Rotor 60,Instructor,fixed_angle,60000,80.0,35.0,57.1,"
                 "an instructor's rotor for a class exercise\n")
    d.clear_cache()
    w = sedimentation_explorer()
    assert ("Teaching Rotor 60", "teach_60") in w.controls["rotor"].options
    assert w.controls["rotor"].value == "type_70_ti"                  # the default is still there
    w.controls["rotor"].value = "teach_60"
    plan = sd.spin_plan(100, {"name": "Teaching Rotor 60", "max_rpm": 60000, "r_max_mm": 80.0,
                              "r_min_mm": 35.0, "k_factor": 57.1}, 100_000, 4.0)
    assert w.error is None and "Teaching Rotor 60 speed" in w.readout.value
    assert w.result["rpm"] == pytest.approx(plan["rpm"]) and w.result["time_h"] == pytest.approx(plan["time_h"])


def test_a_rotor_table_without_the_default_rotor_falls_back(rotors_copy):
    from exolab.models import sedimentation as sd
    from exolab.plots import models as pm
    from exolab.widgets import sedimentation_explorer

    _keep_rows(rotors_copy, lambda line: line.startswith("type_45_ti,"))
    d.clear_cache()
    w = sedimentation_explorer()                                     # no TraitError
    assert w.controls["rotor"].value == "type_45_ti" and w.error is None
    assert [v for _, v in w.controls["rotor"].options] == ["type_45_ti"]
    assert "Type 45 Ti speed" in w.readout.value
    ax = pm.plot_pelleting_times()                                    # the default curve too
    expected = sd.spin_plan(100, "type_45_ti", 100_000, 4.0, curve_diameters_nm=[20, 1000])["table"]
    t = pm.artist(ax, "curve").get_ydata()
    assert (t[0], t[-1]) == pytest.approx(tuple(expected["time_h"]))
    with pytest.raises(ValueError, match=r"rotors table \(type_45_ti\); got 'type_70_ti'"):
        sedimentation_explorer(rotor="type_70_ti")


def test_a_rotor_table_broken_mid_session_shows_a_message_then_recovers(rotors_copy):
    import os

    from exolab.widgets import sedimentation_explorer

    w = sedimentation_explorer()
    original = rotors_copy.read_text(encoding="utf-8")

    def rewrite(text, step):
        rotors_copy.write_text(text, encoding="utf-8")
        ns = rotors_copy.stat().st_mtime_ns + step * 10**9
        os.utime(rotors_copy, ns=(ns, ns))

    rewrite(original + "ragged\n", 5)
    w.controls["diameter_nm"].value = 50
    assert w.error and "rotors.csv" in w.error and "line" in w.error
    assert "exolab-message-error" in w.readout.value
    assert "image/png" not in w.output.outputs[0]["data"]             # no stale plot
    rewrite(original, 10)
    w.controls["diameter_nm"].value = 60
    assert w.error is None and w.output.outputs[0]["data"]["image/png"]


def test_the_models_fall_back_to_the_tables_first_rotor_like_the_explorer(rotors_copy):
    from exolab import query as q
    from exolab.models import sedimentation as sd

    _keep_rows(rotors_copy, lambda line: line.startswith(("sw_41_ti,", "type_45_ti,")))
    d.clear_cache()
    first = d.load("rotors")["rotor_id"].iloc[0]
    assert sd.default_rotor() == q.default_rotor() == first != "type_70_ti"
    assert sd.rotor_pelleting_time_min(50) == sd.rotor_pelleting_time_min(50, first)
    assert sd.clearing_comparison().attrs["rotor_name"] == d.load("rotors")["name"].iloc[0]
    assert sd.pelleting_table(rcf_g=100_000, diameters_nm=[50]).attrs["rotor_name"] == \
        d.load("rotors")["name"].iloc[0]
    with pytest.raises(ValueError, match=r"got 'type_70_ti'"):
        sd.rotor_pelleting_time_min(50, "type_70_ti")
    _keep_rows(rotors_copy, lambda line: False)                      # a header-only table
    d.clear_cache()
    with pytest.raises(ValueError, match="no rows|holds no rotor"):   # the loader says so first
        sd.rotor_pelleting_time_min(50)
