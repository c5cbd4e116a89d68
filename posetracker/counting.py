"""Turning a smoothed, body-normalised signal into repetitions (RepCounter) or seconds held (HoldTimer).

The rep counter is a two-phase state machine with hysteresis measured from the signal's own recent extremes,
not from fixed angle bands: a rep is a rise of at least the difficulty's depth above the recent rest baseline
followed by a return. That survives views where a joint angle never crosses 90 degrees, and incline or partial
ranges, while the minimum depth and duration reject keypoint jitter.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from posetracker.exercises.spec import ExerciseSpec, HoldRule, RepPhase
from posetracker.filters import OneEuroFilter


@dataclass(frozen=True)
class Rep:
    """One finished excursion of the signal: counted or not is decided by the engine (depth, grade)."""

    start_s: float
    end_s: float
    peak_s: float
    excursion: float  # peak minus rest baseline, body units
    from_start: bool = False  # the clip began inside this rep (its descent was not seen)
    dropped: str | None = None  # the counter gave this excursion up: too_long, person_lost, view_changed, walking
    rise_s: float | None = None  # when the signal crossed the entry threshold (the rep's core: rise_s..end_s)
    base: float | None = None    # the rest value the excursion was measured from (where the rep started)

    @property
    def core(self) -> tuple[float, float]:
        """The part of the rep well away from rest: two sides' reps sharing it are one two-sided repetition."""
        return (self.start_s if self.rise_s is None else self.rise_s), self.end_s

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class RepCounter:
    def __init__(self, spec: ExerciseSpec, depth: float) -> None:
        self.spec = spec
        self.depth = depth  # minimum excursion of a counted rep at this difficulty
        self.reset()

    def reset(self, allow_start_inside: bool = True) -> None:
        self.phase = RepPhase.UNKNOWN
        self._allow_start_inside = allow_start_inside
        self._low: float | None = None   # rest baseline (decaying minimum)
        self._low_t = 0.0
        self._calm_t = 0.0  # last time the signal was near the rest baseline: a rep starts here
        self._rise_t = 0.0  # when the current rep crossed the entry threshold
        self._high: float | None = None  # peak of the current excursion
        self._high_t = 0.0
        self._t: float | None = None
        # A rep whose depth is only known once its return ends: the clip began inside it, or its rise looked
        # shallow because the baseline was seen mid-movement. (rep so far, peak value)
        self._pending: tuple[Rep, float] | None = None

    @property
    def baseline(self) -> float | None:
        return self._low

    def pause(self, why: str = "person_lost") -> list[Rep]:
        """The person was lost (or the view changed): forget the phase, a rep must not be completed across the
        gap. Returns the rep the clip began inside, if complete, and the rep in progress, given up as `why`.
        A rep still waiting for its return to end is judged only when the person was merely lost: after a zoom
        the values it would be judged on are not comparable."""
        reps = [self.flush()] if why == "person_lost" else []
        self._pending = None
        if self.phase is RepPhase.WORK and self._t is not None:
            reps.append(Rep(self._calm_t, self._t, self._high_t, self._high - self._low, dropped=why,
                            rise_s=self._rise_t))
        self.reset(allow_start_inside=False)
        return [r for r in reps if r is not None]

    def update(self, value: float, t: float) -> Rep | None:
        h = self.spec.hysteresis
        dt = 0.0 if self._t is None else max(0.0, t - self._t)
        self._t, self._last = t, value
        if self._low is None or self._high is None:
            self._low = self._high = value
            self._low_t = self._high_t = self._calm_t = t
            return None
        enter = max(h.noise, h.enter_frac * self.depth)
        if self.phase is RepPhase.WORK:
            if value >= self._high:
                self._high, self._high_t = value, t
            excursion = self._high - self._low
            if self._high - value >= max(h.noise, h.exit_frac * excursion):
                rep = Rep(self._calm_t, t, self._high_t, excursion, rise_s=self._rise_t, base=self._low)
                peak = self._high
                self._to_rest(value, t)
                if excursion >= self.depth:
                    return rep
                self._pending = (rep, peak)  # judged on max(rise, return) when the return ends
            elif t - self._calm_t > self.spec.max_rep_s:
                # Away from rest for longer than any rep takes: a change of position, not a rep. The new
                # position becomes the rest, so coming back from it is not a rep either.
                rep = Rep(self._calm_t, t, self._high_t, excursion, dropped="too_long", rise_s=self._rise_t)
                self._to_rest(value, t)
                return rep
            return None
        if self.phase is RepPhase.REST and value > self._low:
            # The rest baseline creeps toward the signal so a drift (cut, change of view) is not a rep.
            self._low += (value - self._low) * (1.0 - math.exp(-dt / h.baseline_tau_s))
        if value <= self._low:
            self._low, self._low_t = value, t
        if value - self._low <= max(h.noise, 0.5 * enter):
            self._calm_t = t  # still near rest: half-way to the entry threshold, above the keypoints' noise
        if self.phase is RepPhase.UNKNOWN and value >= self._high:
            self._high, self._high_t = value, t
        if value - self._low >= enter:
            rep = self.flush()
            self.phase = RepPhase.WORK
            self._high, self._high_t = value, t
            self._rise_t = t
            return rep
        if self.phase is RepPhase.UNKNOWN and self._high - value >= max(h.noise, h.exit_frac * self.depth):
            # Seen first near the far end of the movement, then coming back: the clip began inside a rep.
            # Its depth is known once the return ends, when the next rep starts (or at `flush`).
            if self._allow_start_inside:
                self._pending = (Rep(min(self._low_t, self._high_t), t, self._high_t, 0.0, True), self._high)
            self._to_rest(value, t)
        return None

    def flush(self) -> Rep | None:
        """The rep the clip began inside, once its return is complete (called at the end of an upload too)."""
        if self._pending is None or self._low is None:
            return None
        rep, peak = self._pending
        self._pending = None
        end = max(rep.end_s, self._low_t) if rep.from_start else rep.end_s
        base = self._low if rep.from_start or rep.base is None else min(rep.base, self._low)
        return Rep(rep.start_s, end, rep.peak_s, max(rep.excursion, peak - self._low), rep.from_start,
                   rise_s=rep.rise_s, base=base)

    def finish(self) -> Rep | None:
        """End of the clip: a pending rep, or one whose return had clearly begun (`finish_return` of the way)."""
        rep = self.flush()
        if rep is None and self.phase is RepPhase.WORK and self._t is not None and self._low is not None:
            excursion = self._high - self._low
            if self._high - self._last >= self.spec.hysteresis.finish_return * excursion:
                rep = Rep(self._calm_t, self._t, self._high_t, excursion, rise_s=self._rise_t, base=self._low)
        return rep

    def progress(self, value: float | None) -> float | None:
        """0..1 through the current rep's movement, relative to the full target depth."""
        if value is None or self._low is None:
            return None
        return min(1.0, max(0.0, (value - self._low) / self.spec.target))

    def _to_rest(self, value: float, t: float) -> None:
        self.phase = RepPhase.REST
        self._low, self._low_t = value, t
        self._high, self._high_t = value, t
        self._calm_t = t


