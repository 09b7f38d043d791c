"""The command line. Every command calls the same engine functions the pages call.

Each module of this package adds one group of commands through its `register(sub)`; a new
group is a new module listed in COMMAND_GROUPS. Exit statuses: 0 success, 2 bad input (the
message says what is wrong and how to fix it), 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from diagnostics.cli import actions, commands, report, workshop
from diagnostics.cli.common import EXIT_BAD_INPUT
from diagnostics.errors import DiagnosticError

COMMAND_GROUPS = (commands, actions, report, workshop)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m diagnostics",
        description="PoC Trap Diagnostic: why AI pilots get stuck before production.",
    )
    parser.add_argument("--content", help="framework file to use (default: data/framework.yaml)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from diagnostics.logging_setup import configure_logging

    configure_logging()  # JSON lines on stderr: migrations, errors
    try:
        return args.func(args)
    except DiagnosticError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
