"""Counting with a reference: the same interface and phases as `TrackingEngine`, a recorded rep instead of a spec.

    engine = ReferenceEngine(options, reference)       # or engine.create_engine(options) with options.reference
    for frame_id, (pose, t) in enumerate(stream):
        events = engine.update(pose, t, frame_id)
    events = engine.finish()

Placement asks for the keypoints of the body parts the reference moves; live sessions wait for placement and
the countdown exactly as for a catalogue exercise. Each counted rep's `counter` event carries
`reference_score {overallScore, nccScore, dtwScore, timingScore, grade}`.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from posetracker import events as ev
from posetracker.engine import GAP_S, EngineState, RepRecord, posture_event
from posetracker.exercises import RepPhase, View
from posetracker.options import GRADES, Options
from posetracker.phases import CueCooldown, Phase, Phases
from posetracker.pose import KP, Pose
from posetracker.reference.matcher import ENTER, MIN_EXCURSION, Candidate, Segmenter, compare
from posetracker.reference.signature import FeatureStream, Signature, progress_signal, trim_to_movement
from posetracker.reference.view import median_width

MIRRORS = (False, True)  # the reference as recorded, and with left and right swapped
SAME_REP_OVERLAP = 0.5   # two candidates sharing this much of the shorter one are one repetition
PROGRESSION_STEP = 5.0
CUES = {"range": "Move through the reference's full range", "slow": "Slow down to the reference's pace",
        "fast": "Keep up with the reference's pace"}


@dataclass(frozen=True)
class ReferenceRepRecord(RepRecord):
    reference_score: dict | None = None  # PoseTracker's referenceScore of this rep (None: not compared)


@dataclass(frozen=True)
class _PlacementSpec:
    """What `check_placement` reads of an exercise: the keypoints it needs and the preferred view."""

    required: tuple[KP, ...]
    view: View = View.ANY


@dataclass
class _Window:
    times: deque = field(default_factory=deque)
    rows: deque = field(default_factory=deque)
    widths: deque = field(default_factory=deque)  # each frame's `view.lateral_width`
    seen: deque = field(default_factory=deque)  # which features the frame saw (the rest are held, stale values)
    ends: deque = field(default_factory=deque)  # each frame's `limbs.end_lengths`

    def add(self, t: float, values: np.ndarray, keep_s: float, width: float = math.nan,
            seen: np.ndarray | None = None, ends: np.ndarray | None = None) -> None:
        self.times.append(t)
        self.ends.append(ends)
        self.rows.append(values)
        self.widths.append(width)
        self.seen.append(np.isfinite(values) if seen is None else seen)
        while self.times and self.times[0] < t - keep_s:
            self.times.popleft()
            self.rows.popleft()
            self.widths.popleft()
            self.seen.popleft()
            self.ends.popleft()

    def width_between(self, start: float, end: float) -> float | None:
        return median_width([w for t, w in zip(self.times, self.widths) if start <= t <= end])

    def between(self, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
        pick = [i for i, t in enumerate(self.times) if start <= t <= end]
        return np.array([self.times[i] for i in pick]), np.array([self.rows[i] for i in pick])

    def ends_between(self, start: float, end: float) -> np.ndarray | None:
        ends = [e for t, e in zip(self.times, self.ends) if start <= t <= end]
        return None if not ends or any(e is None for e in ends) else np.array(ends)

    def seen_between(self, start: float, end: float) -> np.ndarray:
        return np.array([s for t, s in zip(self.times, self.seen) if start <= t <= end])


class ReferenceEngine:
    def __init__(self, options: Options, reference) -> None:
        """`reference`: a stored `Reference` (id, name, signature)."""
        self.options = options
        self.reference = reference
        self.signature: Signature = reference.signature
        self.name = reference.name
        self.placement_spec = _PlacementSpec(tuple(KP(k) for k in self.signature.keypoints))
        self.max_rep_s = min(15.0, max(6.0, 4.0 * self.signature.duration_s))
        self.reset()

    # -- public ---------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self._phases = Phases(self.options)
        self._stream = FeatureStream()
        self._segmenters = {m: Segmenter(self.max_rep_s) for m in MIRRORS}
        self._signals: dict[bool, float | None] = {m: None for m in MIRRORS}
        self._window = _Window()
        self._reps: tuple[ReferenceRepRecord, ...] = ()
        self._count = 0
        self._scores: list[float] = []
        self._last: dict | None = None
        self._seen_t: float | None = None
        self._progression: float | None = None
        self._progression_sent: float | None = None
        self._cues: tuple[str, ...] = ()
        self._cooldown = CueCooldown()
        self._t: float | None = None

    def update(self, pose: Pose | None, timestamp: float, frame_id: int | None = None) -> list[dict]:
        phases = self._phases
        if phases.phase is Phase.FINISHED:
            return []
        t = self._t = float(timestamp)
        out: list[dict] = []
        if phases.phase is Phase.INITIALIZING:
            out.append(ev.initialization(f"Ready to track: {self.name} (reference).", True))
            phases.start(t)
        if pose is not None and self.options.keypoints:
            out.append(ev.keypoints(pose, frame_id))
        said = phases.advance(pose, self.placement_spec, t)
        if said is not None and (said.countdown is not None or self.options.placement):
            out.append(posture_event(said))
        if phases.phase is Phase.ACTIVE:
            self._track(pose if phases.latest.person_visible else None, t, out)
        return [e if e["type"] == "keypoints" else ev.stamp(e, t, frame_id) for e in out]

    def finish(self) -> list[dict]:
        if self._phases.phase is Phase.FINISHED:
            return []
        out: list[dict] = []
        if self._phases.phase is Phase.ACTIVE:
            for mirrored, seg in self._segmenters.items():
                cand = seg.finish()
                if cand is not None:
                    self._judge(cand, mirrored, self._t, out)
        self._phases.finish()
        out.append(self._counter_event(final=True))
        return [ev.stamp(e, self._t, None) for e in out]

    def snapshot(self) -> EngineState:
        p, o = self._phases.placement, self.options
        reps = self._reps if o.form_score else tuple(replace(r, score=None, grade=None) for r in self._reps)
        last = self._last if o.form_score else None
        values = [v for v in self._signals.values() if v is not None]
        base = [s.base for s in self._segmenters.values() if s.base is not None]
        phases = {s.phase for s in self._segmenters.values()}
        return EngineState(
            phase=self._phases.phase, count=self._count, hold_seconds=0.0, is_duration=False,
            posture_message=p.message if p else None, direction=p.direction if p else None,
            countdown_left=self._phases.countdown_left, progression=self._progression if o.progression else None,
            last_grade=last["grade"] if last else None, last_score=last["overallScore"] if last else None,
            avg_score=self._avg() if o.form_score else None, recommendations=self._cues if o.recommendations else (),
            person_visible=bool(p and p.person_visible), signal=max(values) if values else None,
            thresholds=(min(base) + ENTER, min(base) + MIN_EXCURSION) if base else None,
            rep_phase=RepPhase.WORK if phases - {"rest"} else (RepPhase.REST if base else RepPhase.UNKNOWN),
            reps=reps, timestamp=self._t)

    # -- tracking -------------------------------------------------------------------------------------------
    def _track(self, pose: Pose | None, t: float, out: list[dict]) -> None:
        if pose is None:
            if self._seen_t is not None and t - self._seen_t > GAP_S:
                for seg in self._segmenters.values():
                    seg.reset()  # never complete a rep across a gap
            return
        self._seen_t = t
        values, seen = self._stream.update(pose, t)
        self._window.add(t, values, self.max_rep_s + 2.0, self._stream.width, seen, self._stream.ends)
        for mirrored, seg in self._segmenters.items():
            s = progress_signal(self.signature, values, mirrored)
            self._signals[mirrored] = s
            if s is None:
                continue
            cand = seg.update(s, t)
            if cand is not None:
                self._judge(cand, mirrored, t, out)
        self._update_progression(out)

    def _judge(self, cand: Candidate, mirrored: bool, t: float, out: list[dict]) -> None:
        if cand.excursion < MIN_EXCURSION:
            return  # a small movement, not an attempt at the reference's
        times, rows = trim_to_movement(self.signature, *self._window.between(cand.start_s, cand.end_s), mirrored)
        if len(times) < 3:
            return
        same = [r for r in self._reps if _overlap(r.start_s, r.end_s, times[0], times[-1]) >= SAME_REP_OVERLAP]
        if any(r.counted for r in same):
            return  # the other orientation already counted this repetition
        match = compare(self.signature, times, rows, mirrored, view=self._window.width_between(times[0], times[-1]),
                        seen=self._window.seen_between(times[0], times[-1]),
                        ends=self._window.ends_between(times[0], times[-1]))
        score = match.score()
        depth = round(cand.excursion, 3)
        record = dict(start_s=round(float(times[0]), 3), end_s=round(float(times[-1]), 3), score=score["overallScore"],
                      grade=score["grade"], depth=depth, reference_score=score)
        self._reps = tuple(r for r in self._reps if r not in same)  # a rejected reading is replaced
        if times[-1] - times[0] < max(0.25, 0.3 * self.signature.duration_s):
            self._reps += (ReferenceRepRecord(counted=False, reason="too_fast", **record),)
            return
        if not match.matches:
            self._reps += (ReferenceRepRecord(counted=False, reason=match.why, **record),)
            out.append(ev.rep_rejected(match.why, None))
            return
        rejected = self.options.min_grade is not None and GRADES.index(score["grade"]) > GRADES.index(
            self.options.min_grade)
        self._scores.append(score["overallScore"])
        self._last = score
        if self.options.form_score:
            out.append(ev.form_score(score["overallScore"], self._avg(), score["grade"]))
        if rejected:
            self._reps += (ReferenceRepRecord(counted=False, reason="min_grade", **record),)
            out.append(ev.rep_rejected("min_grade", score["grade"]))
        else:
            self._count += 1
            self._reps += (ReferenceRepRecord(counted=True, reason=None, **record),)
            self._reps = tuple(sorted(self._reps, key=lambda r: r.start_s))
            out.append(self._counter_event())
        self._recommend(_cues(cand, match), t, out)

    def _update_progression(self, out: list[dict]) -> None:
        values = [s - seg.base for m, seg in self._segmenters.items()
                  if (s := self._signals[m]) is not None and seg.base is not None]
        self._progression = round(100.0 * min(1.0, max(0.0, max(values))), 1) if values else None
        p, sent = self._progression, self._progression_sent
        if self.options.progression and p is not None and (
                sent is None or abs(p - sent) >= PROGRESSION_STEP or (p in (0.0, 100.0) and p != sent)):
            self._progression_sent = p
            out.append(ev.progression(p))

    def _recommend(self, cues: tuple[str, ...], t: float, out: list[dict]) -> None:
        fresh = self._cooldown.take(cues, t)
        if fresh:
            self._cues = fresh
            if self.options.recommendations:
                out.append(ev.recommendations(fresh))

    def _counter_event(self, final: bool = False) -> dict:
        form = None
        if self.options.form_score and self._last is not None:
            form = ev.score_fields(self._last["overallScore"], self._avg(), self._last["grade"])
        event = ev.counter(self._count, final=final, form_score=form)
        if self._last is not None and not final:
            event["reference_score"] = dict(self._last)
        return event

    def _avg(self) -> float | None:
        return sum(self._scores) / len(self._scores) if self._scores else None


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    shorter = max(1e-6, min(a1 - a0, b1 - b0))
    return max(0.0, min(a1, b1) - max(a0, b0)) / shorter


def _cues(cand: Candidate, match) -> tuple[str, ...]:
    cues = []
    if cand.excursion < 0.75:
        cues.append(CUES["range"])
    if match.timing < 0.6:
        cues.append(CUES["slow"])
    elif match.timing > 1.8:
        cues.append(CUES["fast"])
    return tuple(cues)
