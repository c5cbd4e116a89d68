"""Synthetic jumps: a person in metres, moved by physics, seen through a pinhole camera, as MoveNet-style poses.

The body is a stack of keypoints at anthropometric heights (fractions of stature). A jump is a push-off that
ends with the take-off speed v = sqrt(2 g h), a ballistic flight of 2v/g, and a landing that absorbs it. The
ankle rises onto the toes during the push-off (heel raise) with a speed that grows to v, so its height is smooth
through take-off, as a real foot's is. Nothing here reads the detector's thresholds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from posetracker.pose import KP, NUM_KEYPOINTS, Pose

G = 9.80665
FRAME = (1280, 720)
FOCAL_PX = 1000.0
CAMERA_HEIGHT_M = 1.0

# Height above the floor (fraction of stature) and sideways offset (fraction of stature, seen from the front).
BODY = {KP.NOSE: (0.92, 0.0), KP.LEFT_EYE: (0.936, 0.02), KP.RIGHT_EYE: (0.936, -0.02),
        KP.LEFT_EAR: (0.93, 0.045), KP.RIGHT_EAR: (0.93, -0.045), KP.LEFT_SHOULDER: (0.818, 0.13),
        KP.RIGHT_SHOULDER: (0.818, -0.13), KP.LEFT_ELBOW: (0.63, 0.15), KP.RIGHT_ELBOW: (0.63, -0.15),
        KP.LEFT_WRIST: (0.485, 0.15), KP.RIGHT_WRIST: (0.485, -0.15), KP.LEFT_HIP: (0.53, 0.095),
        KP.RIGHT_HIP: (0.53, -0.095), KP.LEFT_KNEE: (0.285, 0.09), KP.RIGHT_KNEE: (0.285, -0.09),
        KP.LEFT_ANKLE: (0.039, 0.08), KP.RIGHT_ANKLE: (0.039, -0.08)}
UPPER = [k for k, (h, _) in BODY.items() if h >= 0.5]


@dataclass
class Truth:
    takeoffs: list[float] = field(default_factory=list)
    landings: list[float] = field(default_factory=list)
    heights_m: list[float] = field(default_factory=list)


@dataclass
class Person:
    """The body's state at one instant: how far the hips (and everything above) are raised, each ankle's
    lift and forward shift, the distance from the camera."""

    stature: float = 1.75
    side_view: bool = True
    hip_lift: float = 0.0      # metres, whole upper body
    knee_lift: float = 0.0
    ankle_lift: tuple[float, float] = (0.0, 0.0)   # left, right
    foot_shift: tuple[float, float] = (0.0, 0.0)   # sideways on the picture (metres)
    x: float = 0.0
    z: float = 4.0

    def pose(self, t: float, rng: np.random.Generator, noise: float) -> Pose:
        xy = np.zeros((NUM_KEYPOINTS, 2))
        for k, (frac, off) in BODY.items():
            y = frac * self.stature
            x = self.x + (0.02 * off if self.side_view else off) * self.stature
            if k in UPPER:
                y += self.hip_lift
            elif k in (KP.LEFT_KNEE, KP.RIGHT_KNEE):
                y += self.knee_lift
            else:
                i = 0 if k == KP.LEFT_ANKLE else 1
                y += self.ankle_lift[i]
                x += self.foot_shift[i]
            xy[k] = (FRAME[0] / 2 + FOCAL_PX * x / self.z, FRAME[1] / 2 + FOCAL_PX * (CAMERA_HEIGHT_M - y) / self.z)
        xy /= np.array(FRAME)
        xy += rng.normal(0.0, noise, xy.shape)
        return Pose(xy, np.full(NUM_KEYPOINTS, 0.85), t, frame_size=FRAME)


def _hermite(s: float, p0: float, p1: float, v0: float, v1: float, dur: float) -> float:
    """Cubic from p0 (speed v0) to p1 (speed v1) over `dur` seconds, at s in [0, 1]."""
    h00, h10, h01, h11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
    return h00 * p0 + h10 * dur * v0 + h01 * p1 + h11 * dur * v1


@dataclass
class JumpPlan:
    height_m: float
    style: str = "countermovement"  # countermovement | squat | tuck | pogo
    toe_rise: float = 0.05          # the ankle's rise onto the toes, in statures
    drift_z: float = 0.0            # metres toward the camera during the flight (a hop forward)


def clip(plans: list[JumpPlan], fps: float, *, noise: float = 0.002, side_view: bool = True, seed: int = 0,
         stand_s: float = 1.0, rest_s: float = 0.8, stature: float = 1.75) -> tuple[list[tuple[Pose, float]], Truth]:
    """Stand still, then the planned jumps one after another (pogo: almost no rest), then stand still."""
    rng = np.random.default_rng(seed)
    segments, truth, t = [], Truth(), stand_s
    z = 4.0
    for plan in plans:
        v = math.sqrt(2 * G * plan.height_m)
        flight = 2 * v / G
        rise = plan.toe_rise * stature
        heel = 2 * rise / v  # the heel raise lasts as long as a speed growing evenly to v needs to reach `rise`
        dip = {"countermovement": 0.3, "squat": 0.3, "tuck": 0.25, "pogo": 0.03}[plan.style]
        down = {"countermovement": 0.45, "squat": 0.4, "tuck": 0.4, "pogo": 0.0}[plan.style]
        hold = 0.6 if plan.style == "squat" else 0.0
        push = 0.3 if plan.style != "pogo" else 0.12
        start = t
        takeoff = start + down + hold + push
        landing = takeoff + flight
        absorb = 0.35 if plan.style != "pogo" else 0.12
        end = landing + absorb + (rest_s if plan.style != "pogo" else 0.06)
        segments.append((start, takeoff, landing, end, plan, v, rise, heel, dip, down, hold, push, absorb, z))
        z -= plan.drift_z
        truth.takeoffs.append(takeoff)
        truth.landings.append(landing)
        truth.heights_m.append(plan.height_m)
        t = end
    total = t + stand_s
    frames = []
    for i in range(int(total * fps)):
        ti = i / fps
        person = Person(stature=stature, side_view=side_view, z=segments[0][-1] if segments else 4.0)
        for seg in segments:
            if ti >= seg[0]:
                person.z = seg[-1]
            if seg[0] <= ti < seg[3]:
                _move(person, ti, *seg)
        frames.append((person.pose(ti, rng, noise), ti))
    return frames, truth


def _move(p: Person, t: float, start, takeoff, landing, end, plan, v, rise, heel, dip, down, hold, push, absorb,
          z) -> None:
    if t < start + down:  # countermovement: down into the dip
        s = (t - start) / down
        p.hip_lift = -dip * (1 - math.cos(math.pi * s)) / 2
    elif t < start + down + hold:  # squat jump: a pause at the bottom
        p.hip_lift = -dip
    elif t < takeoff:  # push-off: the hips rise to standing-on-toes height with the take-off speed
        s = (t - start - down - hold) / push
        p.hip_lift = _hermite(s, -dip, rise, 0.0, v, push)
        if t > takeoff - heel:
            tau = t - (takeoff - heel)
            lift = v * tau**2 / (2 * heel)
            p.ankle_lift = (lift, lift)
    elif t < landing:  # flight: ballistic
        tau = t - takeoff
        h = v * tau - G * tau**2 / 2
        p.hip_lift = rise + h
        tuck = 0.0
        if plan.style == "tuck":
            tuck = 0.35 * math.sin(math.pi * tau / (landing - takeoff)) ** 2
        p.ankle_lift = (rise + h + tuck, rise + h + tuck)
        p.knee_lift = rise + h + 1.3 * tuck
        p.z = z - plan.drift_z * tau / (landing - takeoff)
    else:  # landing: the toes touch with speed v, the heel comes down, the knees bend to absorb
        tau = t - landing
        p.z = z - plan.drift_z
        if tau < heel:
            lift = rise - v * tau + v * tau**2 / (2 * heel)
            p.ankle_lift = (lift, lift)
        if tau < absorb:
            p.hip_lift = _hermite(tau / absorb, rise, -0.5 * dip - 0.05, -v, 0.0, absorb) if plan.style != "pogo" \
                else _hermite(tau / absorb, rise, rise, -v, v, absorb)
        elif plan.style != "pogo":
            s = min(1.0, (tau - absorb) / max(end - landing - absorb, 1e-6))
            p.hip_lift = (-0.5 * dip - 0.05) * (1 + math.cos(math.pi * s)) / 2


def walk(fps: float, *, toward: float = 0.0, sideways: float = 0.0, steps: int = 6, noise: float = 0.002,
         seed: int = 0, stand_s: float = 1.0) -> list[tuple[Pose, float]]:
    """Stand, then walk `steps` steps (each foot in turn lifted 12 cm and carried forward), covering `toward`
    metres toward the camera and `sideways` metres across the picture; then stand."""
    rng = np.random.default_rng(seed)
    step_s = 0.5
    total = stand_s * 2 + steps * step_s
    frames = []
    for i in range(int(total * fps)):
        t = i / fps
        w = min(max(t - stand_s, 0.0), steps * step_s)
        progress = w / (steps * step_s)
        person = Person(side_view=sideways != 0.0, z=4.0 - toward * progress, x=sideways * progress)
        if 0.0 < w < steps * step_s:
            k, s = divmod(w / step_s, 1.0)
            lift = 0.12 * math.sin(math.pi * s)
            person.ankle_lift = (lift, 0.0) if int(k) % 2 == 0 else (0.0, lift)
        frames.append((person.pose(t, rng, noise), t))
    return frames


def step(fps: float, *, noise: float = 0.002, seed: int = 0) -> list[tuple[Pose, float]]:
    """Stand, one step to the side (the right foot lifted 15 cm and put down 40 cm away), the left foot follows."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(int(4.0 * fps)):
        t = i / fps
        person = Person(side_view=False)
        for foot, t0 in ((1, 1.5), (0, 2.3)):
            s = min(max((t - t0) / 0.5, 0.0), 1.0)
            lift = 0.15 * math.sin(math.pi * s)
            shift = -0.4 * (1 - math.cos(math.pi * s)) / 2
            lifts, shifts = list(person.ankle_lift), list(person.foot_shift)
            lifts[foot], shifts[foot] = lift, shift
            person.ankle_lift, person.foot_shift = tuple(lifts), tuple(shifts)
        frames.append((person.pose(t, rng, noise), t))
    return frames
