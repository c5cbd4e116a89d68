"""`posetracker eval LABELS.json --videos DIR [--model NAME] [--json] [--pose-cache DIR]`."""
from __future__ import annotations

import json
import os
import sys


def register(sub) -> None:
    parser = sub.add_parser("eval", help="count every labelled clip and compare with the labels")
    parser.add_argument("labels", help="labels JSON (format of ../shared/testdata/labels.json)")
    parser.add_argument("--videos", required=True, help="folder holding the labelled clips")
    parser.add_argument("--model", default="movenet", help="pose model (movenet or blazepose)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--pose-cache", default=os.environ.get("POSETRACKER_POSE_CACHE"),
                        help="folder to cache each clip's poses in (default: $POSETRACKER_POSE_CACHE)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from posetracker.estimators import check_model_name
    from posetracker.tools.evaluate import evaluate, load_labels

    check_model_name(args.model)
    labels = load_labels(args.labels)
    quiet = args.json or not sys.stderr.isatty()
    report = evaluate(labels, args.videos, args.model, args.pose_cache,
                      progress=None if quiet else lambda f: print(f"  {f}", file=sys.stderr))
    print(json.dumps(report.to_dict()) if args.json else report.table())
    return 0
