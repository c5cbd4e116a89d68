"""`posetracker batch FOLDER_OR_MANIFEST --exercise ID [--workers N] [--ray-address ADDR] [--out R.jsonl]`."""
from __future__ import annotations

import json
import os
import sys


def add_parallel_options(parser) -> None:
    """--workers, --ray-address and --out: shared by `batch` and `eval`."""
    group = parser.add_argument_group("parallel runs (one clip per task)")
    group.add_argument("--workers", type=int, metavar="N",
                       help="clips analysed at once (default: one per core here, one per CPU of a Ray cluster)")
    group.add_argument("--ray-address", default=os.environ.get("RAY_ADDRESS"), metavar="ADDR",
                       help="run on the Ray cluster at HOST:PORT ('auto', or 'local' for a one-machine cluster; "
                            "default: $RAY_ADDRESS, else this machine's cores without Ray). Needs posetracker[dist]")


def register(sub) -> None:
    parser = sub.add_parser(
        "batch", help="count an exercise in every clip of a folder or manifest, in parallel",
        description="Analyses every clip (no labels needed) and writes one result row per clip to OUT.jsonl and "
                    "OUT.csv. A re-run with the same --out skips the clips already done. A clip that fails is "
                    "recorded with its error and the batch goes on (exit status 1 when any failed).")
    parser.add_argument("source", metavar="FOLDER_OR_MANIFEST",
                        help="a folder of videos, or a manifest: one `PATH [EXERCISE]` a line, or a labels-style "
                             "JSON list of {file, exercise}")
    parser.add_argument("--exercise", metavar="ID", help="exercise of every clip that names none")
    parser.add_argument("--model", default="movenet", help="pose model (movenet or blazepose)")
    parser.add_argument("--out", default="batch-results.jsonl", metavar="PATH.jsonl",
                        help="results file (a CSV of the same rows is written beside it); default "
                             "batch-results.jsonl")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--pose-cache", default=os.environ.get("POSETRACKER_POSE_CACHE"),
                        help="folder to cache each clip's poses in (default: $POSETRACKER_POSE_CACHE)")
    add_parallel_options(parser)
    parser.set_defaults(func=run)


def progress_for(args, clips):
    from posetracker.tools.progress import ProgressBar

    return None if args.json or not sys.stderr.isatty() else ProgressBar(clips)


def run(args) -> int:
    from posetracker.estimators import check_model_name
    from posetracker.tools.batch import clips_from, format_batch, run_batch, summarise_batch

    check_model_name(args.model)
    clips = clips_from(args.source, args.exercise)
    bar = progress_for(args, clips)
    try:
        records = run_batch(clips, args.model, workers=args.workers, ray_address=args.ray_address,
                            pose_cache=args.pose_cache, results=args.out, progress=bar)
    finally:
        if bar:
            bar.close()
    summary = summarise_batch(records)
    if args.json:
        print(json.dumps({**summary, "model": args.model, "results": str(args.out)}))
    else:
        print(format_batch(records))
        print(f"results: {args.out} and {os.path.splitext(args.out)[0]}.csv")
    return 1 if summary["failed"] else 0