class RepTrack:
    """One counting signal end to end: One-Euro smoothing, gap handling and its rep counter.

    Alternating exercises run one track per side, so each arm's or leg's repetition is seen whole even while
    the other side is noisy or occluded.
    """

    def __init__(self, spec: ExerciseSpec, depth: float, gap_s: float, side: str | None = None) -> None:
        self.side = side
        self.gap_s = gap_s
        self.filter = OneEuroFilter(spec.smoothing)
        self.counter = RepCounter(spec, depth)
        self.value: float | None = None
        self._last_t: float | None = None

    def rescale(self, why: str = "view_changed") -> list[Rep]:
        """The camera zoomed or cut (or the person walked): values before and after are not comparable, so
        start the rest anew."""
        self.filter.reset()
        return self.counter.pause(why)

    def update(self, raw: float, t: float) -> list[Rep]:
        reps = []
        if self._last_t is not None and t - self._last_t > self.gap_s:
            self.filter.reset()
            reps += self.counter.pause()  # never complete a rep across the gap
        self._last_t = t
        self.value = self.filter(raw, t)
        reps.append(self.counter.update(self.value, t))
        return [r for r in reps if r is not None]


class HoldTimer:
    """Seconds spent in position; short breaks (`grace_s`) do not stop the clock, nothing counts across gaps."""

    def __init__(self, rule: HoldRule, gap_s: float) -> None:
        self.rule = rule
        self.gap_s = gap_s
        self.reset()

    def reset(self) -> None:
        self.seconds = 0.0
        self.holding = False
        self._since: float | None = None  # start of the current run in position
        self._last_in: float | None = None
        self._last_decisive: bool | None = None
        self._t: float | None = None

    def update(self, in_position: bool | None, t: float, visible: bool = False) -> float:
        """`in_position` None means unknown. While the person is still `visible` but the keypoints that decide
        are hidden (legs occluded end-on), a hold in progress goes on: only evidence of leaving the position,
        or losing the person for longer than `grace_s`, stops it."""
        self._t = t
        if in_position is None and visible and self.holding and self._last_decisive is not False:
            in_position = True
        elif in_position is not None:
            self._last_decisive = in_position
        if in_position:
            # A timestamp that goes backwards (a new stream, a bad pts) starts a new run: never negative time.
            if self._since is None or self._last_in is None or not (
                    0.0 <= t - self._last_in <= max(self.rule.grace_s, self.gap_s)):
                self._since = t
            elif self.holding:
                self.seconds += t - self._last_in
            elif t - self._since >= self.rule.settle_s:
                self.holding = True
                self.seconds += t - self._since  # the settling time was held too
            self._last_in = t
        elif self._last_in is not None and t - self._last_in > self.rule.grace_s:
            self.holding = False
            self._since = None
        return self.seconds

