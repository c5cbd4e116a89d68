"""A reference's signature: what one recorded repetition looks like, built from its pose sequence.

    signature = build_signature(poses, timestamps, start_s=2.1, end_s=4.3)

The signature keeps the rep's feature trajectory resampled to `SAMPLES` steps, which features move (and so
which body parts: placement asks for those), the rest pose at the rep's ends, the direction of the movement
(rest to the furthest point) and the rep's duration. It is plain JSON, versioned, so a stored reference
outlives changes to this code.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from posetracker.errors import PoseTrackerError
from posetracker.signals import BodyScale
from posetracker.pose import Pose
from posetracker.reference import features as F
from posetracker.reference.limbs import ENDS, end_lengths
from posetracker.reference.view import lateral_width, median_width

if TYPE_CHECKING:
    from posetracker.engine import RepRecord

SIGNATURE_VERSION = 1
SAMPLES = 32             # steps a rep's trajectory is resampled to (a rep of any length compares step by step)
MIN_DURATION_S = 0.3     # shorter segments are a twitch, not a repetition
MIN_PRESENCE = 0.6       # share of the segment's frames that must show the person
MIN_SEEN = 0.6           # a feature seen in fewer of the segment's frames is left out of the signature
# A feature moves when its range over the rep is at least this (angles in half-turns: 0.1 is 18 degrees;
# heights and spreads in torso lengths) and at least `RELATIVE_MOVE` of the largest range of its kind.
MOVE_FLOOR = {"angle": 0.1, "height": 0.25, "spread": 0.3}
RELATIVE_MOVE = 0.25
MAJOR_PART = 0.15       # a body part carrying this share of the movement is one the movement moves
BACK = 0.15             # within this share of a rep's excursion of rest: not moving yet (or any more)
SMOOTH_HZ = 3.0          # low-pass on features: keypoint jitter is faster than any repetition
TORSO_MEMORY_S = 20.0


def body_unit(refs: dict[str, float]) -> float | None:
    """The body's size from its remembered segment lengths: about a torso length, whichever segments the view
    shows whole (a push-up filmed head-on hides the torso's length, not the arms')."""
    guesses = [refs.get("torso")]
    if refs.get("upper_arm") and refs.get("forearm"):
        guesses.append(0.8 * (refs["upper_arm"] + refs["forearm"]))
    if refs.get("thigh") and refs.get("shin"):
        guesses.append(0.55 * (refs["thigh"] + refs["shin"]))
    guesses = [g for g in guesses if g]
    return max(guesses) if guesses else None


class FeatureStream:
    """Per-frame features of one person, smoothed, with unseen features held at their last value.

    The same stream feeds the signature and the live matcher, so a reference and the reps compared with it are
    measured the same way."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._scale = BodyScale(TORSO_MEMORY_S, F.GATE)
        self._value = np.full(F.COUNT, np.nan)
        self._t: float | None = None
        self.width = math.nan  # this frame's `view.lateral_width` (NaN: unseen)
        self.ends = np.full(len(ENDS), np.nan)  # this frame's `limbs.end_lengths`

    def update(self, pose: Pose | None, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(smoothed values, seen this frame). Values stay NaN until a feature is first seen."""
        if pose is None:
            self.width = math.nan
            self.ends = np.full(len(ENDS), np.nan)
            return self._value.copy(), np.zeros(F.COUNT, bool)
        refs = self._scale.update(pose, t)
        unit = body_unit(refs)
        self.width = lateral_width(pose, unit)
        self.ends = end_lengths(pose, refs)
        raw, ok = F.pose_features(pose, unit)
        dt = 0.0 if self._t is None else max(0.0, t - self._t)
        self._t = t
        alpha = 1.0 if dt <= 0 else 1.0 / (1.0 + 1.0 / (2 * math.pi * SMOOTH_HZ * dt))
        fresh = ok & np.isnan(self._value)
        self._value[fresh] = raw[fresh]
        keep = ok & ~fresh
        self._value[keep] += alpha * (raw[keep] - self._value[keep])
        return self._value.copy(), ok


@dataclass(frozen=True)
class Signature:
    template: np.ndarray   # (SAMPLES, F.COUNT); NaN columns: features not seen well enough
    active: np.ndarray     # (F.COUNT,) bool: the features the movement moves
    rest: np.ndarray       # (F.COUNT,) the pose at the rep's ends
    direction: np.ndarray  # (F.COUNT,) furthest point minus rest; 0 for features that stay still
    spread: np.ndarray     # (F.COUNT,) each feature's range over the rep
    duration_s: float
    version: int = SIGNATURE_VERSION
    view: float | None = None  # the rep's `view.lateral_width` (None: made before it was kept)

    @property
    def part_shares(self) -> dict[str, float]:
        """Each body part's share of the movement: the mean squared, unit-scaled movement of its moving features
        (a mean, not a sum, so an arm described by four features does not outweigh legs described by one)."""
        energy = (np.nan_to_num(self.direction) / F.UNIT) ** 2
        parts: dict[str, list[float]] = {}
        for i in np.flatnonzero(self.active):
            parts.setdefault(F.PART[i], []).append(float(energy[i]))
        means = {p: sum(v) / len(v) for p, v in parts.items()}
        total = sum(means.values()) or 1.0
        return {p: m / total for p, m in means.items()}

    @property
    def moving_parts(self) -> tuple[str, ...]:
        """The body parts that carry the movement (arms swinging a little during a squat do not)."""
        return tuple(sorted(p for p, share in self.part_shares.items() if share >= MAJOR_PART))

    @property
    def keypoints(self) -> tuple[int, ...]:
        """The keypoints the moving parts' features read (placement asks for these)."""
        parts = set(self.moving_parts)
        return tuple(sorted({k for i in np.flatnonzero(self.active) if F.PART[i] in parts for k in F.KEYPOINTS[i]}))

    def to_json(self) -> dict:
        def arr(a):
            return [None if not np.isfinite(v) else round(float(v), 5) for v in np.ravel(a)]
        return {"version": self.version, "features": list(F.NAMES), "samples": SAMPLES,
                "template": arr(self.template), "active": [bool(a) for a in self.active], "rest": arr(self.rest),
                "direction": arr(self.direction), "spread": arr(self.spread),
                "duration_s": round(self.duration_s, 4), "moving_parts": list(self.moving_parts),
                "view": None if self.view is None else round(self.view, 4)}

    @classmethod
    def from_json(cls, data: dict) -> "Signature":
        if data.get("version") != SIGNATURE_VERSION or list(data.get("features", [])) != list(F.NAMES):
            raise PoseTrackerError("reference_invalid", "This reference was made by another version of PoseTracker "
                                   "and cannot be read by this one. Make it again from its clip.")

        def arr(key, shape):
            return np.array([np.nan if v is None else v for v in data[key]], float).reshape(shape)
        n = int(data["samples"])
        return cls(arr("template", (n, F.COUNT)), np.array(data["active"], bool), arr("rest", (F.COUNT,)),
                   arr("direction", (F.COUNT,)), arr("spread", (F.COUNT,)), float(data["duration_s"]),
                   view=None if data.get("view") is None else float(data["view"]))


def invalid(message: str, **details) -> PoseTrackerError:
    return PoseTrackerError("reference_invalid", message, details or None)


def build_signature(poses: list[Pose | None], timestamps, start_s: float, end_s: float) -> Signature:
    """The signature of the rep between `start_s` and `end_s` of a pose sequence (a whole clip's poses).

    Raises `reference_invalid` saying what is wrong: a segment shorter than 0.3 s or outside the clip, no
    person in it, or no movement."""
    t = np.asarray(timestamps, float)
    if not (math.isfinite(start_s) and math.isfinite(end_s)) or end_s - start_s < MIN_DURATION_S:
        raise invalid(f"The segment {start_s:g}-{end_s:g} s is shorter than {MIN_DURATION_S} s: choose the start "
                      "and end of one whole repetition.", reason="too_short")
    inside = (t >= start_s) & (t <= end_s)
    if len(t) == 0 or inside.sum() < 3:
        length = float(t[-1]) if len(t) else 0.0
        raise invalid(f"The segment {start_s:g}-{end_s:g} s is not inside the clip (0-{length:.2f} s), or holds "
                      "fewer than 3 frames.", reason="outside_clip")
    stream = FeatureStream()
    rows, seen, present, widths = [], [], [], []
    for pose, ts in zip(poses, t):
        if ts > end_s:
            break
        values, ok = stream.update(pose, float(ts))
        if ts >= start_s:
            rows.append(values)
            seen.append(ok)
            present.append(pose is not None and ok.sum() >= 4)
            widths.append(stream.width)
    if np.mean(present) < MIN_PRESENCE:
        raise invalid(f"No person is seen in most of {start_s:g}-{end_s:g} s: choose a segment where the whole "
                      "movement is in view.", reason="no_person")
    rows_a, seen_a, times = np.array(rows), np.array(seen), t[inside][:len(rows)]
    usable = (seen_a.mean(axis=0) >= MIN_SEEN) & np.isfinite(rows_a).all(axis=0)
    rows_a[:, ~usable] = np.nan
    active, rng = _moving(resample(times, rows_a, SAMPLES), usable)
    if not active.any():
        raise invalid(f"Nothing moves between {start_s:g} and {end_s:g} s: choose a segment holding one whole "
                      "repetition (from the start position, through the movement, back).", reason="no_movement")
    # The start position is the rest pose: a segment may end before the return is quite complete.
    rest = np.where(usable, rows_a[:max(1, len(rows_a) // 20)].mean(axis=0), np.nan)
    dev = np.where(active, rows_a - rest, 0.0)
    peak = int(np.argmax(((dev / F.UNIT) ** 2).sum(axis=1)))
    direction = dev[peak]
    probe = Signature(np.zeros((1, F.COUNT)), active, rest, direction, rng, 1.0)
    whole = times
    times, rows_a = trim_to_movement(probe, times, rows_a, False)
    template = resample(times, rows_a, SAMPLES)
    view = median_width(np.asarray(widths)[(whole >= times[0]) & (whole <= times[-1])])
    return Signature(template, active, rest, direction, rng, float(times[-1] - times[0]), view=view)


def _moving(template: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which features move over the rep, and each one's range."""
    rng = np.zeros(F.COUNT)
    if usable.any():
        rng[usable] = np.nanmax(template[:, usable], axis=0) - np.nanmin(template[:, usable], axis=0)
    active = np.zeros(F.COUNT, bool)
    for kind, floor in MOVE_FLOOR.items():
        mask = np.array([k == kind for k in F.KIND]) & usable
        if mask.any():
            active |= mask & (rng >= floor) & (rng >= RELATIVE_MOVE * rng[mask].max())
    return active, rng


def resample(times: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """`rows` (m, k) sampled at `times`, linearly interpolated at n evenly spaced times over the same span."""
    rows = np.asarray(rows, float)
    if len(rows) == 1:
        return np.repeat(rows, n, axis=0)
    grid = np.linspace(times[0], times[-1], n)
    out = np.empty((n, rows.shape[1]))
    for k in range(rows.shape[1]):
        col = rows[:, k]
        ok = np.isfinite(col)
        out[:, k] = np.interp(grid, times[ok], col[ok]) if ok.sum() >= 2 else np.nan
    return out


def progress_signal(sig: Signature, values: np.ndarray, mirrored: bool) -> float | None:
    """How far one frame's features are along the reference's movement: 0 at its rest, 1 at its furthest point.
    Unseen features count as at rest."""
    v = values[F.MIRROR] if mirrored else values
    d = np.nan_to_num(sig.direction)
    delta = np.where(np.isfinite(v) & sig.active, v - np.nan_to_num(sig.rest), 0.0)
    norm = float(d @ d)
    return None if norm <= 0 else float(delta @ d) / norm


def trim_to_movement(sig: Signature, times: np.ndarray, rows: np.ndarray,
                     mirrored: bool) -> tuple[np.ndarray, np.ndarray]:
    """The part of a rep's frames where the pose is on its way: rest before the rise and after the return would
    stretch the comparison out of step with the reference."""
    s = np.array([progress_signal(sig, r, mirrored) or 0.0 for r in rows])
    if len(s) < 4:
        return times, rows
    peak = int(np.argmax(s))
    lo0, lo1 = float(s[:peak + 1].min()), float(s[peak:].min())
    first = peak - int(np.argmax((s[:peak + 1] - lo0 <= BACK * (s[peak] - lo0))[::-1]))
    last = peak + int(np.argmax(s[peak:] - lo1 <= BACK * (s[peak] - lo1)))
    if last - first < 2:
        return times, rows
    return times[first:last + 1], rows[first:last + 1]


def segment_of_rep(reps: Sequence[RepRecord], index: int, clip_end_s: float) -> tuple[float, float]:
    """The segment to make a reference of from the `index`-th rep an analysis found (the Upload page's "use this
    rep"): a counter ends a rep when its return is half done, so the segment runs on to the next rep's start, or
    half the rep's length again, whichever comes first."""
    rep = reps[index]
    start, end = float(rep.start_s), float(rep.end_s)
    later = [float(r.start_s) for r in reps[index + 1:] if float(r.start_s) > end]
    stop = min([end + 0.5 * (end - start), clip_end_s] + later[:1])
    return start, max(end, stop)
