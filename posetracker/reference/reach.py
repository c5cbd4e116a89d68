"""How far a candidate rep carries the reference's movement, part by part (a rule `matcher.compare` applies).

A body part the reference displaces clearly moves too. `Signature.moving_parts` picks parts by their share of the
movement's energy, where a joint turning a quarter-turn outweighs a position moving half a torso length: a
push-up's bending elbows carry most of it, and the head and shoulders lowering toward the floor can fall under
the share. A crunch on the back bends an elbow as far while the trunk stays on the floor.
"""
from __future__ import annotations

import numpy as np

from posetracker.reference import features as F

# A position (height or spread, in body units) the reference moves at least this far is displaced clearly (as in
# `matcher.CLEAR_MOVE`).
CLEAR_MOVE = 0.3
# Each clearly displaced part must come at least this share of the reference's way (as `matcher.MIN_PART`).
MIN_SHARE = 0.25
_POSITION = np.array([k != "angle" for k in F.KIND])
_LIMBS = ("left_arm", "right_arm", "left_leg", "right_leg")


def peak_deviation(cand: np.ndarray, act: np.ndarray) -> np.ndarray:
    """The candidate's furthest point from its rest over the features `act`, unit-scaled (`matcher` reads it
    too)."""
    dev = np.where(act, cand - (cand[0] + cand[-1]) / 2, 0.0) / F.UNIT
    return dev[int(np.argmax(np.nan_to_num(dev ** 2).sum(axis=1)))]


def displaced_parts(sig) -> tuple[str, ...]:
    """Body parts the reference displaces clearly (a height or spread of the part moves `CLEAR_MOVE` or more) that
    `moving_parts` leaves out, a limb only when the trunk carries it (`_carried`)."""
    d = np.nan_to_num(sig.direction) / F.UNIT
    moving = set(sig.moving_parts)
    parts = {F.PART[i] for i in np.flatnonzero(sig.active & _POSITION & (np.abs(d) >= CLEAR_MOVE))
             if F.PART[i] not in moving}
    return tuple(sorted(_carried(parts, moving)))


def _carried(parts: set, moving: set) -> set:
    """The displaced parts that are the movement's: a limb's heights (above the hips) are judged only when the
    trunk moves or is displaced too, carrying the limb (arms hanging from a leaning trunk, feet rising toward the
    hips as a push-up lowers them). A limb displaced while the trunk stays swings on its own, and its share of the
    movement left it out of the moving parts: an arm swung forward for balance during a squat is the performer's
    style, and a squat with the hands held still is the same movement. The hands' and feet's spreads stay judged:
    a pair going apart is no swing of one limb (a jumping jack's feet, under the share against the arms)."""
    if "trunk" in parts or "trunk" in moving:
        return parts
    return parts - set(_LIMBS)


def displaced_progress(sig, cand: np.ndarray, act: np.ndarray, as_seen=None) -> float:
    """How far the clearly displaced parts come, together, as a share of the reference's way (1.0: none to
    judge), read as `matcher._parts_move` reads a moving part: their features at the candidate's furthest point,
    projected on the reference's. Taken together, not part by part: arms carried by a squat's leaning trunk
    foreshorten more than the trunk when filmed from behind, yet the displacement as a whole is there.
    `as_seen`: the reference as the candidate's view shows it (`view.seen_from`); features out of `act` (hidden by
    the view, unseen) are not judged."""
    d = np.nan_to_num((as_seen or sig).direction) / F.UNIT
    parts = set(displaced_parts(sig))
    idx = [i for i in np.flatnonzero(act) if F.PART[i] in parts]
    norm = float(d[idx] @ d[idx]) if idx else 0.0
    if norm <= 0:
        return 1.0
    return float(peak_deviation(cand, act)[idx] @ d[idx]) / norm


def why(sig, cand: np.ndarray, act: np.ndarray, as_seen=None) -> str | None:
    """Why the candidate does not carry the reference's movement as the reference did, or None."""
    if displaced_progress(sig, cand, act, as_seen) < MIN_SHARE:
        return "parts_missing"
    return None
