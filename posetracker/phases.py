"""The phases every engine's session goes through: initializing -> placement -> optional countdown -> active ->
finished. The catalogue engine and the reference engine share this one copy (a jump engine inherits it).

    phases = Phases(options)
    if phases.phase is Phase.INITIALIZING:
        phases.start(t)                       # the engine says `initialization`
    say = phases.advance(pose, spec, t)       # a posture to announce, or None
    if phases.phase is Phase.ACTIVE:
        ...                                   # the engine counts

Live sessions with placement guidance wait for the person to be placed, then count down `countdown_s`; uploads
start active at once and only report placement. A placement verdict is adopted once it has lasted
`PLACEMENT_DEBOUNCE_S`, so one frame with a missing wrist neither restarts a countdown nor floods the log.
`advance` returns values; the engine builds the events.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from posetracker.options import Mode, Options
from posetracker.placement import Placement, check_placement
from posetracker.pose import NUM_KEYPOINTS, Pose

KEYPOINT_MEMORY_S = 0.5     # a keypoint seen this recently still counts as in the frame for placement
PLACEMENT_DEBOUNCE_S = 0.3  # a placement verdict must last this long before the guidance changes
CUE_COOLDOWN_S = 8.0        # the same recommendation is not repeated sooner than this


class Phase(str, Enum):
    INITIALIZING = "initializing"
    PLACEMENT = "placement"
    COUNTDOWN = "countdown"
    ACTIVE = "active"
    FINISHED = "finished"


@dataclass(frozen=True)
class Posture:
    """What a `posture` event says: a placement verdict that changed (`countdown` None) or a countdown step."""

    message: str
    direction: str | None
    ready: bool
    requirements: tuple[str, ...]
    countdown: int | None = None


class Phases:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.reset()

    def reset(self) -> None:
        self.phase = Phase.INITIALIZING
        self.placement: Placement | None = None  # the adopted (debounced) verdict: what the person is told
        self.latest: Placement | None = None     # this frame's verdict: whether the engine may count on the pose
        self.countdown_left: int | None = None
        self._candidate: tuple | None = None     # (verdict key, since when) of a verdict not adopted yet
        self._countdown_start: float | None = None
        self._seen_at = np.full(NUM_KEYPOINTS, -np.inf)  # when each keypoint was last seen well

    def start(self, t: float) -> None:
        """The first frame: live sessions with placement guidance wait for it, all others go on at once."""
        live_gate = self.options.mode is Mode.LIVE and self.options.placement
        self.phase = Phase.PLACEMENT if live_gate else self._after_placement(t)

    def finish(self) -> None:
        self.phase = Phase.FINISHED

    def advance(self, pose: Pose | None, spec, t: float) -> Posture | None:
        """Judge the placement of `pose` against `spec` (what `check_placement` reads) and move the phase on."""
        if pose is not None:
            self._seen_at[pose.visible()] = t
        self.latest = check_placement(pose, spec, seen=t - self._seen_at <= KEYPOINT_MEMORY_S)
        changed = self._debounce(self.latest, t)
        placement = self.placement
        if self.phase is Phase.PLACEMENT and placement.ready:
            self.phase = self._after_placement(t)
            if self.phase is Phase.COUNTDOWN:
                return Posture(f"Get ready: {self.countdown_left}", placement.direction, True,
                               tuple(placement.requirements), countdown=self.countdown_left)
        elif self.phase is Phase.COUNTDOWN:
            if not placement.ready:
                self.phase, self.countdown_left = Phase.PLACEMENT, None
            else:
                left = max(0, math.ceil(self.options.countdown_s - (t - self._countdown_start)))
                said = None
                if left != self.countdown_left:
                    self.countdown_left = left
                    said = Posture(f"Get ready: {left}" if left else "Go!", placement.direction, True, (),
                                   countdown=left)
                if left == 0:
                    self.phase, self.countdown_left = Phase.ACTIVE, None
                return said
        if changed:
            return Posture(placement.message, placement.direction, placement.ready, tuple(placement.requirements))
        return None

    def _after_placement(self, t: float) -> Phase:
        if self.options.mode is Mode.LIVE and self.options.countdown_s > 0:
            self._countdown_start = t
            self.countdown_left = int(self.options.countdown_s)
            return Phase.COUNTDOWN
        return Phase.ACTIVE

    def _debounce(self, placement: Placement, t: float) -> bool:
        """Adopt a new placement verdict only once it has lasted PLACEMENT_DEBOUNCE_S."""
        key = (placement.ready, placement.direction, placement.message)
        current = self.placement
        if current is not None and key == (current.ready, current.direction, current.message):
            self._candidate = None
            return False
        if current is not None:
            if self._candidate is None or self._candidate[0] != key:
                self._candidate = (key, t)
            if t - self._candidate[1] < PLACEMENT_DEBOUNCE_S:
                return False
        self.placement, self._candidate = placement, None
        return True


class CueCooldown:
    """Which recommendations may be said now: a cue said less than `CUE_COOLDOWN_S` ago is held back, so a fault
    that lasts several reps is not repeated every rep."""

    def __init__(self, seconds: float = CUE_COOLDOWN_S):
        self._seconds = seconds
        self._sent_at: dict[str, float] = {}

    def take(self, cues: tuple[str, ...], t: float) -> tuple[str, ...]:
        """The cues that may be said at `t`, marked as said."""
        fresh = tuple(c for c in cues if t - self._sent_at.get(c, -math.inf) >= self._seconds)
        for c in fresh:
            self._sent_at[c] = t
        return fresh
