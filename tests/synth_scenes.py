"""Synthetic scenes for the counting failure classes seen on real footage: fast alternating movements, a zoom or
cut during a set or a hold, positions the rest-and-rep schedule cannot express. Built on `synth`'s
stick figure and camera."""
from __future__ import annotations

import math

import numpy as np

import synth
from posetracker.pose import KP, NUM_KEYPOINTS, Pose

Stream = list[tuple[Pose | None, float]]


def alternating(exercise: str, per_side_hz: float, cycles: int, view: str = "front", fps: float = 30.0,
                mess: synth.Mess = synth.Mess(), seed: int = 0, lead_s: float = 1.0) -> Stream:
    """Continuous alternation (high knees, mountain climbers): one side rises while the other comes down,
    `per_side_hz` lifts a second per side, `cycles` lifts per side. Answer: 2 x cycles."""
    rng = np.random.default_rng(seed)
    camera = synth.Camera(view=view)
    period = 1.0 / per_side_hz
    out, t = [], 0.0
    n_lead, n_move = int(lead_s * fps), int(round(cycles * period * fps))
    for i in range(n_lead + n_move + n_lead):
        phase = 0.0 if not n_lead <= i < n_lead + n_move else 2 * math.pi * (i - n_lead) / fps / period
        s = math.sin(phase)
        k_left, k_right = max(0.0, s), max(0.0, -s)
        out.append((synth._pose(exercise, k_left, k_right, camera, mess, rng, t), t))
        t += 1.0 / fps
    return out


def frame_change(poses: Stream, at_t: float, scale: float, centre=None, shift=(0.0, 0.0),
                 until_t: float = math.inf) -> Stream:
    """A zoom or a cut: from `at_t` (to `until_t`) the picture is `scale` times bigger about `centre` (default:
    the person's centre at `at_t`, as a camera zooming on them) and moved by `shift`. Keypoints pushed out of the
    picture get a near-zero score, as a model gives them."""
    if centre is None:
        first = next(p for p, t in poses if p is not None and t >= at_t)
        centre = (first.xy.min(axis=0) + first.xy.max(axis=0)) / 2
    out = []
    for pose, t in poses:
        if pose is None or not at_t <= t < until_t:
            out.append((pose, t))
            continue
        xy = (pose.xy - centre) * scale + centre + shift
        scores = pose.scores.copy()
        outside = (xy < 0.0).any(axis=1) | (xy > 1.0).any(axis=1)
        scores[outside] = 0.03
        out.append((Pose(xy, scores, t, frame_size=pose.frame_size), t))
    return out


def then(first: Stream, make, *args, **kwargs) -> Stream:
    """`first` followed by the stream `make(..., start_t=...)` builds, one frame interval later."""
    start = first[-1][1] + (first[-1][1] - first[-2][1] if len(first) > 1 else 1 / 30)
    return first + make(*args, start_t=start, **kwargs)


def posed(exercise: str, segments: list[tuple], view: str = "side", seed: int = 0, start_t: float = 0.0,
          mess: synth.Mess = synth.Mess()) -> Stream:
    return synth.render(exercise, segments, synth.Camera(view=view), mess, seed=seed, start_t=start_t)


def keyframes(exercise: str, keys: list[tuple[float, float]], view: str = "side", fps: float = 30.0,
              mess: synth.Mess = synth.Mess(), seed: int = 0, start_t: float = 0.0) -> Stream:
    """The figure moved through `keys` [(seconds, k)], k 0 at rest .. 1 at work, linearly between keys:
    positions the catalogue's rest-and-rep schedule cannot express (standing at the bars before a dip)."""
    rng = np.random.default_rng(seed)
    camera = synth.Camera(view=view)
    out, t = [], start_t
    for (t0, k0), (t1, k1) in zip(keys, keys[1:]):
        n = max(1, int(round((t1 - t0) * fps)))
        for i in range(n):
            k = k0 + (k1 - k0) * i / n
            out.append((synth._pose(exercise, k, k, camera, mess, rng, t), t))
            t += 1.0 / fps
    return out


def walking(exercise: str, seconds: float, x: tuple[float, float], scale: tuple[float, float] = (1.0, 1.0),
            view: str = "side", fps: float = 30.0, mess: synth.Mess = synth.Mess(), seed: int = 0,
            start_t: float = 0.0, stride_hz: float = 0.9) -> Stream:
    """The figure walking, in the exercise's rest pose above the hips: legs and arms swing, one stride per leg
    every 1/`stride_hz` s, while its feet move across the picture from `x[0]` to `x[1]` (fractions of the width;
    outside 0..1 it is out of the picture) and its size goes from `scale[0]` to `scale[1]` of the standing
    size (walking toward the camera grows it). Keypoints out of the picture get a near-zero score."""
    rng = np.random.default_rng(seed)
    camera = synth.Camera(view=view)
    m = synth.MOTIONS[exercise]
    out, t = [], start_t
    n = max(2, int(round(seconds * fps)))
    for i in range(n):
        f = i / (n - 1)
        swing = math.sin(2 * math.pi * stride_hz * i / fps)
        legs = [{**m.rest, "hip_flex": 25 * s, "knee_flex": 35 * max(0.0, -s), "sh_flex": -20 * s}
                for s in (swing, -swing)]
        pts = synth.skeleton(dict(m.rest), *legs)
        pts[:, 1] -= min(pts[KP.LEFT_ANKLE, 1], pts[KP.RIGHT_ANKLE, 1])
        xy = camera.project(pts)
        foot = np.array([0.5, 0.92])
        s = scale[0] + (scale[1] - scale[0]) * f
        xy = (xy - foot) * s + foot + [x[0] + (x[1] - x[0]) * f - 0.5, 0.0]
        xy = xy + rng.normal(0, mess.noise, xy.shape)
        scores = np.full(NUM_KEYPOINTS, 0.9)
        scores[((xy < 0.0) | (xy > 1.0)).any(axis=1)] = 0.03
        if not (scores > 0.3).any():
            out.append((None, t))
        else:
            out.append((Pose(xy, scores, t, frame_size=camera.size), t))
        t += 1.0 / fps
    return out


