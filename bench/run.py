"""Benchmarks: each section prints its method with its numbers. Run with `make bench`;
`--only SECTION` runs one, `--update-docs` also writes the results into docs/performance.md.

Sections live in their own modules next to this one; each is a function returning its lines.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine_calls  # noqa: E402  (the bench folder is not a package)
import imports  # noqa: E402
import kb  # noqa: E402
import knowledge_answer  # noqa: E402
import live_calls  # noqa: E402
import nlu  # noqa: E402
import operators  # noqa: E402
import sentiment  # noqa: E402

PERFORMANCE_DOC = ROOT / "docs" / "performance.md"


def sections(args: argparse.Namespace) -> dict[str, Callable[[], list[str]]]:
    """The sections in the order `make bench` runs them."""
    return {
        "calls": lambda: engine_calls.bench_calls(args.rounds),
        "imports": lambda: imports.bench_imports(args.import_runs),
        "operators": lambda: operators.bench_operators(args.requests),
        "sentiment": sentiment.bench_sentiment,
        "live": lambda: live_calls.bench_live_calls(args.live_calls, args.live_seconds, args.live_most),
        "nlu": lambda: nlu.bench_nlu(args.nlu_rounds),
        "kb": kb.bench_kb,
        "kb-answer": knowledge_answer.bench_knowledge_answer,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the demo mix (default 5)")
    parser.add_argument(
        "--import-runs", type=int, default=15, help="rounds of the interleaved import runs (default 15)"
    )
    parser.add_argument("--nlu-rounds", type=int, default=5, help="rounds over the NLU eval set (default 5)")
    parser.add_argument("--requests", type=int, default=500, help="Connect emulator requests (default 500)")
    parser.add_argument(
        "--live-calls", type=int, default=1000, help="live calls dialling at once (default 1000)"
    )
    parser.add_argument(
        "--live-seconds", type=float, default=45.0, help="measured seconds per live-call level (default 45)"
    )
    parser.add_argument(
        "--live-most",
        type=int,
        default=6000,
        help="most live calls the saturation search tries (default 6000)",
    )
    parser.add_argument("--only", action="append", metavar="SECTION", help="only this section (repeatable)")
    parser.add_argument("--imports-only", action="store_true", help="same as --only imports")
    parser.add_argument(
        "--update-docs", action="store_true", help="write the results into docs/performance.md"
    )
    args = parser.parse_args()
    available = sections(args)
    chosen = (args.only or []) + (["imports"] if args.imports_only else [])
    unknown = [name for name in chosen if name not in available]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; one of {', '.join(available)}")
    lines = [
        f"{datetime.now():%Y-%m-%d}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    ]
    print(lines[0], flush=True)
    for name, run in available.items():
        if not chosen or name in chosen:
            found = run()
            print("\n".join(found), flush=True)  # each section as it ends: the slow ones take minutes
            lines += found
    if args.update_docs:
        block = "<!-- bench:start -->\n```\n" + "\n".join(lines) + "\n```\n<!-- bench:end -->"
        text = re.sub(
            r"<!-- bench:start -->.*<!-- bench:end -->",
            block,
            PERFORMANCE_DOC.read_text(encoding="utf-8"),
            flags=re.S,
        )
        PERFORMANCE_DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
