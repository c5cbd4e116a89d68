"""The tracking engine: one pose (or none) and its timestamp in, PoseTracker events out.

    engine = TrackingEngine(Options(exercise="squat", mode=Mode.UPLOAD))
    for frame_id, (pose, t) in enumerate(stream):
        events = engine.update(pose, t, frame_id)
    events = engine.finish()

No model, no drawing, no clock: time comes only from the timestamps, so a dropped or slow frame never changes a
count. `snapshot()` is the frozen state the overlay and pages read. The engine computes every output; the
options' output switches (keypoints, angles, form score, ...) are applied once, by `tracker.Tracker`'s gate.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace

from posetracker import events as ev
from posetracker.counting import HoldTimer, Rep, RepTrack
from posetracker.exercises import Kind, RepPhase, get_spec
from posetracker.filters import OneEuroFilter
from posetracker.form import score_rep
from posetracker.options import GRADES, Options
from posetracker.phases import CUE_COOLDOWN_S, CueCooldown, Phase, Phases, Posture  # noqa: F401 (re-export)
from posetracker.pose import Pose
from posetracker.set_edges import GROWTH_S, SetShape, SizeWatch, TravelWatch
from posetracker.signals import ANGLES, SIGNALS, Body, BodyScale, combine

GAP_S = 1.0              # the person unseen longer than this: pause, never complete a rep across the gap
# Left and right reps peaking within SAME_REP_S of each other AND overlapping in time by at least
# SAME_REP_OVERLAP of the shorter one are one two-sided repetition (both arms curling together, or a side-view
# left/right keypoint swap). Alternating limbs overlap little however fast they go: the peak window alone merged
# high knees at three lifts a second into half as many reps.
SAME_REP_S = 0.3
SAME_REP_OVERLAP = 0.5
# Cores that coincide this much (of the longer one) are one repetition wherever their peaks fall: the top of a
# curl is a plateau, and a lost frame or a low frame rate moves a side's peak anywhere along it (a dropped burst
# counted a two-armed hammer curl twice, peaks 0.56 s apart on cores overlapping 98 %).
SAME_REP_COINCIDE = 0.8
SETTLE_S = 0.3           # after the person was lost, a tracker re-locks for a few frames: don't count on them
PROGRESSION_STEP = 5.0   # progression events only when the value moves this much (percentage points)


@dataclass(frozen=True)
class RepRecord:
    start_s: float
    end_s: float
    score: float | None
    grade: str | None
    counted: bool
    reason: str | None  # why not counted: too_shallow | too_fast | too_long | person_lost | view_changed
    #                     | not_from_rest | walking | set_end | min_grade
    depth: float = 0.0  # the rep's excursion as a fraction of the exercise's full target depth
    side: str | None = None  # alternating exercises: the side whose movement this was


@dataclass(frozen=True)
class EngineState:
    phase: Phase
    count: int
    hold_seconds: float
    is_duration: bool
    posture_message: str | None
    direction: str | None
    countdown_left: int | None
    progression: float | None
    last_grade: str | None
    last_score: float | None
    avg_score: float | None
    recommendations: tuple[str, ...]
    person_visible: bool
    signal: float | None
    thresholds: tuple[float, float] | None
    rep_phase: RepPhase | None = None
    reps: tuple[RepRecord, ...] = field(default_factory=tuple)
    timestamp: float | None = None
    side_signals: dict[str, float] = field(default_factory=dict)  # alternating exercises: each side's own signal


class TrackingEngine:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.spec = get_spec(options.exercise)  # PoseTrackerError("invalid_exercise", ...) listing valid ids
        self.is_duration = self.spec.kind is Kind.DURATION
        self.depth = self.spec.depth.at(options.difficulty)
        self.reset()

    # -- public ---------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new set: count, scores and phase go back to the beginning."""
        self._phases = Phases(self.options)
        self._scale = BodyScale(gate=self.spec.score_gate)
        sides = ("left", "right") if self.spec.sides == "alternate" else (None,)
        self._tracks = [RepTrack(self.spec, self.depth, GAP_S, side) for side in sides]
        self._counted: list[tuple[float, float, float, str | None]] = []  # (core start, end, peak, side), recent
        self._timer = HoldTimer(self.spec.hold, GAP_S) if self.spec.hold else None
        self._hold_filters: dict[str, OneEuroFilter] = {}
        self._count = 0
        self._seconds_reported = 0
        self._lost_at: float | None = -math.inf  # when the person disappeared (None: visible; -inf: not yet seen)
        self._found_at: float | None = None  # when they reappeared
        self._first_at: float | None = None  # when they were first found
        self._signal: float | None = None
        self._progression: float | None = None
        self._progression_sent: float | None = None
        self._scores: list[float] = []
        self._last_grade: str | None = None
        self._last_score: float | None = None
        self._cues: tuple[str, ...] = ()
        self._cooldown = CueCooldown()
        self._reps: tuple[RepRecord, ...] = ()
        self._series: deque[tuple[float, dict[str, float]]] = deque()
        self._travel = TravelWatch(self.spec.max_rep_s + 1.0)
        self._size, self._approaching = SizeWatch(), False
        self._shape = SetShape(self.spec.signal, self.spec.score_gate)
        self._counted_reps: list[tuple[float, float, int]] = []  # (start, excursion, index in the reps table)
        self._t: float | None = None

    def update(self, pose: Pose | None, timestamp: float, frame_id: int | None = None) -> list[dict]:
        phases = self._phases
        if phases.phase is Phase.FINISHED:
            return []
        t = float(timestamp)
        self._t = t
        out: list[dict] = []
        if phases.phase is Phase.INITIALIZING:
            out.append(ev.initialization(f"Ready to track: {self.spec.name}.", True))
            phases.start(t)
        if pose is not None:
            out.append(ev.keypoints(pose, frame_id))
            out.append(ev.angles(t, frame_id, self._angles(pose)))
        said = phases.advance(pose, self.spec, t)
        if said is not None:
            out.append(posture_event(said))
        if phases.phase is Phase.ACTIVE:
            self._track(pose if phases.latest.person_visible else None, t, out)
        return [self._stamp(e, t, frame_id) for e in out]

    def finish(self) -> list[dict]:
        """End of an upload (or of a live set): the final counter, then FINISHED."""
        if self._phases.phase is Phase.FINISHED:
            return []
        out: list[dict] = []
        for track in [] if self.is_duration or self._t is None else self._tracks:
            rep = track.counter.finish()
            if rep is not None:
                self._finish_rep(rep, self._t, out, track.side)
        if not self.is_duration and self._shape.ended_set([(s, x) for s, x, _ in self._counted_reps]):
            self._uncount_last("set_end", out)  # standing up after setting the bar down, climbing off
        self._phases.finish()
        out.append(self._counter_event(final=True))
        return [self._stamp(e, self._t, None) for e in out]

    def snapshot(self) -> EngineState:
        """The state pages and overlays read, ungated (the tracker's gate removes what the options switch off)."""
        p = self._phases.placement
        return EngineState(
            phase=self._phases.phase, count=self._count, hold_seconds=self._timer.seconds if self._timer else 0.0,
            is_duration=self.is_duration, posture_message=p.message if p else None,
            direction=p.direction if p else None, countdown_left=self._phases.countdown_left,
            progression=self._progression, last_grade=self._last_grade, last_score=self._last_score,
            avg_score=self._avg_score(), recommendations=self._cues,
            person_visible=bool(p and p.person_visible), signal=self._signal, thresholds=self._thresholds(),
            rep_phase=None if self.is_duration else self._lead_track().counter.phase, reps=self._reps,
            timestamp=self._t,
            side_signals={tr.side: tr.value for tr in self._tracks if tr.side and tr.value is not None},
        )

    # -- tracking -------------------------------------------------------------------------------------------
    def _track(self, pose: Pose | None, t: float, out: list[dict]) -> None:
        if pose is None:
            self._lost_at = t if self._lost_at is None else self._lost_at
            if self.is_duration:
                self._timer.update(None, t)
            return
        if self._lost_at is not None:
            self._first_at = t if self._first_at is None else self._first_at
            self._found_at, self._lost_at = t, None
        body = Body(pose, self._scale.update(pose, t), self.spec.score_gate)
        approaching = not self.is_duration and self._size.update(body, t, zoomed=self._scale.changed)
        if approaching:  # coming nearer: a slow zoom, the lengths remembered are of a smaller body
            self._scale.reset()
            body.refs = self._scale.update(pose, t)
            while not self._approaching and self._counted_reps and self._counted_reps[-1][0] >= t - GROWTH_S:
                self._uncount_last("walking", out)  # just seen: what was counted as it began were strides
        self._approaching = approaching
        if self._scale.changed:  # a zoom or a cut: smoothing and rest baselines start again at the new scale
            self._scale.changed = False
            self._hold_filters.clear()
            for track in self._tracks:
                for rep in track.rescale():
                    self._finish_rep(rep, t, out, track.side)
        if self.is_duration:
            self._hold(body, t, out)
            return
        self._record_metrics(body, t)
        self._travel.add(body, t)
        self._shape.add(body, t)
        if self._travel.walking(t) or approaching:  # walking: the rest measured so far is elsewhere (or nearer) now
            for track in self._tracks:
                for rep in track.rescale("walking"):
                    self._finish_rep(rep, t, out, track.side)
        settling = self._found_at is not None and t - self._found_at < SETTLE_S
        if settling and self._found_at != self._first_at:
            return
        samples = SIGNALS[self.spec.signal](body)
        for track in self._tracks:
            sample = combine(samples, self.spec.sides, self.spec.score_gate, only=track.side)
            if sample is None:
                continue  # hold the last good value: low-score frames must not delete the bottom of a rep
            for rep in track.update(sample.value, t):
                self._finish_rep(rep, t, out, track.side)
        values = [tr.value for tr in self._tracks if tr.value is not None]
        self._signal = max(values) if values else None
        self._update_progression(out)

    def _record_metrics(self, body: Body, t: float) -> None:
        values = {}
        for rule in self.spec.rules:
            if rule.metric in SIGNALS and rule.metric not in values:
                s = combine(SIGNALS[rule.metric](body), "mean", self.spec.score_gate)
                if s is not None:
                    values[rule.metric] = s.value
        self._series.append((t, values))
        while self._series and self._series[0][0] < t - self.spec.max_rep_s - 1.0:
            self._series.popleft()

    def _finish_rep(self, rep: Rep, t: float, out: list[dict], side: str | None = None) -> None:
        if rep.dropped is not None:
            self._reject(rep, rep.dropped, out, side)
            return
        if self._same_rep_other_side(rep, side):
            return  # both arms (legs) moved together: one repetition, already counted
        if self._travel.travelled(rep.start_s, rep.end_s):
            self._reject(rep, "walking", out, side)  # walking into or out of the picture
            return
        rest = self.spec.rest_range
        if rest is not None and rep.base is not None and not rest[0] <= rep.base <= rest[1]:
            self._reject(rep, "not_from_rest", out, side)  # getting onto or off an apparatus
            return
        if rep.excursion < self.depth:
            self._reject(rep, "too_shallow", out, side)
            if rep.excursion >= 0.6 * self.depth:
                # An attempt that fell short: the spec's own depth cue ("Go lower", "Curl all the way up").
                self._recommend(tuple(r.cue for r in self.spec.rules if r.metric == "depth"), t, out)
            return
        if rep.duration_s < self.spec.min_rep_s:
            self._reject(rep, "too_fast", out, side)
            return
        series: dict[str, list[float]] = {}
        for ts, values in self._series:
            if rep.start_s <= ts <= rep.end_s:
                for k, v in values.items():
                    series.setdefault(k, []).append(v)
        special = {"depth": rep.excursion / self.spec.target, "duration": rep.duration_s}
        result = score_rep(self.spec.rules, special, series)
        grade = ev.grade_of(result.score)
        self._scores.append(result.score)
        self._last_grade, self._last_score = grade, result.score
        rejected = self.options.min_grade is not None and _worse(grade, self.options.min_grade)
        out.append(ev.form_score(result.score, self._avg_score(), grade))
        if rejected:
            out.append(ev.rep_rejected("min_grade", grade))
            self._add_rep(rep, result.score, grade, False, "min_grade", side)
        else:
            self._count += 1
            self._counted = self._counted[-3:] + [(*rep.core, rep.peak_s, side)]
            self._counted_reps.append((rep.start_s, rep.excursion, len(self._reps)))
            self._add_rep(rep, result.score, grade, True, None, side)
            out.append(self._counter_event())
        self._recommend(result.cues, t, out)

    def _reject(self, rep: Rep, reason: str, out: list[dict], side: str | None) -> None:
        """A rep the engine saw but did not count says why, in the reps table and in the events."""
        self._add_rep(rep, None, None, False, reason, side)
        out.append(ev.rep_rejected(reason, None))

    def _uncount_last(self, reason: str, out: list[dict]) -> None:
        """Take the last counted rep back, once the end of the set shows it was not one; it says why."""
        _, _, index = self._counted_reps.pop()
        record = self._reps[index]
        self._reps = self._reps[:index] + (replace(record, counted=False, reason=reason),) + self._reps[index + 1:]
        self._count -= 1
        out.append(ev.rep_rejected(reason, None))

    def _same_rep_other_side(self, rep: Rep, side: str | None) -> bool:
        rise, fall = rep.core
        for start, end, peak, other in self._counted:
            overlap = min(end, fall) - max(start, rise)
            shorter = min(end - start, fall - rise)
            longer = max(end - start, fall - rise)  # not of the shorter: a long core holding a short one is not
            if other != side and (overlap >= SAME_REP_COINCIDE * longer or (
                    abs(peak - rep.peak_s) < SAME_REP_S and overlap >= SAME_REP_OVERLAP * shorter)):
                return True
        return False

    def _hold(self, body: Body, t: float, out: list[dict]) -> None:
        rule = self.spec.hold
        in_position = self._bounds_met(rule.bounds, body, t)
        if in_position is not False and rule.any_of:
            groups = [self._bounds_met(group, body, t) for group in rule.any_of]
            in_position = True if True in groups and in_position else None if None in groups else False
            if in_position is None and rule.occluded:
                in_position = self._bounds_met(rule.bounds + rule.occluded, body, t)
        seconds = self._timer.update(in_position, t, visible=True)
        if int(seconds) != self._seconds_reported:
            self._seconds_reported = int(seconds)
            out.append(self._counter_event())
        if in_position is False and self.spec.rules:
            self._recommend(tuple(r.cue for r in self.spec.rules), t, out)
        if in_position is False and rule.wrong_side_cue and self._bounds_met(
                rule.bounds, body, t, side="left" if rule.side == "right" else "right"):
            self._recommend((rule.wrong_side_cue,), t, out)

    def _bounds_met(self, bounds: tuple, body: Body, t: float, side: str | None = None) -> bool | None:
        met: bool | None = True
        side = side or self.spec.hold.side
        for metric, low, high in bounds:
            s = combine(SIGNALS[metric](body), side, self.spec.score_gate)
            if s is None:
                met = None if met else met
                continue
            f = self._hold_filters.setdefault(f"{metric}:{side}", OneEuroFilter(self.spec.smoothing))
            if not low <= f(s.value, t) <= high:
                met = False
        return met

    # -- events ---------------------------------------------------------------------------------------------
    def _update_progression(self, out: list[dict]) -> None:
        progress = [tr.counter.progress(tr.value) for tr in self._tracks]
        p = max((x for x in progress if x is not None), default=None)
        self._progression = None if p is None else round(100.0 * p, 1)
        if self._progression is not None and (
                self._progression_sent is None or abs(self._progression - self._progression_sent) >= PROGRESSION_STEP
                or (self._progression in (0.0, 100.0) and self._progression != self._progression_sent)):
            self._progression_sent = self._progression
            out.append(ev.progression(self._progression))

    def _recommend(self, cues: tuple[str, ...], t: float, out: list[dict]) -> None:
        fresh = self._cooldown.take(cues, t)
        if fresh:
            self._cues = fresh
            out.append(ev.recommendations(fresh))

    def _counter_event(self, final: bool = False) -> dict:
        if self.is_duration:
            return ev.counter(int(self._timer.seconds), final=final)
        form = None
        if self._last_score is not None:
            form = ev.score_fields(self._last_score, self._avg_score(), self._last_grade)
        return ev.counter(self._count, final=final, form_score=form)

    def _add_rep(self, rep: Rep, score, grade, counted: bool, reason: str | None, side: str | None) -> None:
        self._reps += (RepRecord(round(rep.start_s, 3), round(rep.end_s, 3),
                                 None if score is None else round(score, 1), grade, counted, reason,
                                 round(rep.excursion / self.spec.target, 3), side),)

    def _avg_score(self) -> float | None:
        return sum(self._scores) / len(self._scores) if self._scores else None

    def _lead_track(self) -> RepTrack:
        """The track whose signal is highest now (the working side of an alternating movement)."""
        return max(self._tracks, key=lambda tr: -math.inf if tr.value is None else tr.value)

    def _thresholds(self) -> tuple[float, float] | None:
        base = self._lead_track().counter.baseline
        if self.is_duration or base is None:
            return None
        h = self.spec.hysteresis
        return (base + max(h.noise, h.enter_frac * self.depth), base + self.depth)

    def _angles(self, pose: Pose) -> list[dict]:
        # Joint angles need no body scale; updating it here let an output switch move the count.
        body = Body(pose, {}, self.spec.score_gate)
        return [{"id": name, "side": side, "degrees": round(s.value, 1), "score": round(s.confidence, 3)}
                for name in ANGLES for side, s in SIGNALS[name](body).items()]

    @staticmethod
    def _stamp(event: dict, t: float | None, frame_id: int | None) -> dict:
        if event["type"] in ("keypoints", "angles"):  # they carry their own time and frame id
            return event
        return ev.stamp(event, t, frame_id)


def create_engine(options: Options) -> TrackingEngine:
    """The engine for a session's options: the one place every flow (live, upload, image, replay) gets its engine.
    Engines other than the catalogue's (custom exercises) plug in here, behind the same interface:
    update(pose, t, frame_id) -> events, finish() -> events, snapshot() -> state, reset()."""
    if options.reference:  # a reference movement (Business plan): reference_not_found for an unknown id
        from posetracker.reference import engine_for

        return engine_for(options)
    from posetracker.jumps import JumpEngine, is_jump  # it builds on this module

    if is_jump(options.exercise):
        return JumpEngine(options)
    return TrackingEngine(options)


def _worse(grade: str, floor: str) -> bool:
    order = GRADES + ("F",)
    return order.index(grade) > order.index(floor)


def posture_event(said: Posture) -> dict:
    return ev.posture(said.message, said.direction, said.ready, list(said.requirements), countdown=said.countdown)
