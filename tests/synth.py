"""Synthetic motion: a parametric 3-D stick figure performing any catalogue exercise, seen by a virtual camera.

Tests use it to know the exact answer: N repetitions (or seconds held), with the mess real video has —
keypoint noise, jitter, low-score and missing keypoints, pauses, partial reps, dropped frames — from the front,
the side or three-quarters.

    poses = synth.perform("squat", reps=5, view="side", seed=1)        # list[(Pose | None, t)]

The figure is posed by joint angles (degrees) between a rest pose and a work pose per exercise (`MOTIONS`);
a repetition eases from rest to `depth` x work and back. Alternating exercises move one side per rep.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from posetracker.pose import KP, NUM_KEYPOINTS, Pose

# Segment lengths in metres (an adult of about 1.75 m).
THIGH, SHIN, UPPER_ARM, FOREARM, TORSO, NECK = 0.45, 0.43, 0.30, 0.27, 0.52, 0.2
HIP_HALF, SHOULDER_HALF = 0.10, 0.19
VIEWS = {"front": 0.0, "three_quarter": 45.0, "side": 90.0}
ANGLES = ("hip_flex", "hip_abd", "knee_flex", "sh_flex", "sh_abd", "elbow_flex")


@dataclass(frozen=True)
class Motion:
    """Rest and work pose of one exercise. Per-side angles are `ANGLES`; `work_other` is what the other
    side does during an alternating rep; `anchors` are the keypoints resting on the floor or bench."""

    rest: dict
    work: dict
    alternate: bool = False
    work_other: dict = field(default_factory=dict)
    anchors: tuple[int, ...] = (KP.LEFT_ANKLE, KP.RIGHT_ANKLE)
    period_s: float = 2.0


STAND = {"arms_world": True}
PRONE = {"body_pitch": 78.0, "sh_flex": 90.0}
HANDS_FEET = (KP.LEFT_WRIST, KP.RIGHT_WRIST, KP.LEFT_ANKLE, KP.RIGHT_ANKLE)
SUPINE_BACK = (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.LEFT_HIP, KP.RIGHT_HIP)
SEATED = (KP.LEFT_HIP, KP.RIGHT_HIP, KP.LEFT_ANKLE, KP.RIGHT_ANKLE)

MOTIONS: dict[str, Motion] = {
    "squat": Motion({}, {"hip_flex": 100, "knee_flex": 115, "torso_pitch": 35, "sh_flex": 80}),
    "push_up": Motion(dict(PRONE), {**PRONE, "sh_flex": 20, "elbow_flex": 95}, anchors=HANDS_FEET),
    "lunge": Motion({}, {"hip_flex": 80, "knee_flex": 90}, alternate=True,
                    work_other={"hip_flex": -25, "knee_flex": 100}),
    "side_lunge": Motion({"hip_abd": 10}, {"hip_abd": 35, "hip_flex": 70, "knee_flex": 95, "torso_pitch": 25},
                         alternate=True, work_other={"hip_abd": 30}),
    "deadlift": Motion({}, {"torso_pitch": 80, "hip_flex": 15, "knee_flex": 25}),
    "bicep_curl": Motion({}, {"elbow_flex": 140}, alternate=True),
    "hammer_curl": Motion({}, {"elbow_flex": 140}),
    "tricep_dip": Motion({"hip_flex": 90, "knee_flex": 90, "sh_flex": -15},
                         {"hip_flex": 90, "knee_flex": 90, "sh_flex": -75, "elbow_flex": 100},
                         anchors=(KP.LEFT_WRIST, KP.RIGHT_WRIST)),
    "shoulder_press": Motion({"sh_abd": 90, "elbow_flex": 95}, {"sh_abd": 170, "elbow_flex": 5}),
    "lateral_raise": Motion({"sh_abd": 8}, {"sh_abd": 88}),
    "glute_bridge": Motion({"body_pitch": -90, "hip_flex": 60, "knee_flex": 110},
                           {"body_pitch": -90, "hip_flex": 5, "knee_flex": 80, "torso_pitch": 0, "pelvis_up": 0.22},
                           anchors=(KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.LEFT_ANKLE, KP.RIGHT_ANKLE)),
    "calf_raise": Motion({}, {"lift": 0.09}),
    "mountain_climber": Motion({**PRONE}, {**PRONE, "hip_flex": 100, "knee_flex": 110}, alternate=True,
                               anchors=HANDS_FEET, period_s=1.0),
    "high_knees": Motion({}, {"hip_flex": 95, "knee_flex": 95}, alternate=True, period_s=0.8),
    "jumping_jack": Motion({"sh_abd": 10}, {"sh_abd": 170, "hip_abd": 15}, period_s=1.0),
    "low_impact_jack": Motion({"sh_abd": 10}, {"sh_abd": 170, "hip_abd": 15}, period_s=1.6),
    "leg_raise": Motion({"body_pitch": -90}, {"body_pitch": -90, "hip_flex": 85}, anchors=SUPINE_BACK),
    "sit_up": Motion({"torso_pitch": -85, "hip_flex": 115, "knee_flex": 130, "sh_flex": 30},
                     {"torso_pitch": 0, "hip_flex": 115, "knee_flex": 130, "sh_flex": 30}, anchors=SEATED),
    "crunch": Motion({"torso_pitch": -85, "hip_flex": 115, "knee_flex": 130, "sh_flex": 30},
                     {"torso_pitch": -50, "hip_flex": 115, "knee_flex": 130, "sh_flex": 30}, anchors=SEATED),
    "plank": Motion({**PRONE, "elbow_flex": 90}, {**PRONE, "elbow_flex": 90},
                    anchors=(KP.LEFT_ELBOW, KP.RIGHT_ELBOW, KP.LEFT_ANKLE, KP.RIGHT_ANKLE)),
    "wall_sit": Motion({"hip_flex": 90, "knee_flex": 90}, {"hip_flex": 90, "knee_flex": 90}),
    # Balancing lifts the right foot (standing on the left), or the left one for balance_leg_right.
    "balance_leg": Motion({}, {}),
    "balance_leg_left": Motion({}, {}),
    "balance_leg_right": Motion({}, {}),
}


def _rot_x(v: np.ndarray, deg: float) -> np.ndarray:
    """Rotate about the left-right axis: positive pitches the top of the figure toward the camera (+z)."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([v[0], c * v[1] - s * v[2], s * v[1] + c * v[2]])


