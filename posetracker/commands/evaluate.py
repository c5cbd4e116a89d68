"""`posetracker eval LABELS.json [MORE.json | FOLDER ...] --videos DIR [--model NAME] [--json] [--pose-cache DIR]
[--workers N] [--ray-address ADDR] [--out RESULTS.jsonl] [--augment NAME[,NAME]] [--augment-seed N]`."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from posetracker.commands.batch import add_parallel_options


def register(sub) -> None:
    parser = sub.add_parser("eval", help="count every labelled clip and compare with the labels")
    parser.add_argument("labels", nargs="+",
                        help="labels JSON (format of ../shared/testdata/labels.json); several files, or a folder "
                             "(every labels file in it)")
    parser.add_argument("--videos", help="folder holding the labelled clips (default: videos/ beside the first "
                                         "labels file)")
    parser.add_argument("--model", default="movenet", help="pose model (movenet or blazepose)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--pose-cache", default=os.environ.get("POSETRACKER_POSE_CACHE"),
                        help="folder to cache each clip's poses in (default: $POSETRACKER_POSE_CACHE)")
    parser.add_argument("--out", metavar="PATH.jsonl",
                        help="also write each clip's result (JSONL, and CSV beside it); a re-run resumes from it")
    parser.add_argument("--augment", metavar="NAME[,NAME]",
                        help="count every clip again with its poses varied: half_fps, drop (10-20%% of frames lost "
                             "in bursts), mirror, zoom_in / zoom_out (from a random frame on), jitter; several "
                             "joined by commas apply in turn")
    parser.add_argument("--augment-seed", type=int, default=0, help="seed of the variations' random choices")
    add_parallel_options(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from posetracker.errors import PoseTrackerError
    from posetracker.estimators import check_model_name
    from posetracker.tools.augment import parse_augmentations
    from posetracker.tools.evaluate import evaluate, load_label_sets
    from posetracker.tools.progress import ProgressBar

    check_model_name(args.model)
    augment = parse_augmentations(args.augment)
    labels = load_label_sets(args.labels)
    videos = args.videos
    if videos is None:
        first = Path(args.labels[0])
        videos = (first if first.is_dir() else first.parent) / "videos"
        if not videos.is_dir():
            raise PoseTrackerError("video_not_found", f"No videos/ folder beside {args.labels[0]}: pass --videos DIR.")
    quiet = args.json or not sys.stderr.isatty()
    bar = None if quiet else ProgressBar([_Sized(videos, label) for label in labels])
    try:
        report = evaluate(labels, videos, args.model, args.pose_cache, workers=args.workers or _cores(),
                          ray_address=args.ray_address, results=args.out, on_clip=bar, augment=augment,
                          augment_seed=args.augment_seed)
    finally:
        if bar:
            bar.close()
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(report.table())
        print()
        print(report.exercise_table())
    return 1 if report.failures else 0


class _Sized:
    """What the progress bar needs of a clip before it runs: its size."""

    def __init__(self, videos, label) -> None:
        path = Path(videos) / label["file"]
        self.size = path.stat().st_size if path.is_file() else 0


def _cores() -> int:
    from posetracker.tools.batch import default_workers

    return default_workers()
