"""How far a candidate rep carries the reference's movement, part by part (a rule `matcher.compare` applies).

A body part the reference displaces clearly moves too. `Signature.moving_parts` picks parts by their share of the
movement's energy, where a joint turning a quarter-turn outweighs a position moving half a torso length: a
push-up's bending elbows carry most of it, and the head and shoulders lowering toward the floor can fall under
the share. A crunch on the back bends an elbow as far while the trunk stays on the floor.

A movement also has a landmark it never crosses: a lateral raise lifts the hands to shoulder height, a jumping
jack takes them over the head. Going further along the same path is the same movement done fuller (a deeper
squat, a fuller curl: same-exercise reps go twice their reference's range), so no ratio of ranges tells them
apart; crossing the top of the head, which the reference's hands never reached, does. Heights follow gravity, so
this reads the same from every view: side-on, a raise's near arm points at the camera at the top (its hand stays
at shoulder height in the picture) where a jack's points up.
"""
from __future__ import annotations

import numpy as np

from posetracker.reference import features as F
from posetracker.reference.view import lying

# A position (height or spread, in body units) the reference moves at least this far is displaced clearly (as in
# `matcher.CLEAR_MOVE`).
CLEAR_MOVE = 0.3
# Each clearly displaced part must come at least this share of the reference's way (as `matcher.MIN_PART`).
MIN_SHARE = 0.25
_POSITION = np.array([k != "angle" for k in F.KIND])
# The top of the head stands about this far above the nose (body units: a head is about half a torso length tall,
# the nose about half way up it). Where the nose is unseen, it stands `NOSE_OVER_SHOULDERS` above the shoulders'
# line (the higher one; 0.19-0.35 measured on the clips, both models).
HEAD = 0.25
NOSE_OVER_SHOULDERS = 0.28
# Hands this far above the top of the head are raised overhead, this far below it are not. On the clips (both
# models, the two hands' mean) three of five jumping-jack clips raise them 0.16-0.46 above it (side-on jacks
# 0.19-0.30) and two only to about it (-0.22 to 0.14); the lateral raise's reference and its reps stay 0.24 or
# more below it, curls 0.46 or more.
OVERHEAD = 0.10
_WRISTS = [F.NAMES.index(f"{side}_wrist_height") for side in ("left", "right")]
_SHOULDERS = [F.NAMES.index(f"{side}_shoulder_height") for side in ("left", "right")]
_NOSE = F.NAMES.index("nose_height")
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


def hands(sig) -> list[int]:
    """The hands' heights the reference's movement carries: the wrists it moves of the arms it moves (a squat's
    arms swinging forward for balance are not the movement)."""
    moving = set(sig.moving_parts)
    return [i for i in _WRISTS if sig.active[i] and (F.PART[i] in moving or "arms" in moving)]


def above_head(rows: np.ndarray, idx: list[int]) -> float:
    """How far the hands `idx` rise above the top of the head over a rep (body units, negative below it; NaN when
    no hand or head is seen). Two hands are read by their mean: a camera looking down shows a hand reaching toward
    it lower than it is and one reaching away higher (a lateral raise filmed side-on or three-quarter on), looking
    up the other way round, and their mean reads as the body holds them."""
    # fmax skips a NaN where the other value is seen (and warns of nothing where neither is).
    shoulder = np.fmax.reduce(rows[:, _SHOULDERS], axis=1)
    nose = np.where(np.isfinite(rows[:, _NOSE]), rows[:, _NOSE], shoulder + NOSE_OVER_SHOULDERS)
    hand = rows[:, idx]
    seen = np.isfinite(hand).sum(axis=1)
    hand = np.where(seen > 0, np.where(np.isfinite(hand), hand, 0.0).sum(axis=1) / np.maximum(seen, 1), np.nan)
    rise = hand - (nose + HEAD)
    rise = rise[np.isfinite(rise)]
    return float(rise.max()) if len(rise) else float("nan")


def goes_overhead(sig, cand: np.ndarray) -> bool:
    """The candidate raises its hands clearly over its head where the reference's stayed clearly below the top of
    its head (`OVERHEAD` each way): another movement, not a fuller one. A reference whose hands reach about the
    top of its head (a jumping jack done low) does not say which side of it the movement keeps them, and a lying
    one is not judged (over the head means nothing there, and a camera looking down turns a lying body's movement
    into heights)."""
    idx = hands(sig)
    if not idx or lying(sig):
        return False
    ref = above_head(sig.template, idx)
    return bool(ref <= -OVERHEAD and above_head(cand, idx) >= OVERHEAD)


def why(sig, cand: np.ndarray, act: np.ndarray, as_seen=None) -> str | None:
    """Why the candidate does not carry the reference's movement as the reference did, or None."""
    if displaced_progress(sig, cand, act, as_seen) < MIN_SHARE:
        return "parts_missing"
    if goes_overhead(sig, cand):
        return "hands_overhead"
    return None
