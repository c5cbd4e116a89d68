"""`posetracker reference create|list|delete`: reference movements (Business plan) in the data folder."""
from __future__ import annotations

import argparse
import json
import os
import sys

from posetracker.plans import PLANS


def register(sub) -> None:
    parser = sub.add_parser("reference", help="make, list and delete reference movements (Business plan)",
                            description="References live in $POSETRACKER_DATA_DIR (default: the per-user data "
                                        "folder). Count with one: `posetracker analyze CLIP --reference ID`.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a reference from one repetition in a clip")
    create.add_argument("clip", metavar="CLIP", help="the video holding the repetition")
    create.add_argument("--name", required=True, help="what to call the movement")
    create.add_argument("--start", type=float, required=True, metavar="S", help="the repetition's start (seconds)")
    create.add_argument("--end", type=float, required=True, metavar="E", help="the repetition's end (seconds)")
    create.add_argument("--model", default="movenet", metavar="NAME", help="movenet (default) or blazepose")
    create.set_defaults(func=_create)
    listing = actions.add_parser("list", help="the references this plan or token made")
    listing.set_defaults(func=_list)
    delete = actions.add_parser("delete", help="delete a reference")
    delete.add_argument("id", metavar="ID")
    delete.set_defaults(func=_delete)
    judge = actions.add_parser("judge", help="make a reference from one rep of one clip per exercise and count "
                               "every labelled clip with it (the acceptance table)")
    judge.add_argument("labels", nargs="+", help="labels JSON files (format of ../shared/testdata/labels.json)")
    judge.add_argument("--videos", required=True, help="folder holding the labelled clips")
    judge.add_argument("--model", default="movenet", help="pose model (movenet or blazepose)")
    judge.add_argument("--pose-cache", default=os.environ.get("POSETRACKER_POSE_CACHE"),
                       help="folder of cached poses (default: $POSETRACKER_POSE_CACHE)")
    judge.add_argument("--explain", metavar="CLIP", action="append", default=[],
                       help="also list each rep compared on this clip (file name): counted, or the rule that "
                            "rejected it, with its depth and scores")
    judge.add_argument("--every-clip", action="store_true",
                       help="instead, make the reference from each clip of a judged exercise in turn and count "
                            "every other clip (how much the table owes to the clip chosen)")
    judge.set_defaults(func=_judge)
    for p in (create, listing, delete):
        p.add_argument("--json", action="store_true", help="print one JSON object")
        p.add_argument("--plan", choices=list(PLANS), default=None,
                       help="plan whose features apply (default: developer, which has no reference movements)")
        p.add_argument("--token", metavar="T", help="a configured token; its plan replaces --plan")


def plan_and_owner(args: argparse.Namespace) -> tuple[str, str]:
    from posetracker.commands.analyze import CLI_DEFAULT_PLAN
    from posetracker.errors import PoseTrackerError
    from posetracker.reference import owner_of
    from posetracker.settings import load_tokens, plan_for_token

    plan = args.plan or CLI_DEFAULT_PLAN
    if args.token:
        plan, error = plan_for_token(args.token, load_tokens())
        if error:
            raise PoseTrackerError(error["code"], error["message"])
    return plan, owner_of(plan, args.token)


def _create(args) -> int:
    from posetracker.reference import reference_from_video, require_plan
    from posetracker.estimators import check_model_name

    plan, owner = plan_and_owner(args)
    require_plan(plan)  # before the model runs
    check_model_name(args.model)
    ref = reference_from_video(args.clip, args.start, args.end, args.name, plan=plan, owner=owner, model=args.model)
    if args.json:
        print(json.dumps({"id": ref.id, **ref.to_dict()}))
    else:
        print(ref.id)
    return 0


def _list(args) -> int:
    from posetracker.reference import list_references

    plan, owner = plan_and_owner(args)
    refs = list_references(plan=plan, owner=owner)
    if args.json:
        print(json.dumps({"references": [r.to_dict() for r in refs]}))
    elif not refs:
        print("No references yet. Make one: posetracker reference create CLIP --name NAME --start S --end E")
    for r in [] if args.json else refs:
        d = r.to_dict()
        print(f"{r.id}  {r.name}  {d['duration_s']:.2f} s  moves {', '.join(d['moving_parts'])}  {d['created_at']}")
    return 0


def _delete(args) -> int:
    from posetracker.reference import delete_reference

    plan, owner = plan_and_owner(args)
    delete_reference(args.id, plan=plan, owner=owner)
    print(json.dumps({"deleted": args.id}) if args.json else f"deleted {args.id}")
    return 0


def _judge(args) -> int:
    from posetracker.estimators import check_model_name
    from posetracker.tools.evaluate import load_labels
    from posetracker.reference.judge import every_clip_table, explain, judge, judge_every_clip, table

    check_model_name(args.model)
    labels = [label for path in args.labels for label in load_labels(path)]
    if args.every_clip:
        print(every_clip_table(judge_every_clip(labels, args.videos, args.model, args.pose_cache)))
        return 0
    cells = judge(labels, args.videos, args.model, args.pose_cache, log=lambda s: print(s, file=sys.stderr))
    print(table(cells))
    for clip in args.explain:
        print(explain(cells, clip))
    return 0
