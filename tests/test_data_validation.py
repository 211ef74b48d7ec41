"""The loader's validation, on a small synthetic data folder: every failure kind
gives a DataError that names the file, the line and the column."""
from __future__ import annotations

import textwrap

import pandas as pd
import pytest

import exolab.data as d

REGISTRY = textwrap.dedent("""\
    vocabularies:
      theme: [biogenesis, metabolism, immunity]
    tables:
      things:
        file: things.csv
        description: things.md
        primary_key: thing_id
        columns:
          thing_id: {type: string, required: true, pattern: 'T[0-9]{2}'}
          theme: {type: category, required: true, vocabulary: theme}
          size_nm: {type: number, min: 0, max: 1000}
          step: {type: integer}
          ok: {type: boolean}
          refs: {type: list, item_type: integer}
          partner: {type: string, foreign_key: partners.partner_id}
      partners:
        file: partners.csv
        description: partners.md
        primary_key: partner_id
        columns:
          partner_id: {type: string, required: true}
          aliases: {type: list}
    """)
THINGS = "thing_id,theme,size_nm,step,ok,refs,partner\nT01,immunity,30.5,1,true,12|14,P1\nT02,biogenesis,,,false,,\n"
PARTNERS = "partner_id,aliases\nP1,first partner|PX-1\n"
HEADER = THINGS.splitlines()[0]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "tables.yml").write_text(REGISTRY)
    (tmp_path / "things.csv").write_text(THINGS)
    (tmp_path / "partners.csv").write_text(PARTNERS)
    (tmp_path / "things.md").write_text("A thing table with {{rows}} rows.\n")
    (tmp_path / "partners.md").write_text("Partners.\n")
    monkeypatch.setenv("EXOLAB_DATA_DIR", str(tmp_path))
    d.clear_cache()
    yield tmp_path
    d.clear_cache()


def test_good_folder_loads_with_proper_dtypes(folder):
    df = d.load("things")
    assert list(df.columns) == ["thing_id", "theme", "size_nm", "step", "ok", "refs", "partner"]
    assert isinstance(df["theme"].dtype, pd.CategoricalDtype) and df["theme"].cat.ordered
    assert list(df["theme"].cat.categories) == ["biogenesis", "metabolism", "immunity"]
    assert str(df["size_nm"].dtype) == "Float64" and pd.isna(df.loc[1, "size_nm"])
    assert str(df["step"].dtype) == "Int64"
    assert df.loc[0, "refs"] == (12, 14) and df.loc[1, "refs"] == ()
    assert df["ok"].tolist() == [True, False]
    assert d.describe("things") == "A thing table with 2 rows.\n"


def test_load_returns_a_copy(folder):
    first = d.load("things")
    first.loc[0, "thing_id"] = "changed"
    assert d.load("things").loc[0, "thing_id"] == "T01"


def _expect(folder, filename, content, *, line, column, fragment, mode="w"):
    path = folder / filename
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    d.clear_cache()
    with pytest.raises(d.DataError) as info:
        d.load("things")
    err = info.value
    assert err.file is not None and err.file.name == filename
    assert err.line == line
    assert err.column == column
    assert fragment in str(err)
    assert filename in str(err)
    return err


def test_missing_column(folder):
    _expect(folder, "things.csv", "thing_id,theme,size_nm,step,ok,refs\nT01,immunity,1,1,true,1\n",
            line=1, column="partner", fragment="missing column")


def test_unknown_enum_value_names_allowed_values_and_likely_mistake(folder):
    err = _expect(folder, "things.csv", THINGS.replace("immunity,30.5", "imunity,30.5"),
                  line=2, column="theme", fragment="not allowed")
    assert "Did you mean 'immunity'" in str(err) and "biogenesis, metabolism, immunity" in str(err)


def test_duplicate_key(folder):
    _expect(folder, "things.csv", THINGS + "T01,metabolism,1,1,true,,\n",
            line=4, column="thing_id", fragment="duplicated (first on line 2)")


def test_dangling_foreign_key(folder):
    _expect(folder, "things.csv", THINGS.replace(",P1\n", ",P9\n"),
            line=2, column="partner", fragment="not a partner_id in table 'partners'")


@pytest.mark.parametrize("column,bad,fragment", [
    ("size_nm", "thirty", "not a number"),
    ("step", "1.5", "not a whole number"),
    ("ok", "maybe", "true or false"),
    ("refs", "12|x", "not a whole number"),
])
def test_wrong_type(folder, column, bad, fragment):
    row = {"thing_id": "T01", "theme": "immunity", "size_nm": "1", "step": "1", "ok": "true",
           "refs": "1", "partner": "P1"}
    row[column] = bad
    content = "thing_id,theme,size_nm,step,ok,refs,partner\n" + ",".join(row.values()) + "\n"
    _expect(folder, "things.csv", content, line=2, column=column, fragment=fragment)


