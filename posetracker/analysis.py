"""Recording one analysed video: what the CLI's `--json`, the eval, the charts and the exports read.

The streaming pipeline feeds `Analysis` frame by frame while it decodes; `replay` feeds it from a cached
`PoseTrack`. Both step the same `Tracker`, so they agree frame for frame.

    analysis = Analysis(options, model="movenet")
    for step in steps:
        analysis.add(step.frame_id, step.timestamp, step.pose, step.events, step.state)
    result = analysis.finish(tracker.finish(), tracker.state())
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace

from posetracker.engine import EngineState, RepRecord
from posetracker.exercises import get_spec
from posetracker.jumps import jump_fields
from posetracker.options import Mode, Options
from posetracker.pose import Pose


@dataclass(frozen=True)
class TracePoint:
    t: float
    signal: float | None
    thresholds: tuple[float, float] | None
    person_visible: bool
    sides: dict[str, float] | None = None  # alternating exercises: each side's signal (the chart draws both)


@dataclass(frozen=True)
class AnalysisResult:
    exercise: str
    model: str
    reps: int | None            # final counter of a repetition exercise
    hold_seconds: float | None  # seconds held, duration exercises
    frames: int
    duration_s: float
    reps_detail: tuple[RepRecord, ...]  # every rep, counted or not; typed until an exporter writes it
    events: list[dict]
    trace: list[TracePoint]
    recommendation_counts: dict[str, int]
    avg_score: float | None = None
    reference: str | None = None  # the reference's id when counting with one

    def to_dict(self) -> dict:
        """The CLI contract of `posetracker analyze --json` (issue 3)."""
        if self.reference:
            from posetracker.reference.results import reference_dict

            return reference_dict(self)
        return {
            "exercise": self.exercise, "model": self.model, "reps": self.reps,
            "hold_seconds": None if self.hold_seconds is None else round(self.hold_seconds, 2),
            "frames": self.frames, "duration_s": round(self.duration_s, 3),
            "reps_detail": [{"start_s": r.start_s, "end_s": r.end_s, "score": r.score, "grade": r.grade,
                             "counted": r.counted} for r in self.reps_detail],
            **jump_fields(self.exercise, self.events),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())


@dataclass
class Analysis:
    options: Options
    model: str
    events: list[dict] = field(default_factory=list)
    trace: list[TracePoint] = field(default_factory=list)
    frames: int = 0
    _first_t: float | None = None
    _last_t: float | None = None
    _last: EngineState | None = None

    def add(self, frame_id: int | None, timestamp: float, pose: Pose | None, events: list[dict],
            snapshot: EngineState) -> None:
        self.frames += 1
        self._first_t = timestamp if self._first_t is None else self._first_t
        self._last_t = timestamp
        self.events.extend(events)
        self.trace.append(TracePoint(timestamp, snapshot.signal, snapshot.thresholds, snapshot.person_visible,
                                     dict(snapshot.side_signals) or None))
        self._last = snapshot

    def finish(self, events: list[dict], snapshot: EngineState | None = None) -> AnalysisResult:
        self.events.extend(events)
        last = snapshot or self._last
        is_duration = (last.is_duration if last is not None else
                       not self.options.reference and get_spec(self.options.exercise).kind.value == "duration")
        final = [e for e in self.events if e["type"] == "counter" and e.get("final")]
        count = final[-1]["current_count"] if final else (last.count if last else 0)
        cues = Counter(c for e in self.events if e["type"] == "recommendations" for c in e["data"])
        reps = tuple(last.reps) if last else ()
        duration = 0.0 if self._first_t is None else self._last_t - self._first_t
        if self.frames > 1:
            duration *= self.frames / (self.frames - 1)  # the last frame lasts one frame interval too
        return AnalysisResult(
            exercise="reference" if self.options.reference else self.options.exercise, model=self.model,
            reps=None if is_duration else int(count),
            hold_seconds=(last.hold_seconds if last else 0.0) if is_duration else None,
            frames=self.frames, duration_s=duration, reps_detail=reps, events=self.events, trace=self.trace,
            recommendation_counts=dict(cues), avg_score=last.avg_score if last else None,
            reference=self.options.reference,
        )


def replay(track, options: Options, model: str) -> AnalysisResult:
    """Step the tracker over a recorded `PoseTrack`'s poses exactly as the upload pipeline would."""
    from posetracker.tracker import Tracker

    if options.mode is not Mode.UPLOAD:
        options = replace(options, mode=Mode.UPLOAD)
    tracker = Tracker(options, model)
    analysis = Analysis(options, model)
    for t, pose in zip(track.timestamps, track.poses):
        step = tracker.step_pose(pose, float(t))
        analysis.add(step.frame_id, step.timestamp, pose, step.events, step.state)
    return analysis.finish(tracker.finish(), tracker.state())