PULL = {"torso_pitch": 75.0, "hip_flex": 60.0, "knee_flex": 90.0}  # a deadlift from the floor: hips and knees drive
STAND_UP = {"torso_pitch": 64.0, "hip_flex": 5.0, "knee_flex": 5.0}  # bent over the bar set down, straight legs


def _standing_pose(p: dict, camera: synth.Camera, rng, mess: synth.Mess, t: float) -> Pose:
    """The skeleton in posture `p`, feet on the ground, as `camera` sees it (the far side scored low side-on)."""
    pts = synth.skeleton(p, p, p)
    pts[:, 1] -= min(pts[KP.LEFT_ANKLE, 1], pts[KP.RIGHT_ANKLE, 1])
    xy = camera.project(pts) + rng.normal(0, mess.noise, (NUM_KEYPOINTS, 2))
    scores = np.full(NUM_KEYPOINTS, 0.9)
    if camera.view == "side":
        scores[[k for k in range(NUM_KEYPOINTS) if k % 2 == 0 and k > 0]] = mess.far_score
    return Pose(xy, scores, t, frame_size=camera.size)


def lifts(pulls: list[tuple[dict, float]], view: str = "side", period_s: float = 2.5, pause_s: float = 1.0,
          fps: float = 30.0, mess: synth.Mess = synth.Mess(), seed: int = 0) -> Stream:
    """Standing, then one bend-and-rise per `(pose at the bottom, fraction of it)` from the standing rest,
    `pause_s` apart: the loaded pulls of a set, and what ends it (`STAND_UP` after setting the bar down)."""
    rng = np.random.default_rng(seed)
    camera = synth.Camera(view=view)
    out, t = [], 0.0

    def frame(bottom: dict, k: float) -> None:
        nonlocal t
        p = {key: k * v for key, v in bottom.items()}
        out.append((_standing_pose(p, camera, rng, mess, t), t))
        t += 1.0 / fps

    for _ in range(int(1.5 * fps)):
        frame({}, 0.0)
    for bottom, depth in pulls:
        n = int(round(period_s * fps))
        for i in range(n):
            frame(bottom, depth * (1 - math.cos(2 * math.pi * i / n)) / 2)
        for _ in range(int(pause_s * fps)):
            frame({}, 0.0)
    return out


# A deadlift as lifters film it: the bar lowered with a hinge (trunk over, legs nearly straight), then the hips
# sink to the pulling position (chest up, knees bent most) and the pull stands up. The knees and hips bend
# most when the trunk is already half up.
HINGE_DOWN = {"torso_pitch": 80.0, "hip_flex": 15.0, "knee_flex": 15.0}
PULL_POSITION = {"torso_pitch": 50.0, "hip_flex": 60.0, "knee_flex": 90.0}
# Setting the bar down at the end: one bend with the knees giving a little as the trunk goes over, then up
# without it. Hips and knees move less than in a pull (not so little that they look missing), and at the same
# time as the trunk.
SET_DOWN_BEND = {"torso_pitch": 72.0, "hip_flex": 50.0, "knee_flex": 75.0}
# A squat, and the bend over to set the dumbbells down after the set: the trunk pitches far more than in any
# squat, the knees bend far less.
SQUAT_BOTTOM = {"torso_pitch": 30.0, "hip_flex": 90.0, "knee_flex": 110.0}
SET_WEIGHTS_DOWN = {"torso_pitch": 80.0, "hip_flex": 55.0, "knee_flex": 80.0}


def moves(paths: list[list[dict]], view: str = "side", period_s: float = 2.5, pause_s: float = 1.0,
          fps: float = 30.0, mess: synth.Mess = synth.Mess(), seed: int = 0) -> Stream:
    """Standing, then one movement per path: from standing through each of its key poses in turn and back to
    standing (eased between keys) in `period_s`, `pause_s` apart. `lifts` is the one-key case."""
    rng = np.random.default_rng(seed)
    camera = synth.Camera(view=view)
    out, t = [], 0.0

    def frame(p: dict) -> None:
        nonlocal t
        out.append((_standing_pose(p, camera, rng, mess, t), t))
        t += 1.0 / fps

    for _ in range(int(1.5 * fps)):
        frame({})
    for path in paths:
        keys = [{}, *path, {}]
        n = int(round(period_s * fps / (len(keys) - 1)))
        for a, b in zip(keys, keys[1:]):
            for i in range(n):
                frame(synth._blend(a, b, (1 - math.cos(math.pi * i / n)) / 2))
        for _ in range(int(pause_s * fps)):
            frame({})
    return out


def scaled(key: dict, k: float) -> dict:
    return {name: k * v for name, v in key.items()}
