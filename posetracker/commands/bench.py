"""`posetracker bench [--json] [--videos DIR] [--quick]`: the pipeline's cost against the model's own cost."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser("bench", help="measure model-only, live-callback and upload speed, memory, cold start")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--videos", default=None,
                        help="folder of real clips (default: ../shared/testdata/videos beside the project)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer frames and shorter clips: a rough look in about a minute")
    parser.add_argument("--model", action="append", choices=["movenet", "blazepose"],
                        help="bench only this model (repeatable; default both)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the trainer-style baseline")
    parser.add_argument("--long-minutes", type=float, default=0.0, metavar="N",
                        help="also measure peak memory of an N-minute 1080p upload (synthesised by looping a "
                             "clip; 10 takes about half an hour)")
    scaling = parser.add_argument_group("batch scaling (instead of the per-frame figures)")
    scaling.add_argument("--scaling", action="store_true",
                         help="clips/min and frames/s of whole-clip batches with 1 and 2 workers, the efficiency, "
                              "and a 10-node cluster on 10,000 clips, on paper")
    scaling.add_argument("--scaling-clips", type=int, default=None, metavar="N",
                         help="batch the first N labelled clips (default: all of them)")
    scaling.add_argument("--scaling-workers", default="1,2", metavar="LIST", help="worker counts (default: 1,2)")
    scaling.add_argument("--ray-address", default=None, metavar="ADDR",
                         help="run the scaling batches on this Ray cluster instead of local processes")
    parser.add_argument("--capacity", action="store_true",
                        help="instead: how many live sessions this server holds at >= 15 fps and < 250 ms (aiortc "
                             "visitors sending a real clip; run it inside a network namespace of its own)")
    parser.add_argument("--camera", default="640x480@30", metavar="WxH@FPS",
                        help="with --capacity: the visitors' camera (default 640x480@30)")
    parser.add_argument("--codec", default="VP8", choices=["VP8", "H264"], help="with --capacity: the video codec")
    parser.add_argument("--max-sessions", type=int, default=6, metavar="N", help="with --capacity: stop at N")
    parser.set_defaults(func=run)


def run_scaling(args, videos: Path) -> int:
    from posetracker.tools.scaling import format_scaling, measure_scaling, scaling_clips

    model = (args.model or ["movenet"])[0]
    workers = tuple(int(n) for n in args.scaling_workers.split(","))
    report = measure_scaling(scaling_clips(videos, args.scaling_clips), model, workers, args.ray_address,
                             log=lambda s: print(f"  {s}", file=sys.stderr, flush=True))
    print(json.dumps(report) if args.json else format_scaling(report))
    return 0


def run_capacity_command(args, videos: Path) -> int:
    import re
    from dataclasses import replace

    from posetracker.tools.bench import MODELS
    from posetracker.errors import PoseTrackerError
    from posetracker.tools.capacity import CapacityConfig, format_capacity, run_capacity

    match = re.fullmatch(r"(\d+)x(\d+)@(\d+)", args.camera)
    if not match or int(match[1]) % 2 or int(match[2]) % 2:
        raise PoseTrackerError("invalid_parameter", f"--camera takes WIDTHxHEIGHT@FPS with even sizes, such as "
                               f"640x480@30; got {args.camera!r}.")
    width, height, fps = (int(g) for g in match.groups())
    config = CapacityConfig(videos=videos, models=tuple(args.model or MODELS), width=width, height=height, fps=fps,
                            codec=args.codec, max_sessions=max(1, args.max_sessions))
    if args.quick:
        config = replace(config, warmup_s=2.0, window_s=4.0, max_sessions=min(config.max_sessions, 3))
    report = run_capacity(config, log=lambda s: print(f"  {s}", file=sys.stderr, flush=True))
    print(json.dumps(report) if args.json else format_capacity(report))
    return 0


def run(args) -> int:
    from posetracker.tools.bench import MODELS, BenchConfig, default_videos_dir, format_report, quick, run_bench
    from posetracker.errors import PoseTrackerError

    videos = Path(args.videos) if args.videos else default_videos_dir()
    if videos is None or not videos.is_dir():
        raise PoseTrackerError("no_clips", "No folder of clips to measure on. Pass --videos DIR "
                               "(the project's test clips live in ../shared/testdata/videos).")
    if args.scaling:
        return run_scaling(args, videos)
    if args.capacity:
        return run_capacity_command(args, videos)
    config = BenchConfig(videos=videos, models=tuple(args.model or MODELS), baseline=not args.no_baseline,
                         long_minutes=max(0.0, args.long_minutes))
    if args.quick:
        config = quick(config)
    report = run_bench(config, log=lambda s: print(f"  {s}", file=sys.stderr, flush=True))
    print(json.dumps(report) if args.json else format_report(report))
    return 0
