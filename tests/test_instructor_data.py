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