def _limb(flex: float, abd: float, sign: float) -> np.ndarray:
    """Unit vector of a limb hanging down, swung forward by `flex` and out to its side by `abd` degrees."""
    f, a = math.radians(flex), math.radians(abd)
    return np.array([sign * math.sin(a) * math.cos(f), -math.cos(a) * math.cos(f), math.sin(f)])


def skeleton(p: dict, p_left: dict, p_right: dict) -> np.ndarray:
    """(17, 3) joint positions in metres (x: the figure's left, y: up, z: toward a front camera)."""
    pts = np.zeros((NUM_KEYPOINTS, 3))
    torso = _rot_x(np.array([0.0, 1.0, 0.0]), p.get("torso_pitch", 0.0))
    neck = pts[0]
    for side, sign, q in (("left", 1.0, p_left), ("right", -1.0, p_right)):
        hip, sh, el, wr, kn, an = (getattr(KP, f"{side.upper()}_{j}") for j in
                                   ("HIP", "SHOULDER", "ELBOW", "WRIST", "KNEE", "ANKLE"))
        pts[hip] = [sign * HIP_HALF, 0, 0]
        pts[sh] = pts[hip] + TORSO * torso + [sign * (SHOULDER_HALF - HIP_HALF), 0, 0]
        thigh = _limb(q.get("hip_flex", 0.0), q.get("hip_abd", 0.0), sign)
        pts[kn] = pts[hip] + THIGH * thigh
        shin = _limb(q.get("hip_flex", 0.0) - q.get("knee_flex", 0.0), q.get("hip_abd", 0.0), sign)
        pts[an] = pts[kn] + SHIN * shin
        arm_pitch = q.get("sh_flex", 0.0) + (0.0 if p.get("arms_world", True) else p.get("torso_pitch", 0.0))
        upper = _limb(arm_pitch, q.get("sh_abd", 0.0), sign)
        pts[el] = pts[sh] + UPPER_ARM * upper
        if q.get("sh_abd", 0.0) > 45:  # a raised arm bends upward (press), a hanging one forward (curl)
            fore = _limb(arm_pitch, q.get("sh_abd", 0.0) + q.get("elbow_flex", 0.0), sign)
        else:
            fore = _limb(arm_pitch + q.get("elbow_flex", 0.0), q.get("sh_abd", 0.0), sign)
        pts[wr] = pts[el] + FOREARM * fore
    neck = (pts[KP.LEFT_SHOULDER] + pts[KP.RIGHT_SHOULDER]) / 2
    head = neck + NECK * torso
    pts[KP.NOSE] = head + [0, 0, 0.1]
    for kp, dx in ((KP.LEFT_EYE, 0.03), (KP.RIGHT_EYE, -0.03), (KP.LEFT_EAR, 0.07), (KP.RIGHT_EAR, -0.07)):
        pts[kp] = head + [dx, 0.03, 0.07 if kp in (KP.LEFT_EYE, KP.RIGHT_EYE) else 0.0]
    pts[:, 1] += p.get("pelvis_up", 0.0)
    for i in range(NUM_KEYPOINTS):
        pts[i] = _rot_x(pts[i], p.get("body_pitch", 0.0))
    return pts


