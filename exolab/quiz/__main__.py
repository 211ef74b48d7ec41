"""Command line: ``python -m exolab.quiz {check,key,export} [lesson ...]``.

Without a lesson every bank in ``data/quizzes/`` is used.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .bank import list_banks, load_bank
from .render import key_markdown, to_jupyterquiz
from .schema import QuizError


def _lessons(names: list[str]) -> list[str]:
    return names or list_banks()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 1 a bank is broken, 2 usage)."""
    parser = argparse.ArgumentParser(prog="python -m exolab.quiz", description="exolab quiz banks")
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="validate banks")
    p_key = sub.add_parser("key", help="print a Markdown answer key")
    p_exp = sub.add_parser("export", help="export banks for another quiz tool")
    p_exp.add_argument("--format", choices=["jupyterquiz"], default="jupyterquiz")
    p_exp.add_argument("-o", "--output", type=Path,
                       help="a .json file (all questions of the lessons given, in one list) or a "
                            "folder (<lesson>.json each); default: stdout, one list")
    for p in (p_check, p_key, p_exp):
        p.add_argument("lessons", nargs="*", metavar="lesson", help="lesson id(s); default: all banks")
    args = parser.parse_args(argv)
    lessons = _lessons(args.lessons)
    if not lessons:
        print("no quiz banks found", file=sys.stderr)
        return 2
    banks, broken = {}, 0
    for name in lessons:
        try:
            banks[name] = load_bank(name)
            if args.command == "check":
                print(f"{name}: {len(banks[name])} questions ok")
        except QuizError as exc:  # report every broken bank, not just the first
            broken += 1
            print(f"error: {exc}", file=sys.stderr)
    if broken:
        return 1
    if args.command == "check":
        return 0
    if args.command == "key":
        sys.stdout.write("\n".join(key_markdown(n, qs) for n, qs in banks.items()))
    else:
        exported = {n: [to_jupyterquiz(q) for q in qs] for n, qs in banks.items()}
        # stdout and a .json file always hold one jupyterquiz question list (several
        # lessons are concatenated in order); any other -o is a folder of <lesson>.json
        merged = [item for qs in exported.values() for item in qs]
        out = args.output
        if out is None:
            sys.stdout.write(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        elif out.suffix.lower() == ".json":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            out.mkdir(parents=True, exist_ok=True)
            for name, qs in exported.items():
                (out / f"{name}.json").write_text(json.dumps(qs, indent=2, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
        print("note: order and match questions are exported as multiple_choice among candidate "
              "arrangements (jupyterquiz has no order kind; its newer match kind is not used, so the "
              "export also works with older jupyterquiz versions)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
