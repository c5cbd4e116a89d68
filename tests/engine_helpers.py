"""Driving the engine over synthetic pose streams in tests."""
from __future__ import annotations

from posetracker.engine import EngineState, TrackingEngine
from posetracker.options import Mode, Options


def drive(poses, finish: bool = True, **options) -> tuple[EngineState, list[dict], TrackingEngine]:
    """Feed `(pose, t)` pairs to a fresh engine; returns the final state, all events and the engine."""
    options.setdefault("mode", Mode.UPLOAD)
    engine = TrackingEngine(Options(**options))
    events: list[dict] = []
    for frame_id, (pose, t) in enumerate(poses):
        events += engine.update(pose, t, frame_id)
    if finish:
        events += engine.finish()
    return engine.snapshot(), events, engine


def of_type(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["type"] == kind]
