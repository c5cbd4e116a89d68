"""Driving the engine over synthetic pose streams in tests."""
from __future__ import annotations

from posetracker.engine import EngineState, TrackingEngine
from posetracker.options import Mode, Options
from posetracker.tracker import Tracker


def drive(poses, finish: bool = True, **options) -> tuple[EngineState, list[dict], TrackingEngine]:
    """Feed `(pose, t)` pairs through a fresh tracker (its engine and output gate, as every flow does); returns
    the final gated state, all events and the engine."""
    options.setdefault("mode", Mode.UPLOAD)
    tracker = Tracker(Options(**options), estimator=object())  # poses are given: no model is loaded
    events: list[dict] = []
    for pose, t in poses:
        events += tracker.step_pose(pose, t).events
    if finish:
        events += tracker.finish()
    return tracker.state(), events, tracker.engine


def of_type(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["type"] == kind]
