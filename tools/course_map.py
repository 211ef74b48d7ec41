"""Write the README's course map from the lesson manifest and the quiz banks.

``python tools/course_map.py`` rewrites the block between the course-map markers
in README.md; ``tests/test_readme.py`` fails when the README is out of date.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPO = "exolab/exolab"  # GitHub owner/name used by the Binder links
BINDER = f"https://mybinder.org/v2/gh/{REPO}/main"
START, END = "<!-- course-map:start -->", "<!-- course-map:end -->"


def table() -> str:
    """Return the course map as a Markdown table (computed, never typed)."""
    from exolab.lessons import load_manifest

    rows = ["| # | lesson | minutes | level | widgets | quiz questions | open on Binder |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for i, entry in enumerate(load_manifest()):
        bank = ROOT / "data" / "quizzes" / f"{entry['id']}.yaml"
        doc = yaml.safe_load(bank.read_text(encoding="utf-8")) if bank.is_file() else []
        questions = doc.get("questions", []) if isinstance(doc, dict) else (doc or [])
        link = f"[launch]({BINDER}?urlpath=lab/tree/notebooks/{entry['file']})"
        rows.append(f"| {i:02d} | [{entry['title']}](notebooks/{entry['file']}) | {entry['minutes']} | "
                    f"{entry['level']} | {len(entry.get('widgets') or [])} | {len(questions)} | {link} |")
    return "\n".join(rows)


def render(readme: str) -> str:
    """Return ``readme`` with the course-map block replaced by :func:`table`."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print("README.md course map updated")
