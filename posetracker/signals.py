"""Body-normalised signals computed from one pose: what the counters and form rules measure.

Every value is expressed in body units (a limb or torso length remembered from recent frames), so the same
movement gives the same number in a front view and a side view, near or far from the camera. Coordinates are
first made isotropic (x scaled by the frame's aspect ratio) because `Pose.xy` is normalised per axis.

A signal returns per-side samples; the exercise spec says how sides combine: `mean` (score-weighted, for
symmetric movements) or `max` (alternating limbs: whichever side is working drives the signal, so each side's
repetition is one peak).
"""
from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass
from typing import Callable

import numpy as np

from posetracker.filters import DecayingMax
from posetracker.pose import KP, Pose

SIDES = {
    "left": dict(shoulder=KP.LEFT_SHOULDER, elbow=KP.LEFT_ELBOW, wrist=KP.LEFT_WRIST, hip=KP.LEFT_HIP,
                 knee=KP.LEFT_KNEE, ankle=KP.LEFT_ANKLE),
    "right": dict(shoulder=KP.RIGHT_SHOULDER, elbow=KP.RIGHT_ELBOW, wrist=KP.RIGHT_WRIST, hip=KP.RIGHT_HIP,
                  knee=KP.RIGHT_KNEE, ankle=KP.RIGHT_ANKLE),
}
SEGMENTS = {"torso": ("shoulder", "hip"), "upper_arm": ("shoulder", "elbow"), "forearm": ("elbow", "wrist"),
            "thigh": ("hip", "knee"), "shin": ("knee", "ankle")}


@dataclass(frozen=True)
class Sample:
    value: float
    confidence: float  # the lowest score among the keypoints the value used


class Body:
    """One pose in isotropic coordinates (units of frame height) with remembered segment lengths."""

    def __init__(self, pose: Pose, refs: dict[str, float], gate: float) -> None:
        w, h = pose.frame_size or (1, 1)
        self.p = pose.xy.astype(np.float64) * np.array([w / h, 1.0])
        self.s = pose.scores
        self.refs = refs
        self.gate = gate

    def pt(self, side: str, joint: str) -> np.ndarray:
        return self.p[SIDES[side][joint]]

    def conf(self, side: str, *joints: str) -> float:
        return float(min(self.s[SIDES[side][j]] for j in joints))

    def ref(self, *segments: str) -> float | None:
        vals = [self.refs.get(s) for s in segments]
        return None if any(v is None or v <= 1e-6 for v in vals) else float(sum(vals))

    def dist(self, side: str, a: str, b: str) -> float:
        (ax, ay), (bx, by) = self.pt(side, a), self.pt(side, b)
        return math.hypot(ax - bx, ay - by)  # a tenth of np.linalg.norm's cost on two points


