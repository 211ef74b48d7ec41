"""Identifiers in the core tables exist in the vendored reference extracts.

Offline checks read data/reference/; the byte-identity check compares the
extracts with ../shared/ref and is skipped only when that folder is absent.
"""
from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REF = DATA / "reference"
SHARED = ROOT.parent / "shared" / "ref"

SOURCES = {
    "hgnc_genes.tsv": "hgnc_genes.tsv",
    "mirbase_hsa_mature.tsv": "mirbase_hsa_mature.tsv",
    "chebi_names.tsv": "chebi_names.tsv.gz",
    "doid_HumanDO.tsv": "doid_HumanDO.tsv",
    "cl_terms.tsv": "cl_terms.tsv",
    "cellosaurus_names.tsv": "cellosaurus_names.tsv.gz",
}


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def extract(name: str) -> list[dict[str, str]]:
    with open(REF / name, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [{k: (v or "").strip('"') for k, v in r.items()} for r in reader]


def index(name: str, key: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in extract(name):
        out.setdefault(r[key], []).append(r)
    return out


def split(cell: str) -> list[str]:
    return [x for x in (cell or "").split("|") if x]


def test_hgnc_identifiers_match_symbol_or_alias():
    hgnc = index("hgnc_genes.tsv", "hgnc_id")
    checked = 0
    for r in rows("molecules"):
        if r["namespace"] != "HGNC":
            continue
        assert r["identifier"] in hgnc, f"{r['molecule_id']}: {r['identifier']} not in HGNC extract"
        (entry,) = hgnc[r["identifier"]]
        assert entry["status"] == "Approved", r["molecule_id"]
        names = {entry["symbol"], *split(entry["alias_symbol"]), *split(entry["prev_symbol"])}
        assert r["approved_symbol"] == entry["symbol"], r["molecule_id"]
        assert r["molecule_id"] in names, f"{r['molecule_id']} is not the HGNC symbol of {r['identifier']}"
        checked += 1
    assert checked > 50


def test_mirbase_identifiers_match_v22_name():
    mature = index("mirbase_hsa_mature.tsv", "mimat_id")
    checked = 0
    for r in rows("molecules"):
        if r["namespace"] != "miRBase" or not r["identifier"]:
            continue
        assert r["identifier"] in mature, f"{r['molecule_id']}: {r['identifier']} not in miRBase extract"
        (entry,) = mature[r["identifier"]]
        assert entry["name_v22"] == r["approved_symbol"] == r["molecule_id"], r["molecule_id"]
        checked += 1
    assert checked > 30


def test_unresolved_molecules_have_no_identifier_and_say_why():
    for r in rows("molecules"):
        if r["namespace"] == "none":
            assert not r["identifier"], r["molecule_id"]
        if not r["identifier"] and r["kind"] in {"circRNA", "miRNA"}:
            assert r["note"], f"{r['molecule_id']}: unresolved without a note"
    by_id = {r["molecule_id"]: r for r in rows("molecules")}
    assert by_id["microRNA-310a-5p"]["identifier"] == ""
    assert by_id["miR-488"]["identifier"] == ""


def test_chebi_identifiers_match_label():
    chebi = index("chebi_names.tsv", "chebi_id")
    pairs = [(r["molecule_id"], r["identifier"], r["approved_symbol"]) for r in rows("molecules") if r["namespace"] == "ChEBI"]
    pairs += [(r["drug_id"], r["chebi_id"], r["chebi_label"]) for r in rows("drugs") if r["chebi_id"]]
    assert len(pairs) > 20
    for key, ident, label in pairs:
        assert ident in chebi, f"{key}: {ident} not in ChEBI extract"
        (entry,) = chebi[ident]
        assert entry["label"] == label, f"{key}: label {label!r} != ChEBI {entry['label']!r}"
        assert entry["deprecated"] == "false", key


def test_drugs_without_chebi_say_why():
    for r in rows("drugs"):
        if not r["chebi_id"]:
            assert r["note"], r["drug_id"]


def test_doid_identifiers_match_label():
    doid = index("doid_HumanDO.tsv", "id")
    for r in rows("cancers"):
        if not r["doid"]:
            assert r["cancer_id"] in {"multiple", "unspecified"}, r["cancer_id"]
            continue
        assert r["doid"] in doid, f"{r['cancer_id']}: {r['doid']} not in DO extract"
        assert r["doid_label"] in {e["label"] for e in doid[r["doid"]]}, r["cancer_id"]


def test_cl_identifiers_match_label():
    cl = index("cl_terms.tsv", "cl_id")
    for r in rows("cell_types"):
        if not r["cl_id"]:
            assert r["cell_type_id"] == "unspecified"
            continue
        assert r["cl_id"] in cl, f"{r['cell_type_id']}: {r['cl_id']} not in CL extract"
        (entry,) = cl[r["cl_id"]]
        assert r["cl_label"] == entry["label"], r["cell_type_id"]
        assert entry["deprecated"] == "false", r["cell_type_id"]
        if r["match"] == "broader":
            assert r["note"], r["cell_type_id"]


def test_cellosaurus_identifiers_match_label():
    cvcl = index("cellosaurus_names.tsv", "cellosaurus_id")
    for r in rows("cell_lines"):
        assert r["cellosaurus_id"] in cvcl, r["cell_line_id"]
        (entry,) = cvcl[r["cellosaurus_id"]]
        assert r["cellosaurus_label"] == entry["label"] == r["name"], r["cell_line_id"]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_extract_rows_are_byte_identical_to_source(name):
    if not SHARED.is_dir():
        pytest.skip("../shared/ref is not present")
    src = SHARED / SOURCES[name]
    raw = gzip.decompress(src.read_bytes()) if src.suffix == ".gz" else src.read_bytes()
    src_lines = raw.splitlines(keepends=True)
    ours = (REF / name).read_bytes().splitlines(keepends=True)
    assert ours[0] == src_lines[0], "header differs from source"
    source_set = set(src_lines[1:])
    for line in ours[1:]:
        assert line in source_set, f"{name}: row not found verbatim in source: {line[:80]!r}"
    assert len(ours) > 1
