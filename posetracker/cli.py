"""`posetracker` command line. Each subcommand lives in `posetracker/commands/<name>.py` with a `register`."""
from __future__ import annotations

import argparse
import importlib
import json
import sys

from posetracker.errors import PoseTrackerError

COMMANDS = ("models", "analyze", "eval", "bench", "reference")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posetracker", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"posetracker.commands.{name.replace('eval', 'evaluate')}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("posetracker.commands"):
                continue  # a command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PoseTrackerError as exc:
        if getattr(args, "json", False):
            print(json.dumps(exc.to_event()))
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
