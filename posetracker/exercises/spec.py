"""The shape of an exercise: a frozen, declarative spec the engine interprets. No exercise has its own code."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from posetracker.filters import OneEuroParams
from posetracker.options import Difficulty
from posetracker.pose import KP


class Kind(str, Enum):
    REPS = "reps"          # the counter counts repetitions
    DURATION = "duration"  # the counter counts whole seconds held in position
    JUMP = "jump"          # the counter counts jumps; their own engine (posetracker.jumps) measures each one


class View(str, Enum):
    FACE = "face"        # the camera sees the chest
    PROFILE = "profile"  # the camera sees one side
    ANY = "any"


class RepPhase(str, Enum):
    """Where the person is in one repetition, as the rep counter sees it."""

    UNKNOWN = "unknown"  # not enough signal yet (start of a clip, after the person was lost)
    REST = "rest"        # at the start/end position (standing for a squat, arms straight for a push-up)
    WORK = "work"        # moved away from rest by more than the entry hysteresis


@dataclass(frozen=True)
class Depth:
    """Minimum excursion of the counting signal (body units) for a rep to count, per difficulty."""

    easy: float
    medium: float
    hard: float

    def at(self, difficulty: Difficulty | str) -> float:
        return getattr(self, Difficulty(difficulty).value)


@dataclass(frozen=True)
class Hysteresis:
    """How the rep counter separates the phases, relative to the signal (so no fixed-angle bands).

    Entering WORK needs a rise of `enter_frac` x the difficulty's depth above the lowest recent rest value;
    leaving it needs a fall of `exit_frac` x this rep's excursion (and at least `noise`) from its peak.
    The rest baseline forgets old minima with `baseline_tau_s`, so a slow drift (camera cut, a change of view)
    is not mistaken for a rep.
    """

    enter_frac: float = 0.5
    exit_frac: float = 0.5
    noise: float = 0.04
    baseline_tau_s: float = 6.0
    finish_return: float = 0.25  # at the end of a clip, a full-depth rep this far on its way back counts


@dataclass(frozen=True)
class FormRule:
    """One coaching rule checked over each repetition (or continuously during a hold).

    The rule reads signal `metric` (see `posetracker.signals.SIGNALS`), reduced over the rep with `reduce`
    (min or max); it is broken when the reduced value is on the wrong side of `limit` (`bad` = "below" or
    "above"); `span` is how far past the limit counts as fully broken. A fully broken rule costs `weight` points
    of the 100-point form score and suggests `cue`. The special metric `depth` is the rep's excursion as a
    fraction of the spec's target depth; `duration` is the rep's length in seconds.
    """

    id: str
    cue: str
    metric: str
    limit: float
    bad: str = "below"
    reduce: str = "min"
    span: float = 1.0
    weight: float = 20.0


@dataclass(frozen=True)
class HoldRule:
    """Duration exercises: the position is held while every `(metric, low, high)` bound is met and, when
    `any_of` is given, every bound of at least one of its groups (e.g. a plank seen from the side or end-on).
    Metric values are smoothed with the spec's One-Euro filter first."""

    bounds: tuple[tuple[str, float, float], ...]
    any_of: tuple[tuple[tuple[str, float, float], ...], ...] = ()
    # Judged only when `any_of` cannot decide because the keypoints it needs are hidden (legs out of sight
    # end-on): the upper body alone must then show the position.
    occluded: tuple[tuple[str, float, float], ...] = ()
    side: str = "mean"  # how sides combine for the bound metrics (`left`/`right` for one-leg balance)
    # One-sided holds: what to say when the other side meets the bounds instead (balancing on the wrong leg). That
    # is never held, and the user is told why.
    wrong_side_cue: str | None = None
    settle_s: float = 0.5  # position must be held this long before time starts counting (then it is credited)
    grace_s: float = 0.6   # a break shorter than this does not stop the clock (keypoint flicker)


@dataclass(frozen=True)
class ExerciseSpec:
    id: str
    name: str
    kind: Kind
    view: View
    required: tuple[KP, ...]
    signal: str | None = None  # counting signal (repetition exercises)
    sides: str = "mean"        # mean (score-weighted) | max | left | right | alternate (one counter per side)
    depth: Depth = Depth(0.15, 0.25, 0.35)
    target: float = 0.4        # a full-depth rep's excursion (progression 100 %, depth score 1.0)
    hysteresis: Hysteresis = Hysteresis()
    min_rep_s: float = 0.4     # faster "reps" are keypoint jitter
    max_rep_s: float = 12.0    # longer excursions are a change of position, not a rep
    # Where every rep starts and ends: the counting signal's rest value must lie in this range (a dip starts from
    # straight arms). An excursion from anywhere else, e.g. climbing onto the bars, is not a rep (`not_from_rest`).
    rest_range: tuple[float, float] | None = None
    score_gate: float = 0.25   # keypoints below this score are not trusted for the signal
    smoothing: OneEuroParams = OneEuroParams(min_cutoff=1.2, beta=0.3)
    hold: HoldRule | None = None
    rules: tuple[FormRule, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        from posetracker.signals import SIGNALS

        metrics = [self.signal] if self.signal else []
        metrics += [r.metric for r in self.rules if r.metric not in ("depth", "duration")]
        if self.hold:
            metrics += [b[0] for group in (self.hold.bounds, *self.hold.any_of) for b in group]
        unknown = [m for m in metrics if m not in SIGNALS]
        if unknown:
            raise ValueError(f"{self.id}: unknown signal(s) {unknown}; known: {sorted(SIGNALS)}")
        if (self.kind is Kind.REPS) != (self.signal is not None) or (self.kind is Kind.DURATION) != bool(self.hold):
            raise ValueError(f"{self.id}: repetition exercises need a signal, duration exercises a hold rule")