def test_below_minimum(folder):
    _expect(folder, "things.csv", THINGS.replace("30.5", "-3"), line=2, column="size_nm",
            fragment="below the minimum")


def test_above_maximum(folder):
    _expect(folder, "things.csv", THINGS.replace("30.5", "5000"), line=2, column="size_nm",
            fragment="above the maximum 1000")


def test_unexpected_column_names_it_and_the_expected_header(folder):
    err = _expect(folder, "things.csv", HEADER.replace("partner", "partner,extra") + "\n"
                  "T01,immunity,1,1,true,1,P1,x\n", line=1, column="extra", fragment="unexpected column")
    assert HEADER in str(err)


def test_columns_out_of_order(folder):
    _expect(folder, "things.csv", "theme,thing_id,size_nm,step,ok,refs,partner\n"
            "immunity,T01,1,1,true,1,P1\n", line=1, column=None, fragment="out of order")


def test_empty_list_item(folder):
    _expect(folder, "things.csv", THINGS.replace("12|14", "12||14"), line=2, column="refs",
            fragment="has an empty item")


def test_duplicated_header_name_is_an_error_on_the_header_line(folder):
    _expect(folder, "things.csv", HEADER.replace(",partner", ",thing_id") + "\nT01,immunity,1,1,true,1,T01\n",
            line=1, column="thing_id", fragment="appear more than once")


def test_unbalanced_quote_points_at_the_line_where_it_opens(folder):
    # An unclosed quote swallows the following lines into one cell: the loader refuses the
    # file and names line 2, where the quote was opened, not line 3 where the record ends.
    _expect(folder, "things.csv", HEADER + '\nT01,"immunity,30.5,1,true,12|14,P1\nT02,biogenesis,,,false,,\n',
            line=2, column=None, fragment="probably not closed")


def test_header_only_file_is_an_error(folder):
    _expect(folder, "things.csv", HEADER + "\n", line=1, column=None, fragment="no rows")


def test_invalid_yaml_registry_names_the_registry_and_the_yaml_position(folder):
    (folder / "tables.yml").write_text(REGISTRY.replace("theme: [biogenesis, metabolism, immunity]",
                                                        "theme: [biogenesis, metabolism"))
    d.clear_cache()
    with pytest.raises(d.DataError) as info:
        d.load("things")
    assert info.value.file.name == "tables.yml"
    assert "not valid UTF-8 YAML" in str(info.value) and "line 3" in str(info.value)


def test_bom_and_crlf_are_accepted(folder):
    (folder / "things.csv").write_text("\ufeff" + THINGS.replace("\n", "\r\n"), encoding="utf-8", newline="")
    d.clear_cache()
    df = d.load("things")
    assert list(df["thing_id"]) == ["T01", "T02"] and df.loc[0, "refs"] == (12, 14)
    assert df.columns[0] == "thing_id"


def test_pattern(folder):
    _expect(folder, "things.csv", THINGS.replace("T02", "X2"), line=3, column="thing_id",
            fragment="does not match the pattern")


def test_required_cell_empty(folder):
    _expect(folder, "things.csv", THINGS.replace("T02,biogenesis", "T02,"), line=3, column="theme",
            fragment="empty but required")


def test_empty_file(folder):
    _expect(folder, "things.csv", "", line=1, column=None, fragment="the file is empty")


def test_non_utf8_bytes(folder):
    content = THINGS.encode() + "T03,immunity,1,1,true,,\n".encode("latin-1").replace(b"T03", b"T\xe903")
    _expect(folder, "things.csv", content, line=4, column=None, fragment="not UTF-8")


def test_ragged_row(folder):
    _expect(folder, "things.csv", THINGS + "T03,immunity,1\n", line=4, column=None,
            fragment="has 3 cells but the header has 7")


def test_missing_file(folder):
    (folder / "things.csv").unlink()
    d.clear_cache()
    with pytest.raises(d.DataError, match="things.csv: file not found"):
        d.load("things")


def test_unknown_table_says_how_to_list(folder):
    with pytest.raises(d.DataError) as info:
        d.load("thing")
    assert "Did you mean 'things'" in str(info.value) and "list_tables()" in str(info.value)


def test_bad_registry_type(folder):
    (folder / "tables.yml").write_text(REGISTRY.replace("type: boolean", "type: bool"))
    d.clear_cache()
    with pytest.raises(d.DataError, match="tables.yml.*column 'ok'.*type 'bool'"):
        d.load("things")


def test_generated_loaders_exist_for_public_tables():
    assert callable(d.load_findings) and d.load_findings.__name__ == "load_findings"
