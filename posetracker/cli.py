"""`posetracker` command line. Each subcommand lives in `posetracker/commands/<name>.py` with a `register`."""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import traceback

from posetracker.errors import PoseTrackerError

COMMANDS = ("models", "analyze", "eval", "batch", "bench", "reference")


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
    _add_verbose(parser, False)
    for command in _commands(sub):  # `posetracker analyze ... --verbose` too
        _add_verbose(command, argparse.SUPPRESS)
    return parser


def _commands(sub) -> list[argparse.ArgumentParser]:
    """Every command's parser, and its actions' (`posetracker reference judge`), however deep."""
    out = []
    for command in dict.fromkeys(sub.choices.values()):
        out.append(command)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                out += _commands(action)
    return out


def _add_verbose(parser: argparse.ArgumentParser, default) -> None:
    flags = [f for f in ("-v", "--verbose") if f not in parser._option_string_actions]  # a command may have its own
    if "--verbose" in flags:
        parser.add_argument(*flags, dest="verbose", action="store_true", default=default,
                            help="also show the native libraries' log lines and the details of an unexpected error")


def main(argv: list[str] | None = None) -> int:
    from posetracker.quiet import quiet_native_logs, restore_stderr

    args = build_parser().parse_args(argv)
    if not getattr(args, "verbose", False):
        quiet_native_logs()
    try:
        return int(args.func(args) or 0)
    except PoseTrackerError as exc:
        return _fail(args, exc)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a user reads a sentence, not a traceback
        logging.getLogger("posetracker").debug("unexpected failure", exc_info=exc)
        if getattr(args, "verbose", False):
            traceback.print_exc()
        return _fail(args, PoseTrackerError("analysis_failed", "Something went wrong that we did not expect. Try "
                                            "again, or another file; run the same command with --verbose to see the "
                                            "details, and tell us about it if it keeps happening."))
    finally:
        restore_stderr()


def _fail(args, exc: PoseTrackerError) -> int:
    if getattr(args, "json", False):
        print(json.dumps(exc.to_event()))
    print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
