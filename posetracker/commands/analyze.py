"""`posetracker analyze VIDEO --exercise ID ...`: the upload pipeline, headless (the Upload page's code path)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from posetracker.options import GRADES, Difficulty, Mode
from posetracker.features import CLI_FLAGS
from posetracker.plans import PLANS

CLI_DEFAULT_PLAN = "developer"  # local command-line use; the app's sessions start on Free


def register(sub) -> None:
    p = sub.add_parser(
        "analyze", help="count an exercise in a video; optionally export the annotated video and raw data",
        description="Runs the upload pipeline on VIDEO and prints the final count. Exit status 2 with "
                    "'error: CODE: message' on stderr for bad input or a feature the plan does not include.")
    p.add_argument("video", metavar="VIDEO", help="the video file (MP4, MOV, WebM, AVI, MKV)")
    p.add_argument("--exercise", metavar="ID", help="catalogue id, e.g. squat, push_up, plank")
    p.add_argument("--reference", metavar="ID", help="count a reference movement instead (Business plan; "
                   "see `posetracker reference`)")
    p.add_argument("--model", default="movenet", metavar="NAME", help="movenet (default) or blazepose")
    p.add_argument("--events", type=Path, metavar="PATH.jsonl", help="write every event, one JSON object per line")
    p.add_argument("--json", action="store_true", help="print one JSON object (the result, or the error) on stdout")
    p.add_argument("--export", type=Path, metavar="OUT.mp4", help="write the annotated H.264 video")
    p.add_argument("--keypoints-csv", type=Path, metavar="PATH",
                   help="write keypoints as CSV, one row per frame and keypoint (needs the keypoints feature)")
    p.add_argument("--reps-csv", type=Path, metavar="PATH", help="write per-rep results as CSV")
    gate = p.add_argument_group("plan and features (gated by the plan, as in the app)")
    gate.add_argument("--plan", choices=list(PLANS), default=None,
                      help=f"plan whose features and limits apply (default: {CLI_DEFAULT_PLAN} for local "
                           "command-line use)")
    gate.add_argument("--token", metavar="T", help="a configured token; its plan replaces --plan")
    for feature in CLI_FLAGS:  # the features table's `cli` column
        gate.add_argument(f"--{feature.cli}", dest=feature.setting, action="store_true", default=None,
                          help=f"ask for {feature.cli_help}")
    gate.add_argument("--min-grade", choices=GRADES, type=str.upper, metavar="A-D",
                      help="reject (do not count) reps graded below this")
    gate.add_argument("--difficulty", choices=[d.value for d in Difficulty], default=Difficulty.MEDIUM.value,
                      help="how deep a rep must go (default: medium)")
    gate.add_argument("--no-skeleton", action="store_true", help="leave the skeleton out of the export")
    jump = p.add_argument_group("jumps (air_time_jump, jump_analysis)")
    jump.add_argument("--user-height-cm", type=float, metavar="CM",
                      help="the person's height; jump_analysis needs it to turn pixels into centimetres")
    jump.add_argument("--device-pitch-deg", type=float, default=0.0, metavar="DEG",
                      help="the phone's tilt (0 = upright)")
    p.set_defaults(func=run)


def build_settings(args: argparse.Namespace):
    """The session settings the flags ask for, before the plan gate."""
    from posetracker.settings import Settings, load_tokens, plan_for_token
    from posetracker.errors import PoseTrackerError

    plan = args.plan or CLI_DEFAULT_PLAN
    if args.token:
        plan, error = plan_for_token(args.token, load_tokens())
        if error:
            raise PoseTrackerError(error["code"], error["message"])
    asked = {f.setting: True for f in CLI_FLAGS if getattr(args, f.setting)}
    if args.keypoints_csv:
        asked["keypoints"] = True
    return Settings.defaults_for(
        plan, exercise=args.exercise or "squat", reference=args.reference, model=args.model, difficulty=Difficulty(args.difficulty),
        min_grade=args.min_grade, skeleton=not args.no_skeleton, export=args.export is not None,
        countdown_s=0, mirror=False, user_height_cm=args.user_height_cm, device_pitch_deg=args.device_pitch_deg,
        **asked)


def run(args: argparse.Namespace) -> int:
    from posetracker.errors import PoseTrackerError
    from posetracker.exercises import get_spec
    from posetracker.exports import write_events_jsonl, write_reps_csv
    from posetracker.inputs import MediaKind, check_media
    from posetracker.pipeline import analyze_video, check_output
    from posetracker.settings import enforce

    if bool(args.exercise) == bool(args.reference):
        raise PoseTrackerError("invalid_exercise", "Give either --exercise ID or --reference ID (not both).",
                               {"valid": ["--exercise", "--reference"]})
    if args.exercise:
        get_spec(args.exercise)  # invalid_exercise, listing the valid ids, before any work
    if args.exercise == "jump_analysis" and args.user_height_cm is None:
        from posetracker.jumps import missing_height

        raise PoseTrackerError("jump_analysis_missing_height", missing_height()["message"].split(" Until")[0]
                               + " Pass --user-height-cm, or use --exercise air_time_jump.")
    for path in (args.export, args.keypoints_csv, args.events, args.reps_csv):
        check_output(path)
    settings = build_settings(args)
    allowed, refused = enforce(settings)
    if refused:
        raise PoseTrackerError(refused["code"], refused["message"], refused.get("details"))
    label = args.exercise
    if args.reference:
        from posetracker.reference import load_reference

        label = load_reference(args.reference, plan=allowed.plan).name  # reference_not_found before any work
    upload = check_media(Path(args.video), allowed.plan_info, Path(args.video).name)
    if upload.kind is not MediaKind.VIDEO:
        raise PoseTrackerError("video_load_error", f"{upload.name} is a {upload.media.label}, not a video. "
                               "`analyze` takes a video; use the Upload page for images.")
    progress = _stderr_progress if sys.stderr.isatty() and not args.json else None
    result = analyze_video(upload.path, allowed.to_options(Mode.UPLOAD), allowed.model,
                           export_path=args.export, watermark=allowed.watermark or False,
                           keypoints_csv=args.keypoints_csv, progress=progress)
    if progress:
        print(file=sys.stderr)
    for notice in result.notices:  # the model fallback, no person found, a file cut short
        print(f"note: {notice}", file=sys.stderr)
    if args.events:
        write_events_jsonl(result.events, args.events)
    if args.reps_csv:
        write_reps_csv(result.reps_detail, args.reps_csv)
    out = result.to_dict()
    if args.json:
        print(json.dumps(out))
    else:
        what = (f"{out['hold_seconds']:.1f} s held" if out["hold_seconds"] is not None else f"{out['reps']} reps")
        if "jump_summary" in out:
            best = out["jump_summary"]["maxJumpHeight"]
            what = f"{out['reps']} jumps" + (f", best {best:.1f} cm" if best is not None else "")
        print(f"{label}: {what} ({out['frames']} frames, {out['duration_s']:.1f} s, {result.model}, "
              f"{result.fps:.0f} frames/s)")
        for path in (args.export, args.keypoints_csv, args.events, args.reps_csv):
            if path:
                print(f"  wrote {path}")
    return 0


def _stderr_progress(p) -> None:
    print(f"\r{p.describe()}   ", end="", file=sys.stderr, flush=True)
