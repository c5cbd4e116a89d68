"""How differently a candidate is filmed from its reference, and what that hides or exaggerates.

One number per frame describes the view: the shoulders' horizontal distance in body units (`lateral_width`),
largest with the chest to the camera, near zero side-on. A reference stores its rep's median; a candidate rep
is compared with it as a ratio (`view_ratio`, candidate over reference):

- Left-right spreads are the lateral axis seen through that ratio: a ratio of 0.1 shows a tenth of the
  reference's hands-apart movement (jumping jacks filmed side-on), a ratio of 1.6 shows every sideways wobble of
  a still hand 1.6 times larger (push-ups filmed head-on against a three-quarter reference).
- A spread is also the depth axis seen through the other side of that turn: a view narrower across shows more
  of the movement toward and away from the camera, with a sign the width cannot tell (turned left or right, from
  the front or from behind). A lunge's step keeps the feet's spread still from the front, shows whole side-on,
  and three-quarter on moves it one way or the other. So once the views differ by `DEPTH_TURN`, the view seeing
  more depth may move a spread the reference keeps still, and the one seeing less may keep still the spread of a
  pair the reference steps apart (one foot forward, one back; a pair moving together, a jumping jack's feet,
  spreads sideways in every view and stays judged).
- Heights of a body lying down (push-ups) are not view-free: its long axis runs across the picture side-on and
  into it head-on, and a camera looking down turns movement along that axis into heights.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from posetracker.pose import KP, Pose
from posetracker.reference import features as F

# A view showing less than this share of the reference's lateral axis is side-on to it: the spreads the reference
# moves are hidden, and the near limb of a pair hides the far one. Between this and the reference's own view a
# spread is seen foreshortened: it is expected to move `ratio` times as far.
HIDES = 0.25
# A lying body seen this much wider across (ratio) points its trunk more into the picture than the reference did:
# the angles read along the trunk's line (at the shoulders and hips) turn the other way (a push-up filmed head-on
# against a three-quarter reference: the shoulder angle opens where the reference's closes).
TURNED = 1.25
# Below this shoulders' width (body units) a view is side-on: the far shoulder hides behind the near one and
# the width says nothing more.
SIDE_ON = 0.08
MAX_RATIO = 4.0
# Views this much wider across one than the other (ratio or its inverse) see the depth axis differently: a
# three-quarter reference (30 to 45 degrees) against a candidate from the front or from behind, a front reference
# against a candidate side-on.
DEPTH_TURN = 1.25
# The trunk lies (a push-up, a plank) when the shoulders stand this little above the hips at rest (body units).
LYING = 0.5
# Bounds on a lying reference's still heights widen by this share of how far the view turned (0 to 1).
LYING_HEIGHT_SLACK = 0.5
_SHOULDER_HEIGHTS = [F.NAMES.index("left_shoulder_height"), F.NAMES.index("right_shoulder_height")]


def lateral_width(pose: Pose, unit: float | None) -> float:
    """The shoulders' horizontal distance in body units (NaN when either is unseen or the body has no size)."""
    s = pose.scores
    if unit is None or unit <= 1e-6 or min(s[KP.LEFT_SHOULDER], s[KP.RIGHT_SHOULDER]) < F.GATE:
        return math.nan
    w, h = pose.frame_size or (1, 1)
    return abs(float(pose.xy[KP.LEFT_SHOULDER][0] - pose.xy[KP.RIGHT_SHOULDER][0])) * (w / h) / unit


def median_width(widths) -> float | None:
    w = np.asarray(widths, float)
    w = w[np.isfinite(w)]
    return float(np.median(w)) if len(w) else None


def view_ratio(ref_width: float | None, cand_width: float | None) -> float | None:
    """The candidate's lateral axis over the reference's (None when either is unknown)."""
    if ref_width is None or cand_width is None or not (math.isfinite(ref_width) and math.isfinite(cand_width)):
        return None
    return min(MAX_RATIO, max(SIDE_ON, cand_width) / max(SIDE_ON, ref_width))


def hidden_by_view(sig, ratio: float | None, apart: tuple[str, ...] = ()) -> np.ndarray:
    """The moving features the candidate's view cannot show as the reference's did: spreads foreshortened to
    less than `HIDES`; the spread of a pair the reference moves `apart` (a step: one foot forward, one back, see
    `limbs.apart_pairs`) seen from a view showing `DEPTH_TURN` less of the depth axis, which the step may have moved
    along; and a lying reference's trunk-line angles when the view has `TURNED` the trunk into the
    picture."""
    hidden = np.zeros(F.COUNT, bool)
    if ratio is None:
        return hidden
    if ratio < HIDES:
        hidden |= np.array([k == "spread" for k in F.KIND])
    elif ratio >= DEPTH_TURN:
        hidden |= np.array([k == "spread" and p in apart for k, p in zip(F.KIND, F.PART)])
    if ratio >= TURNED and lying(sig):
        hidden |= np.array([n.endswith(("_shoulder_angle", "_hip_angle")) for n in F.NAMES])
    return hidden & sig.active


def seen_from(sig, ratio: float | None):
    """The reference as the candidate's view would show its movement: spreads foreshortened by the ratio."""
    if ratio is None or ratio >= 1.0:
        return sig
    spread = np.array([k == "spread" for k in F.KIND])
    return replace(sig, direction=np.where(spread, sig.direction * ratio, sig.direction))


def lying(sig) -> bool:
    rest = sig.rest[_SHOULDER_HEIGHTS]
    return bool(np.isfinite(rest).any()) and float(np.nanmean(rest)) < LYING


def still_slack(sig, ratio: float | None) -> np.ndarray:
    """How much wider each still feature's bound is in the candidate's view (1.0: as in the reference's)."""
    slack = np.ones(F.COUNT)
    if ratio is None:
        return slack
    spread = np.array([k == "spread" for k in F.KIND])
    # A candidate seeing more depth than the reference may move a still spread along it (a lunge's step filmed
    # side-on against a front reference): not judged.
    slack[spread] = math.inf if ratio * DEPTH_TURN <= 1.0 else max(1.0, ratio)
    if lying(sig):
        turned = min(1.0, abs(math.log(ratio)))
        height = np.array([k == "height" for k in F.KIND])
        slack[height] = 1.0 + LYING_HEIGHT_SLACK * turned
    return slack