class BodyScale:
    """Remembers each segment's longest recent projected length (the limb seen straight and side-on).

    A bent or foreshortened limb looks short, so the current frame alone cannot say how long it is; the
    decaying maximum forgets slowly enough to span a set. A zoom or a cut changes every segment at once, which
    no movement does (some limb always stays long): then the lengths are learnt afresh and `changed` is set
    (until its reader clears it), so the engine can re-anchor what depends on the old scale.

    A zoom or a cut lasts; the model also stretches a whole skeleton for a frame or two (at 12 fps one frame has
    every segment longer at once). So a zoom-in, like a zoom-out, is confirmed only once it has lasted
    (ZOOM_IN_CONFIRM_S, in seconds: over several frames at any frame rate), measured against the lengths from
    before it (its unconfirmed frames are not learnt: a glitch leaves nothing behind). Just after the lengths were
    learnt afresh (LEARN_S), they are one posture's: a limb straightening then is learnt, not a zoom-in.
    """

    ZOOM = 1.2           # every segment this much longer (or all of them this much shorter): a zoom or a cut
    ZOOM_CONFIRM_S = 0.1  # all shorter for this long (a frame or two of bad keypoints is not a zoom)
    ZOOM_IN_CONFIRM_S = 0.3  # most longer for this long (the model stretches a skeleton for up to 0.2 s)
    LEARN_S = 0.5         # no zoom-in is seen this long after the lengths were learnt afresh
    TYPICAL_S = 3.0       # `leg_typical`: the median leg length over this long,
    TYPICAL_MIN = 5       # once it has this many samples (one frame's length can be a fifth off)

    def __init__(self, tau_s: float = 20.0, gate: float = 0.3) -> None:
        self.gate = gate
        self._max = {name: DecayingMax(tau_s) for name in SEGMENTS}
        self._shorter_since: float | None = None
        self._longer_since: float | None = None  # a zoom-in seen here, not yet confirmed
        self._learnt_since: float | None = None  # the lengths were learnt afresh here
        self._legs: deque[tuple[float, float]] = deque()  # (t, thigh + shin) of recent frames
        self._legs_sorted: list[float] = []  # the same lengths in order (a median per frame costs a bisect)
        self.changed = False

    def reset(self) -> None:
        for m in self._max.values():
            m.reset()
        self._shorter_since = None
        self._longer_since = None
        self._learnt_since = None
        self._legs.clear()
        self._legs_sorted.clear()

    def update(self, pose: Pose, t: float) -> dict[str, float]:
        body = Body(pose, {}, self.gate)
        seen = {}
        for name, (a, b) in SEGMENTS.items():
            lengths = [body.dist(side, a, b) for side in SIDES if body.conf(side, a, b) >= self.gate]
            seen[name] = max(lengths) if lengths else None
        self.changed = self._rescaled(seen, t) or self.changed  # until the reader clears it
        if self._longer_since is not None:  # an unconfirmed zoom-in (or a stretched glitch): not learnt
            seen = dict.fromkeys(seen)
        self._learnt_since = t if self._learnt_since is None else self._learnt_since
        refs = {name: self._max[name].update(seen[name], t) for name in SEGMENTS}
        refs["leg_typical"] = self._typical_leg(seen, t)
        return {k: v for k, v in refs.items() if v is not None}

    def _typical_leg(self, seen: dict[str, float | None], t: float) -> float | None:
        """The median recent leg length. The decaying maximum is the right length for "how far has the hip
        dropped" (a bent leg looks short), but it is biased: it grows for a second or more after the person
        is found (the maximum of more noisy samples) and then saw-tooths between jitter peaks. A position in
        the picture divided by it (the body's height for a calf raise, about one and a half legs) reads every
        percent of that as a rise or fall larger than the movement. A median has neither bias, and over a few
        frames it also outvotes the model's first frame (MoveNet's is inferred on the whole picture, coarser)."""
        if seen["thigh"] is not None and seen["shin"] is not None:
            leg = seen["thigh"] + seen["shin"]
            self._legs.append((t, leg))
            bisect.insort(self._legs_sorted, leg)
        while self._legs and self._legs[0][0] < t - self.TYPICAL_S:
            _, old = self._legs.popleft()
            del self._legs_sorted[bisect.bisect_left(self._legs_sorted, old)]
        n = len(self._legs_sorted)
        if n < self.TYPICAL_MIN:
            return None
        return (self._legs_sorted[(n - 1) // 2] + self._legs_sorted[n // 2]) / 2

    def _rescaled(self, seen: dict[str, float | None], t: float) -> bool:
        ratios = sorted(x / m.value for name, m in self._max.items()
                        if (x := seen[name]) is not None and m.value is not None and m.value > 1e-6)
        if len(ratios) < 3:
            return False
        learning = self._learnt_since is None or t - self._learnt_since < self.LEARN_S
        if ratios[len(ratios) // 2] >= self.ZOOM and not learning:  # most segments longer at once: zoomed in
            self._longer_since = t if self._longer_since is None else self._longer_since  # (or cut closer) ...
            if t - self._longer_since >= self.ZOOM_IN_CONFIRM_S:  # ... once it lasts
                self.reset()
                return True
            return False
        self._longer_since = None
        if ratios[-1] > 1.0 / self.ZOOM:
            self._shorter_since = None
            return False
        # Every segment shorter, the straightest too: zoomed out or cut farther, once it lasts.
        self._shorter_since = t if self._shorter_since is None else self._shorter_since
        if t - self._shorter_since >= self.ZOOM_CONFIRM_S:
            self.reset()
            return True
        return False


SideFn = Callable[[Body, str], "float | None"]


def _per_side(fn: SideFn, *joints: str) -> Callable[[Body], dict[str, Sample]]:
    def signal(body: Body) -> dict[str, Sample]:
        out = {}
        for side in SIDES:
            value = fn(body, side)
            if value is not None and math.isfinite(value):
                out[side] = Sample(value, body.conf(side, *joints))
        return out

    signal.joints = joints  # type: ignore[attr-defined]
    return signal


def _floor_y(body: Body, side: str) -> float:
    return float(body.pt(side, "ankle")[1])


def _hip_drop(body: Body, side: str) -> float | None:
    """0 standing, growing as the hip comes down toward the feet (squat, lunge, wall sit)."""
    leg = body.ref("thigh", "shin")
    return None if leg is None else 1.0 - (_floor_y(body, side) - body.pt(side, "hip")[1]) / leg


def _hip_lift(body: Body, side: str) -> float | None:
    """Hip height above the feet (glute bridge)."""
    drop = _hip_drop(body, side)
    return None if drop is None else 1.0 - drop


def _wrist_rise(body: Body, side: str) -> float | None:
    """Wrist height above the shoulder in arm lengths: -1 hanging, 0 at shoulder level, +1 overhead.

    Push-ups and dips move the shoulder down toward the hands, which reads the same way in side and head-on
    views, unlike the elbow angle which foreshortens head-on.
    """
    arm = body.ref("upper_arm", "forearm")
    return None if arm is None else (body.pt(side, "shoulder")[1] - body.pt(side, "wrist")[1]) / arm


def _arm_flex(body: Body, side: str) -> float | None:
    """0 with the arm straight, toward 1 as the wrist comes to the shoulder (curls)."""
    arm = body.ref("upper_arm", "forearm")
    return None if arm is None else 1.0 - body.dist(side, "shoulder", "wrist") / arm


def _trunk_rise(body: Body, side: str) -> float | None:
    """Shoulder height above the hip in torso lengths: 0 lying, toward 1 sitting up (sit-up)."""
    torso = body.ref("torso")
    return None if torso is None else (body.pt(side, "hip")[1] - body.pt(side, "shoulder")[1]) / torso


def _knee_drive(body: Body, side: str) -> float | None:
    """0 with the leg long, growing as the knee comes toward the chest (mountain climber)."""
    ref = body.ref("torso", "thigh")
    return None if ref is None else 1.0 - body.dist(side, "shoulder", "knee") / ref


def _knee_rise(body: Body, side: str) -> float | None:
    """0 standing, 1 with the knee at hip height (high knees)."""
    thigh = body.ref("thigh")
    return None if thigh is None else 1.0 + (body.pt(side, "hip")[1] - body.pt(side, "knee")[1]) / thigh


def _leg_rise(body: Body, side: str) -> float | None:
    """Feet height above the hip in leg lengths (leg raise)."""
    leg = body.ref("thigh", "shin")
    return None if leg is None else (body.pt(side, "hip")[1] - body.pt(side, "ankle")[1]) / leg


def _torso_lean(body: Body, side: str) -> float | None:
    """0 upright, 1 with the torso horizontal (deadlift hinge): shoulder height above hip in torso lengths."""
    torso = body.ref("torso")
    return None if torso is None else 1.0 - (body.pt(side, "hip")[1] - body.pt(side, "shoulder")[1]) / torso


def _body_rise(body: Body, side: str) -> float | None:
    """Hip height in the frame in leg lengths (calf raise: the whole body goes up on the toes). The legs stay
    straight, so their typical (median) length is the scale: see `BodyScale._typical_leg`."""
    leg = body.ref("leg_typical")
    return None if leg is None else -body.pt(side, "hip")[1] / leg


def _feet_apart(body: Body, side: str) -> float | None:
    """Ankle spread in leg lengths (jumping jacks seen from the front)."""
    leg = body.ref("thigh", "shin")
    if leg is None:
        return None
    return abs(body.pt("left", "ankle")[0] - body.pt("right", "ankle")[0]) / leg


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    v1, v2 = a - b, c - b
    cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def _body_line(body: Body, side: str) -> float:
    """Shoulder-hip-ankle angle in degrees: 180 is a straight body (plank, push-up)."""
    return _angle(body.pt(side, "shoulder"), body.pt(side, "hip"), body.pt(side, "ankle"))


def _body_tilt(body: Body, side: str) -> float:
    """Angle of the shoulder-to-ankle line from the horizontal, degrees (0 lying or planking, 90 standing)."""
    d = body.pt(side, "ankle") - body.pt(side, "shoulder")
    return math.degrees(math.atan2(abs(d[1]), abs(d[0]) + 1e-9))


def _knee_angle(body: Body, side: str) -> float:
    return _angle(body.pt(side, "hip"), body.pt(side, "knee"), body.pt(side, "ankle"))


def _elbow_angle(body: Body, side: str) -> float:
    return _angle(body.pt(side, "shoulder"), body.pt(side, "elbow"), body.pt(side, "wrist"))


def _hip_angle(body: Body, side: str) -> float:
    return _angle(body.pt(side, "shoulder"), body.pt(side, "hip"), body.pt(side, "knee"))


def _foot_lift(body: Body, side: str) -> float | None:
    """How far this side's ankle is above the other one, in leg lengths (balance on one leg)."""
    leg = body.ref("thigh", "shin")
    other = "right" if side == "left" else "left"
    return None if leg is None else (body.pt(other, "ankle")[1] - body.pt(side, "ankle")[1]) / leg


SIGNALS: dict[str, Callable[[Body], dict[str, Sample]]] = {
    "hip_drop": _per_side(_hip_drop, "hip", "ankle"),
    "hip_lift": _per_side(_hip_lift, "hip", "ankle"),
    "wrist_rise": _per_side(_wrist_rise, "shoulder", "wrist"),
    "arm_flex": _per_side(_arm_flex, "shoulder", "wrist"),
    "trunk_rise": _per_side(_trunk_rise, "shoulder", "hip"),
    "knee_drive": _per_side(_knee_drive, "shoulder", "knee"),
    "knee_rise": _per_side(_knee_rise, "hip", "knee"),
    "leg_rise": _per_side(_leg_rise, "hip", "ankle"),
    "torso_lean": _per_side(_torso_lean, "shoulder", "hip"),
    "body_rise": _per_side(_body_rise, "hip"),
    "feet_apart": _per_side(_feet_apart, "ankle"),
    "foot_lift": _per_side(_foot_lift, "ankle"),
    "body_line": _per_side(_body_line, "shoulder", "hip", "ankle"),
    "body_tilt": _per_side(_body_tilt, "shoulder", "ankle"),
    "knee_angle": _per_side(_knee_angle, "hip", "knee", "ankle"),
    "elbow_angle": _per_side(_elbow_angle, "shoulder", "elbow", "wrist"),
    "hip_angle": _per_side(_hip_angle, "shoulder", "hip", "knee"),
}

ANGLES = ("knee_angle", "elbow_angle", "hip_angle", "body_line")  # reported by the `angles` event


def combine(samples: dict[str, Sample], how: str, gate: float, only: str | None = None) -> Sample | None:
    """One value from the per-side samples whose confidence passes `gate`.

    `mean` weights the sides by score (the better-visible side dominates), `max` takes the higher side,
    `left`/`right` (or `only`) restricts to one side; `alternate` (one counter per side) is `max` when
    a single value is wanted.
    """
    side = only or (how if how in SIDES else None)
    how = "max" if how == "alternate" else how
    good = {k: s for k, s in samples.items() if s.confidence >= gate and (side is None or k == side)}
    if not good:
        return None
    if how == "max":
        return max(good.values(), key=lambda s: s.value)
    weights = np.array([s.confidence for s in good.values()])
    values = np.array([s.value for s in good.values()])
    return Sample(float(np.dot(weights, values) / weights.sum()), float(weights.max()))

