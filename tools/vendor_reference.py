#!/usr/bin/env python3
"""Regenerate data/reference/: small extracts of the shared identifier lists.

Usage, from the project root:
    python tools/vendor_reference.py [--ref ../shared/ref]

For every identifier used in the core tables (molecules, drugs, cancers,
cell_types, cell_lines) the matching row of the shared reference file is copied
byte for byte, together with the file's header line, into
data/reference/<file> (gzip sources are written uncompressed as .tsv).
Rows keep their order in the source file. Nothing is edited, so
tests/test_reference_ids.py can check each row against its source.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
OUT = DATA / "reference"
DEFAULT_REF = Path(os.environ.get("EXOLAB_SHARED_REF", ROOT.parent / "shared" / "ref"))

# extract name -> (source file, table, id column(s), how to read the id from a source row)
SPECS = {
    "hgnc_genes.tsv": ("hgnc_genes.tsv", [("molecules", "identifier", "HGNC:")]),
    "mirbase_hsa_mature.tsv": ("mirbase_hsa_mature.tsv", [("molecules", "identifier", "MIMAT")]),
    "chebi_names.tsv": ("chebi_names.tsv.gz", [("molecules", "identifier", "CHEBI:"), ("drugs", "chebi_id", "CHEBI:")]),
    "doid_HumanDO.tsv": ("doid_HumanDO.tsv", [("cancers", "doid", "DOID:")]),
    "cl_terms.tsv": ("cl_terms.tsv", [("cell_types", "cl_id", "CL:")]),
    "cellosaurus_names.tsv": ("cellosaurus_names.tsv.gz", [("cell_lines", "cellosaurus_id", "CVCL_")]),
}


def used_ids(sources: list[tuple[str, str, str]]) -> set[str]:
    ids: set[str] = set()
    for table, column, prefix in sources:
        with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                value = (row.get(column) or "").strip()
                if value.startswith(prefix):
                    ids.add(value)
    return ids


def read_lines(path: Path) -> list[bytes]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return raw.splitlines(keepends=True)


def first_field(line: bytes) -> str:
    return line.split(b"\t", 1)[0].decode("utf-8").strip().strip('"')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", type=Path, default=DEFAULT_REF, help="folder with the shared reference lists")
    args = ap.parse_args()
    if not args.ref.is_dir():
        print(f"reference folder not found: {args.ref}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    missing_total = 0
    for name, (source, sources) in SPECS.items():
        wanted = used_ids(sources)
        lines = read_lines(args.ref / source)
        header, body = lines[0], lines[1:]
        kept = [ln for ln in body if first_field(ln) in wanted]
        found = {first_field(ln) for ln in kept}
        for ident in sorted(wanted - found):
            print(f"{name}: {ident} not in {source}", file=sys.stderr)
            missing_total += 1
        (OUT / name).write_bytes(header + b"".join(kept))
        print(f"{name}: {len(kept)} rows from {source}")
    return 1 if missing_total else 0


if __name__ == "__main__":
    sys.exit(main())
