"""Reference movements (Business plan): a custom exercise from one recorded repetition.

    ref = create_reference(poses, timestamps, 2.1, 4.3, "My squat", plan="business", owner=owner_of("business"))
    engine = create_engine(Options(reference=ref.id, mode=Mode.UPLOAD))   # counts and scores that movement

Every entry point checks the plan here, in the library: on plans without custom exercises it raises
`developer_feature_not_allowed`, whatever the caller (page, URL, command line) is.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from posetracker.errors import PoseTrackerError
from posetracker.plans import FEATURES, Plan, cheapest_plan_with, get_plan
from posetracker.reference.signature import Signature, build_signature, segment_of_rep
from posetracker.reference.store import Reference, ReferenceStore, data_dir

FEATURE = "custom_exercises"

__all__ = ["FEATURE", "Reference", "ReferenceStore", "Signature", "build_signature", "create_reference",
           "data_dir", "delete_reference", "engine_for", "list_references", "load_reference", "owner_of",
           "reference_from_video", "require_plan", "segment_of_rep"]


def require_plan(plan: Plan | str) -> Plan:
    plan = get_plan(plan) if isinstance(plan, str) else plan
    if not plan.allows(FEATURE):
        unlock = cheapest_plan_with(FEATURE)
        raise PoseTrackerError("developer_feature_not_allowed",
                               f"The {plan.name} plan does not include: {FEATURES[FEATURE]} (reference movements). "
                               f"Move to the {unlock.name} plan (choose it, or use its token).",
                               {"blocked": [FEATURE], "plan": plan.id})
    return plan


def owner_of(plan_id: str, token: str | None = None) -> str:
    """Who makes a reference: the token (kept only as a hash) or, without one, the plan."""
    if token:
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:16]
    return f"plan:{plan_id}"


def create_reference(poses, timestamps, start_s: float, end_s: float, name: str, *, plan: Plan | str, owner: str,
                     source: dict | None = None, store: ReferenceStore | None = None) -> Reference:
    require_plan(plan)
    signature = build_signature(poses, timestamps, float(start_s), float(end_s))
    return (store or ReferenceStore()).add(name, owner, signature, source)


def reference_from_video(path: str | Path, start_s: float, end_s: float, name: str, *, plan: Plan | str, owner: str,
                         model: str = "movenet", store: ReferenceStore | None = None,
                         clip_name: str | None = None) -> Reference:
    """Run the pose model over a clip up to `end_s` and store the reference of [start_s, end_s]. `clip_name`:
    what the user called the file (an upload is stored under a name of our own)."""
    require_plan(plan)
    timestamps, poses = poses_until(path, model, float(end_s))
    source = {"clip": clip_name or Path(path).name, "start_s": float(start_s), "end_s": float(end_s), "model": model}
    return create_reference(poses, timestamps, start_s, end_s, name, plan=plan, owner=owner, source=source,
                            store=store)


def poses_until(path: str | Path, model: str, end_s: float) -> tuple[list[float], list]:
    """A clip's poses from its start to `end_s` (the body's size is learnt from the frames before the rep),
    with the frames downscaled exactly as the upload pipeline feeds the model."""
    from posetracker.estimators import create_estimator, resolve_model
    from posetracker.tracker import MODEL_MAX_SIDE
    from posetracker.video import VideoInfo, iter_frames

    VideoInfo.from_path(path)  # video_load_error for anything that is not a readable video
    name, _ = resolve_model(model)
    timestamps, poses = [], []
    with create_estimator(name) as estimator:
        for frame in iter_frames(path, max_side=MODEL_MAX_SIDE):
            if frame.timestamp > end_s + 0.1:
                break
            timestamps.append(frame.timestamp)
            poses.append(estimator.estimate(frame.image, frame.timestamp))
    return timestamps, poses


def load_reference(ref_id: str, *, plan: Plan | str | None = None, store: ReferenceStore | None = None) -> Reference:
    if plan is not None:
        require_plan(plan)
    return (store or ReferenceStore()).get(ref_id)


def list_references(*, plan: Plan | str, owner: str | None = None,
                    store: ReferenceStore | None = None) -> list[Reference]:
    require_plan(plan)
    return (store or ReferenceStore()).list(owner)


def delete_reference(ref_id: str, *, plan: Plan | str, owner: str, store: ReferenceStore | None = None) -> None:
    require_plan(plan)
    (store or ReferenceStore()).delete(ref_id, owner)


def engine_for(options, store: ReferenceStore | None = None):
    """The engine counting `options.reference` (`engine.create_engine` calls this)."""
    from posetracker.reference.engine import ReferenceEngine

    return ReferenceEngine(options, (store or ReferenceStore()).get(options.reference))
