"""Jump detection, pure: one frame's measurements and its time in, PoseTracker's jump events out.

    detector = JumpDetector(user_height_cm=180)        # None: heights from the flight time alone
    for pose, t in stream:
        events = detector.update(measure(pose), t)     # jump_calibration, jump_started, jump_height, ...

A short stand-still calibrates the standing ground line, the person's height in pixels and the hips' baseline.
The person is in the air while the *lower* foot is above the ground by `toe_rise` (the ankle's height on tiptoe
at toe-off and touch-down), so a step, with one foot always planted, is never a flight. Take-off and landing are
the moments the lower ankle crosses that height, interpolated between frames: at 30 fps a whole frame is 33 ms,
about 5 cm of height at 45 cm.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from posetracker import events as ev
from posetracker.jump_measure import Measure, measure  # noqa: F401 - part of this module's interface

G = 9.80665

DISCARD_MESSAGES = {
    "moving_toward_camera": "You moved toward the camera, so that jump was not measured. Jump on the spot.",
    "moving_away_from_camera": "You moved away from the camera, so that jump was not measured. Jump on the spot.",
    "timeout": "That was too long in the air to be a jump; standing still again recalibrates.",
    "tracking_lost": "Your feet were lost from view during the jump. Keep your whole body in the picture.",
    "stepping": "That was a step, not a jump: take off and land with both feet.",
}


def flight_height_cm(air_time_s: float) -> float:
    """Height of a ballistic flight from its duration: up for t/2 and down for t/2, h = g t^2 / 8."""
    return 100.0 * G * air_time_s ** 2 / 8.0


@dataclass(frozen=True)
class JumpParams:
    """Named thresholds, in statures (the person's height in pixels) and seconds, so they scale with the picture."""

    toe_rise: float = 0.05      # the ankle above its standing level at toe-off and first contact (on tiptoe)
    calib_s: float = 0.5        # the stand-still that calibrates
    still_tol: float = 0.025    # how much feet, hips and height may wander (std) during that stand-still
    ground_s: float = 0.5       # the ground line: median of the planted lower foot over this long
    min_stance_s: float = 0.04  # planted this long before a take-off counts (one noisy frame is not a landing)
    min_air_s: float = 0.12     # shorter flights are keypoint noise (1.8 cm)
    max_air_s: float = 1.2      # longer is no jump (the record vertical jumps fly about 1 s): timeout
    lost_s: float = 0.25        # feet unseen this long in the air: tracking lost
    drift_tol: float = 0.15     # the torso grew or shrank this much: the person moved toward or away
    min_takeoff_speed: float = 0.25  # statures/s the lower foot must rise at to leave the ground (10 cm: 0.8)
    speed_window_s: float = 0.1
    step_shift: float = 0.25    # landing this far sideways from the take-off: a leap or running step
    step_lift: float = 0.06     # one foot this high (10 cm; more than a heel raise) while the other stays...
    step_min_s: float = 0.15    # ...for this long: a step (shorter is a keypoint flicking between feet)
    agree_cm: float = 8.0       # jump_analysis: pixel and flight heights further apart than this (and 35 %)...
    agree_frac: float = 0.35    # ...mean the pixels are wrong (a turn, a swap of sides): the flight time wins


@dataclass(frozen=True)
class Calibration:
    stature_px: float
    torso_px: float | None
    ground_y: float
    baseline_y: float
    visible_hips: bool
    cm_per_px: float | None


@dataclass(frozen=True)
class JumpRecord:
    number: int
    takeoff_s: float
    landing_s: float
    height_cm: float
    delta_px: float
    side_used: str  # hips | feet (jump_analysis's pixels) or air_time

    @property
    def air_time_s(self) -> float:
        return self.landing_s - self.takeoff_s

    def to_dict(self) -> dict:
        return {"jumpNumber": self.number, "airTimeMs": int(round(self.air_time_s * 1000)),
                "jumpHeightCm": round(self.height_cm, 1), "takeoffMs": int(round(self.takeoff_s * 1000)),
                "landingMs": int(round(self.landing_s * 1000))}


@dataclass
class _Flight:
    takeoff_s: float
    hip0: float | None
    feet_x0: float
    torso0: float | None
    hips: list[tuple[float, float]] = field(default_factory=list)   # (t, hip y) in the air
    feet: list[tuple[float, float]] = field(default_factory=list)   # (t, lower foot y) in the air
    seen_s: float = 0.0


def _cross(t0: float, h0: float, t1: float, h1: float, level: float) -> float:
    """When a height moving from h0 (at t0) to h1 (at t1) crossed `level`, by linear interpolation."""
    if h1 == h0:
        return t1
    return t0 + (t1 - t0) * min(1.0, max(0.0, (level - h0) / (h1 - h0)))


def _apex(samples: list[tuple[float, float]]) -> float:
    """The highest point (smallest y) of a flight, refined by a parabola through the three samples around it."""
    ys = [y for _, y in samples]
    i = int(np.argmin(ys))
    if 0 < i < len(ys) - 1:
        a, b, c = ys[i - 1], ys[i], ys[i + 1]
        den = a - 2 * b + c
        if den > 0:
            return b - (a - c) ** 2 / (8 * den)
    return ys[i]


def _ballistic_apex(samples: list[tuple[float, float]], takeoff_s: float) -> float | None:
    """The top of a parabola fitted to every sample of the flight: each frame's keypoint jitter then counts a
    little, instead of the top frame's counting whole. None when there are too few samples, or they do not bend
    downwards like a flight (the person turned, a side swap)."""
    if len(samples) < 5:
        return None
    t = np.array([ti - takeoff_s for ti, _ in samples])
    a, b, c = np.polyfit(t, np.array([y for _, y in samples]), 2)
    if a <= 0 or not t[0] <= -b / (2 * a) <= t[-1]:
        return None
    return float(c - b * b / (4 * a))


class JumpDetector:
    def __init__(self, user_height_cm: float | None = None, params: JumpParams | None = None) -> None:
        self.user_height_cm = user_height_cm
        self.p = params or JumpParams()
        self.reset()

    def reset(self) -> None:
        self.phase = "calibrating"  # calibrating | ground | air
        self.calibration: Calibration | None = None
        self.jumps: list[JumpRecord] = []
        self.discards: list[tuple[float, str]] = []
        self._window: deque[tuple[float, Measure]] = deque()
        self._ground: deque[tuple[float, float, float | None]] = deque()  # (t, lower foot y, torso)
        self._stance_since: float | None = None
        self._prev: tuple[float, float] | None = None  # (t, lower foot height above ground) of the last frame
        self._prev_hip: float | None = None
        self._recent: deque[tuple[float, float, float | None]] = deque()  # every frame on the ground, flat or not
        self._up_since: float | None = None  # feet above the ground line without a take-off since then
        self._flight: _Flight | None = None
        self._lift: float | None = None  # when one foot went up while the other stayed planted

    # -- public ---------------------------------------------------------------------------------------------
    @property
    def ground_y(self) -> float | None:
        return float(np.median([y for _, y, _ in self._ground])) if self._ground else None

    @property
    def in_air_since(self) -> float | None:
        return self._flight.takeoff_s if self._flight else None

    def update(self, m: Measure | None, t: float) -> list[dict]:
        if self.phase == "calibrating":
            return self._calibrate(m, t)
        if self.phase == "air":
            return self._in_air(m, t)
        return self._on_ground(m, t)

    def summary(self) -> dict:
        return ev.jump_summary([j.to_dict() for j in self.jumps])

    # -- phases ---------------------------------------------------------------------------------------------
    def _calibrate(self, m: Measure | None, t: float) -> list[dict]:
        if m is None or not m.feet or m.stature is None:
            self._window.clear()
            return []
        self._window.append((t, m))
        while t - self._window[0][0] > self.p.calib_s:
            self._window.popleft()
        if t - self._window[0][0] < 0.9 * self.p.calib_s or len(self._window) < 3:
            return []
        ms = [w for _, w in self._window]
        stature = float(np.median([w.stature for w in ms]))
        hips = [w.hip_y for w in ms if w.hip_y is not None]
        visible_hips = len(hips) == len(ms)
        # Spread, not range: a model's keypoints jitter a few pixels on a perfectly still person.
        moving = [np.std([w.support_y for w in ms]), np.std([w.stature for w in ms]),
                  np.std(hips) if visible_hips else 0.0]
        if max(moving) > self.p.still_tol * stature:
            return []
        ground = float(np.median([w.support_y for w in ms]))
        torsos = [w.torso for w in ms if w.torso is not None]
        cm_per_px = self.user_height_cm / stature if self.user_height_cm else None
        self.calibration = Calibration(stature, float(np.median(torsos)) if torsos else None, ground,
                                       float(np.median(hips)) if visible_hips else ground, visible_hips, cm_per_px)
        self._ground = deque((ti, w.support_y, w.torso) for ti, w in self._window)
        self._recent = deque((ti, w.support_y, w.torso) for ti, w in self._window)
        self._window.clear()
        self._stance_since, self._prev, self.phase = t, (t, 0.0), "ground"
        return [ev.jump_calibration(cm_per_px, self.calibration.baseline_y, visible_hips)]

    def _on_ground(self, m: Measure | None, t: float) -> list[dict]:
        if m is None or not m.feet:
            self._stance_since = self._prev = self._lift = self._prev_hip = None
            return []
        theta = self.p.toe_rise * self.calibration.stature_px
        h = self.ground_y - m.support_y
        prev_hip, self._prev_hip = self._prev_hip, m.hip_y
        self._recent.append((t, m.support_y, m.torso))
        while t - self._recent[0][0] > self.p.ground_s:
            self._recent.popleft()
        out = self._drift(t)
        if out:
            return out
        if h > theta:
            prev, armed = self._prev, self._stance_since is not None and t - self._stance_since >= self.p.min_stance_s
            self._prev, self._stance_since = (t, h), None
            if armed and prev is not None and self._springing(m, t):
                return self._take_off(prev, prev_hip, m, t, h, theta)
            # Up without a stance first (the track came back mid-air), or feet creeping up the picture: no jump.
            self._up_since = self._up_since if self._up_since is not None else t
            if t - self._up_since > self.p.max_air_s:  # the ground itself moved (a step up, a camera nudge)
                self.phase, self.calibration, self._up_since = "calibrating", None, None
            return []
        self._up_since = None
        if h <= theta / 4:  # flat-footed: heels rising for a take-off, or a pogo on the toes, are not the ground
            self._ground.append((t, m.support_y, m.torso))
            while len(self._ground) > 3 and t - self._ground[0][0] > self.p.ground_s:
                self._ground.popleft()
        self._stance_since = self._stance_since if self._stance_since is not None else t
        self._prev = (t, h)
        return self._step(m, t, theta)

    def _springing(self, m: Measure, t: float) -> bool:
        """A take-off is fast: the lower foot rose at `min_takeoff_speed` over the last `speed_window_s`. Feet that
        creep up the picture (the person walking away from the camera) are not leaving the ground."""
        then = next(((ti, y) for ti, y, _ in reversed(self._recent) if t - ti >= self.p.speed_window_s), None)
        if then is None:
            then = self._recent[0][:2]
        dt = t - then[0]
        return dt > 0 and (then[1] - m.support_y) / dt >= self.p.min_takeoff_speed * self.calibration.stature_px

    def _take_off(self, prev, prev_hip, m: Measure, t: float, h: float, theta: float) -> list[dict]:
        t0 = _cross(prev[0], prev[1], t, h, theta)
        torsos = [v for _, _, v in self._recent if v is not None]
        hip0 = m.hip_y
        if m.hip_y is not None and prev_hip is not None:  # the hips' height at the take-off moment itself
            hip0 = prev_hip + (m.hip_y - prev_hip) * (t0 - prev[0]) / (t - prev[0])
        self._flight = _Flight(t0, hip0, m.feet_x, float(np.median(torsos)) if torsos else None, seen_s=t)
        self._lift = None
        self.phase = "air"
        self._note_air(m, t)
        return [ev.jump_started(), self._height_event(t, landed=False)]

    def _in_air(self, m: Measure | None, t: float) -> list[dict]:
        f, theta = self._flight, self.p.toe_rise * self.calibration.stature_px
        if t - f.takeoff_s > self.p.max_air_s:
            return self._discard("timeout", t, recalibrate=True)
        if m is None or not m.feet:
            return self._discard("tracking_lost", t) if t - f.seen_s > self.p.lost_s else []
        h = self.ground_y - m.support_y
        prev, self._prev = self._prev, (t, h)
        if h > theta:
            self._note_air(m, t)
            return [self._height_event(t, landed=False)]
        t1 = _cross(prev[0], prev[1], t, h, theta)
        air = t1 - f.takeoff_s
        if air < self.p.min_air_s:  # keypoint noise, not a flight: as if never up
            self._flight, self.phase, self._stance_since = None, "ground", t
            return []
        # The landing frame's torso, not the flight's (arms swung overhead lift the shoulders in the air), against
        # both the one before take-off and the calibration's: one model's torso wanders 10 % from frame to frame.
        drift = [m.torso / ref - 1 for ref in (f.torso0, self.calibration.torso_px) if ref and m.torso]
        if drift and (min(drift) > self.p.drift_tol or max(drift) < -self.p.drift_tol):
            return self._discard("moving_toward_camera" if drift[0] > 0 else "moving_away_from_camera", t,
                                 recalibrate=True)
        if abs(m.feet_x - f.feet_x0) > self.p.step_shift * self.calibration.stature_px:
            return self._discard("stepping", t)
        return self._land(t, t1)

    def _land(self, t: float, t1: float) -> list[dict]:
        f, cal = self._flight, self.calibration
        flight_cm = flight_height_cm(t1 - f.takeoff_s)
        height, side, delta = flight_cm, "air_time", self._rise_px()
        if cal.cm_per_px is not None and delta is not None:
            pixel_cm = delta * cal.cm_per_px
            if abs(pixel_cm - flight_cm) <= max(self.p.agree_cm, self.p.agree_frac * flight_cm):
                height, side = pixel_cm, "hips" if cal.visible_hips else "feet"
        record = JumpRecord(len(self.jumps) + 1, f.takeoff_s, t1, height, delta or 0.0, side)
        self.jumps.append(record)
        final = self._height_event(t, landed=True, air_s=record.air_time_s, side=side)
        self._flight, self.phase, self._stance_since = None, "ground", t
        return [final, ev.jump_result(record.number, record.height_cm, record.air_time_s)]

    # -- checks ---------------------------------------------------------------------------------------------
    def _drift(self, t: float) -> list[dict]:
        """On the ground: the torso's scale moved away from the calibration's, so cm per pixel is no longer true."""
        cal = self.calibration
        torsos = [v for _, _, v in self._recent if v is not None]
        if not cal.torso_px or len(torsos) < 3:
            return []
        ratio = float(np.median(torsos)) / cal.torso_px
        if abs(ratio - 1) <= self.p.drift_tol:
            return []
        return self._discard("moving_toward_camera" if ratio > 1 else "moving_away_from_camera", t, recalibrate=True)

    def _step(self, m: Measure, t: float, theta: float) -> list[dict]:
        """One foot up high while the other stays planted, then down again: a step (or a march), never a jump."""
        if len(m.feet) < 2:
            return []
        swing = self.ground_y - min(y for _, y in m.feet)
        if swing > self.p.step_lift * self.calibration.stature_px:
            self._lift = self._lift if self._lift is not None else t
        elif swing <= theta and self._lift is not None:
            lifted, self._lift = t - self._lift, None
            if lifted >= self.p.step_min_s:
                return self._discard("stepping", t)
        return []

    def _discard(self, reason: str, t: float, recalibrate: bool = False) -> list[dict]:
        self.discards.append((t, reason))
        self._flight, self._lift, self._stance_since = None, None, None
        self.phase = "ground"
        if recalibrate:
            self.phase, self.calibration = "calibrating", None
            self._ground.clear()
            self._recent.clear()
            self._window.clear()
        return [ev.jump_discarded(reason, DISCARD_MESSAGES[reason])]

    # -- measuring ------------------------------------------------------------------------------------------
    def _note_air(self, m: Measure, t: float) -> None:
        f = self._flight
        f.seen_s = t
        f.feet.append((t, m.support_y))
        if m.hip_y is not None:
            f.hips.append((t, m.hip_y))

    def _rise_px(self) -> float | None:
        """How far the body rose in the air: the hips above their take-off level (the feet when hips are unseen)."""
        f, cal = self._flight, self.calibration
        if cal.visible_hips and f.hip0 is not None and f.hips:
            apex = _ballistic_apex(f.hips, f.takeoff_s)
            return max(0.0, f.hip0 - (apex if apex is not None else _apex(f.hips)))
        if f.feet:
            return max(0.0, self.ground_y - self.p.toe_rise * cal.stature_px - _apex(f.feet))
        return None

    def _height_event(self, t: float, landed: bool, air_s: float | None = None, side: str | None = None) -> dict:
        f, cal = self._flight, self.calibration
        air = air_s if air_s is not None else max(0.0, t - f.takeoff_s)
        delta = self._rise_px() or 0.0
        used = side or ("hips" if cal.visible_hips else "feet")
        return ev.jump_height(landed, delta, used, air)