def _blend(rest: dict, work: dict, k: float) -> dict:
    keys = set(rest) | set(work)
    return {key: (1 - k) * float(rest.get(key, 0.0)) + k * float(work.get(key, 0.0)) for key in keys}


def body_at(exercise: str, k_left: float, k_right: float) -> np.ndarray:
    """3-D figure with each side `k` of the way from rest to work (for symmetric exercises pass k twice)."""
    m = MOTIONS[exercise]
    k = max(k_left, k_right)
    glob = _blend(m.rest, m.work, k)
    if m.alternate and m.work_other:  # both legs move in a lunge: the other one takes its own work pose
        lead_left = k_left >= k_right
        other = {**m.work, **m.work_other}
        left, right = _blend(m.rest, m.work if lead_left else other, k), _blend(m.rest, other if lead_left else m.work, k)
    elif m.alternate:
        left, right = _blend(m.rest, m.work, k_left), _blend(m.rest, m.work, k_right)
    else:
        left = right = glob
    if exercise.startswith("balance_leg"):
        lifted = {"hip_flex": 40 * k, "knee_flex": 90 * k}
        left, right = ({}, lifted) if exercise != "balance_leg_right" else (lifted, {})
    pts = skeleton(glob, left, right)
    pts[:, 1] -= min(pts[a, 1] for a in m.anchors)
    pts[:, 1] += glob.get("lift", 0.0)
    return pts


@dataclass(frozen=True)
class Camera:
    view: str = "side"          # front | side | three_quarter, or `yaw` degrees
    yaw: float | None = None
    size: tuple[int, int] = (640, 480)
    height_frac: float = 0.75   # the standing figure's height as a fraction of the frame height

    def project(self, pts: np.ndarray) -> np.ndarray:
        yaw = math.radians(self.yaw if self.yaw is not None else VIEWS[self.view])
        x = pts[:, 0] * math.cos(yaw) + pts[:, 2] * math.sin(yaw)
        w, h = self.size
        scale = self.height_frac * h / 1.75
        return np.stack([(w / 2 + x * scale) / w, (h * 0.92 - pts[:, 1] * scale) / h], axis=1)


@dataclass(frozen=True)
class Mess:
    """What real footage does to keypoints."""

    noise: float = 0.004        # gaussian noise, fraction of the frame
    jitter_p: float = 0.02      # chance per keypoint per frame of a jump with a low score
    jitter: float = 0.06
    missing_p: float = 0.02     # chance per keypoint per frame of a near-zero score
    drop_p: float = 0.0         # chance a frame is dropped entirely (its timestamp never arrives)
    far_score: float = 0.55     # score of the far side's keypoints in a side view


CLEAN = Mess(noise=0.0, jitter_p=0.0, missing_p=0.0)


def schedule(reps: int, period_s: float, depth: float = 1.0, lead_s: float = 1.5, pause_s: float = 0.4,
             alternate: bool = False, extra: tuple = ()) -> list[tuple]:
    """A list of segments: ("rest", seconds) | ("rep", seconds, depth, side)."""
    segs: list[tuple] = [("rest", lead_s)]
    for i in range(reps):
        segs += [("rep", period_s, depth, ("left", "right")[i % 2] if alternate else "both"), ("rest", pause_s)]
    return segs + list(extra) + [("rest", lead_s)]


def render(exercise: str, segments: list[tuple], camera: Camera = Camera(), mess: Mess = Mess(),
           fps: float = 30.0, seed: int = 0, start_t: float = 0.0) -> list[tuple[Pose | None, float]]:
    """Poses of the figure following `segments` ("absent" segments give None: nobody in the picture)."""
    rng = np.random.default_rng(seed)
    out: list[tuple[Pose | None, float]] = []
    t = start_t
    for seg in segments:
        n = max(1, int(round(seg[1] * fps)))
        for i in range(n):
            kl = kr = 0.0
            if seg[0] == "rep":
                k = seg[2] * (1 - math.cos(2 * math.pi * i / n)) / 2
                kl = k if seg[3] in ("left", "both") else 0.0
                kr = k if seg[3] in ("right", "both") else 0.0
            elif seg[0] == "hold":
                kl = kr = 1.0
            if rng.random() >= mess.drop_p:
                pose = None if seg[0] == "absent" else _pose(exercise, kl, kr, camera, mess, rng, t)
                out.append((pose, t))
            t += 1.0 / fps
    return out


def _pose(exercise: str, kl: float, kr: float, camera: Camera, mess: Mess, rng, t: float) -> Pose:
    xy = camera.project(body_at(exercise, kl, kr))
    scores = np.full(NUM_KEYPOINTS, 0.9)
    yaw = camera.yaw if camera.yaw is not None else VIEWS[camera.view]
    if yaw >= 60:  # side view from the figure's left: the right side is partly hidden
        scores[[k for k in range(NUM_KEYPOINTS) if k % 2 == 0 and k > 0]] = mess.far_score
    xy = xy + rng.normal(0, mess.noise, xy.shape)
    jump = rng.random(NUM_KEYPOINTS) < mess.jitter_p
    xy[jump] += rng.normal(0, mess.jitter, (int(jump.sum()), 2))
    scores[jump] = 0.2
    scores[rng.random(NUM_KEYPOINTS) < mess.missing_p] = 0.02
    return Pose(xy, scores, t, frame_size=camera.size)


def perform(exercise: str, reps: int = 5, view: str = "side", depth: float = 1.0, mess: Mess = Mess(),
            seed: int = 0, period_s: float | None = None, fps: float = 30.0,
            extra: tuple = ()) -> list[tuple[Pose | None, float]]:
    """`reps` repetitions of `exercise` (or, for a duration exercise, `reps` seconds held)."""
    m = MOTIONS[exercise]
    if exercise.startswith("balance_leg"):
        return _balance(exercise, reps, Camera(view=view), mess, fps, seed)
    if exercise in ("plank", "wall_sit"):  # the figure starts in position: reps + 1 seconds held
        return render(exercise, [("rest", 1.0), ("hold", float(reps)), *extra], Camera(view=view), mess, fps, seed)
    segs = schedule(reps, period_s or m.period_s, depth, alternate=m.alternate, extra=extra)
    return render(exercise, segs, Camera(view=view), mess, fps, seed)


def _balance(exercise: str, seconds: int, camera: Camera, mess: Mess, fps: float, seed: int):
    """Balance: stand 1 s, lift the foot for `seconds`, put it down for 1 s."""
    rng = np.random.default_rng(seed)
    out, t = [], 0.0
    for k, dur in ((0.0, 1.0), (1.0, float(seconds)), (0.0, 1.0)):
        for _ in range(int(round(dur * fps))):
            out.append((_pose(exercise, k, k, camera, mess, rng, t), t))
            t += 1.0 / fps
    return out
