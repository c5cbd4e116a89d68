"""Comparing movement with a reference: a segmenter that finds rep-shaped excursions along the reference's
direction of movement, and `compare`, which scores one such excursion against the reference's trajectory.

The segmenter reads one number per frame: how far the pose has moved from rest along the reference's movement
(0 at rest, 1 as far as the reference went), with its own slowly forgetting baseline, so another person's rest
pose or a different camera angle only shifts it. A candidate is counted only if its shape matches too: the
same features move the same way (normalised cross-correlation), the body parts the reference moves all move,
and the parts it keeps still stay still. That is what keeps a lunge from counting as a squat reference.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posetracker.reference import features as F
from posetracker.reference import reach
from posetracker.reference.limbs import apart_pairs, limb_pairs, lost_ends, undefined_features
from posetracker.reference.signature import BACK, MIN_SEEN, SAMPLES, Signature, progress_signal, resample
from posetracker.reference.view import HIDES, hidden_by_view, seen_from, still_slack, view_ratio

ENTER = 0.3          # along the reference's movement, from the baseline: a rep has begun
MIN_EXCURSION = 0.45  # a counted rep goes at least this far (1.0 is as far as the reference went)
RETURN = 0.5         # a fall of this share of the excursion from its peak: the rep is on its way back
REARM = 0.15         # after the return, a rise of this share of the excursion: the next rep is starting
STILL = 0.08        # this close to the baseline is still resting
SETTLE_S = 1.0       # a return that stalls this long ends the rep where it stalled
BASELINE_TAU_S = 5.0  # the rest baseline creeps toward the signal: a slow drift is not a rep
MIN_NCC = 0.55       # the shape must correlate at least this well with the reference's
MIN_PART = 0.25      # each body part the reference moves must move at least this share of its range
STILL_FLOOR = {"angle": 0.3, "height": 0.5, "spread": 0.6}
# ... or this many times the feature's own range in the reference; a moving limb's joints wobble more than still
# parts' positions do.
STILL_FACTOR = {"angle": 5.0, "height": 2.5, "spread": 2.5}  # a still part moving this much is another movement
# A joint the reference holds still on both sides of the body (or on the one side it sees) is held still by the
# movement itself (a curl's shoulder, a lateral raise's elbow), not hidden from the camera: it may bend this much
# (half-turns: 27 degrees), or this many times its own range in the reference, before the rep is another movement.
# (A joint still on one side only while its mirror moves is a view's artefact: a push-up filmed three-quarter on;
# the mirror must be on a limb the movement moves, not a far arm whose keypoints the model guesses.)
HELD_JOINT = 0.2        # a joint moving less than this (half-turns) over the reference rep is held still
HELD_FLOOR, HELD_FACTOR = 0.15, 1.5
# The trunk's posture at rest (shoulders' height above the hips, in body units: about 1 standing, about 0 lying
# or on all fours) must agree: a curl standing is not a push-up's elbow bend, a dip upright is not a push-up.
POSTURE_TOLERANCE = 0.4
# The stance at rest: how much higher in the picture one foot stands than the other (body units). Feet side by side
# stand level whatever the camera's height; a foot stepped back or forward stands higher (a lunge's split stance
# against a squat's), unless the camera is exactly side-on.
STANCE_TOLERANCE = 0.35
# A position the reference moves clearly (a torso length, or hands or feet apart by one) must not go clearly the
# other way (hands meeting overhead in a jumping jack, where a lateral raise takes them apart).
CLEAR_MOVE = 0.3
OPPOSITE = -0.5
# A rep rejected while a limb had lost its end is judged again without the features that end leaves undefined: it
# counts when the others carry this share of the reference's movement and their shape correlates this well
# (`_rescued`; a correlation above `MIN_NCC`: a different movement missing the same features matches less well).
KEPT_SHARE = 0.5
RESCUE_NCC = 0.8
GRADE_FLOORS = (("A", 85.0), ("B", 70.0), ("C", 55.0))


@dataclass(frozen=True)
class Candidate:
    start_s: float
    end_s: float
    peak_s: float
    excursion: float


class Segmenter:
    """Rep-shaped excursions of one 1-D signal (rise from rest, return), with hysteresis relative to each rep."""

    def __init__(self, max_rep_s: float) -> None:
        self.max_rep_s = max_rep_s
        self.reset()

    def reset(self) -> None:
        self.phase = "rest"
        self.base = self.base_t = None
        self.peak = self.peak_t = 0.0
        self.low = self.low_t = 0.0
        self._t: float | None = None
        self._last: float | None = None

    def update(self, s: float, t: float) -> Candidate | None:
        dt = 0.0 if self._t is None else max(0.0, t - self._t)
        self._t, self._last = t, s
        if self.base is None:
            self.base, self.base_t = s, t
            return None
        if self.phase == "rest":
            if s <= self.base:
                self.base, self.base_t = s, t
            else:
                self.base += (s - self.base) * (1.0 - math.exp(-dt / BASELINE_TAU_S))
                if s - self.base <= STILL:
                    self.base_t = t  # still at rest: the rep starts at the last moment of rest
            if s - self.base >= ENTER:
                self.phase, self.peak, self.peak_t = "work", s, t
            return None
        excursion = self.peak - self.base
        if self.phase == "work":
            if s >= self.peak:
                self.peak, self.peak_t = s, t
            elif self.peak - s >= RETURN * excursion:
                self.phase, self.low, self.low_t = "return", s, t
            if t - self.base_t > self.max_rep_s:
                self._rest(s, t)  # a change of position, not a repetition
            return None
        if s < self.low:
            self.low, self.low_t = s, t
        if s - self.base <= BACK * excursion:
            return self._close(t, s, t)
        if s - self.low >= REARM * excursion or t - self.low_t >= SETTLE_S:
            return self._close(self.low_t, self.low, self.low_t)
        return None

    def finish(self) -> Candidate | None:
        """End of the stream: a rep on its way back is complete enough to judge."""
        if self.phase == "return":
            return self._close(self.low_t, self.low, self.low_t)
        return None

    def _close(self, end_t: float, new_base: float, base_t: float) -> Candidate:
        cand = Candidate(self.base_t, end_t, self.peak_t, self.peak - self.base)
        self._rest(new_base, base_t)
        return cand

    def _rest(self, s: float, t: float) -> None:
        self.phase, self.base, self.base_t = "rest", s, t


@dataclass(frozen=True)
class Match:
    ncc: float           # -1..1 shape correlation
    dtw_cost: float      # mean step distance after alignment, in units of each feature's reference range
    timing: float        # rep duration / reference duration
    parts_ok: bool
    still_ok: bool
    why: str | None      # why it does not match, or None

    @property
    def matches(self) -> bool:
        return self.why is None

    def score(self) -> dict:
        """PoseTracker's `reference_score`: overall, shape (NCC), alignment (DTW), timing, each 0..100, a grade."""
        ncc = 100.0 * max(0.0, self.ncc)
        dtw = 100.0 * math.exp(-self.dtw_cost / 0.35)
        timing = 100.0 * math.exp(-abs(math.log(max(self.timing, 1e-3))) / 0.7)
        overall = 0.45 * ncc + 0.35 * dtw + 0.2 * timing
        grade = next((g for g, floor in GRADE_FLOORS if overall >= floor), "D")  # A-D, as PoseTracker grades
        return {"overallScore": round(overall, 1), "nccScore": round(ncc, 1), "dtwScore": round(dtw, 1),
                "timingScore": round(timing, 1), "grade": grade}


def compare(sig: Signature, times: np.ndarray, rows: np.ndarray, mirrored: bool,
            view: float | None = None, seen: np.ndarray | None = None, ends: np.ndarray | None = None,
            without: np.ndarray | None = None) -> Match:
    """How one candidate rep (`rows`: features per frame at `times`) matches the reference. `view`: the
    candidate's `view.lateral_width` (None: judged as if filmed from the reference's view). `seen` (per frame
    and feature, optional) says which values were seen rather than held through an occlusion; `ends` (per frame,
    optional: `limbs.end_lengths`) which limb lost its end during the rep (`_rescued`); `without` (per feature,
    optional) leaves features out of the comparison."""
    if ends is not None:
        return _rescued(sig, times, rows, mirrored, view, seen, ends)
    glimpsed = None
    if seen is not None and len(seen) == len(rows):
        rows, glimpsed = hide_unseen(rows, seen), np.asarray(seen, bool).any(axis=0)
        glimpsed = glimpsed[F.MIRROR] if mirrored else glimpsed
    rows = rows[:, F.MIRROR] if mirrored else rows
    cand = resample(times, rows, SAMPLES)
    if without is not None:
        cand = np.where(without, np.nan, cand)
    ratio = view_ratio(sig.view, view)
    hidden = hidden_by_view(sig, ratio, apart_pairs(sig))
    act = sig.active & ~hidden & np.isfinite(cand).all(axis=0)
    if not act.any():
        return Match(0.0, math.inf, 1.0, False, True, "unseen")
    scale = F.UNIT[act]
    u = (sig.template[:, act] - sig.rest[act]) / scale
    c = (cand[:, act] - (cand[0, act] + cand[-1, act]) / 2) / scale
    as_seen = seen_from(sig, ratio)
    ncc = _weighted_ncc(u, c, (as_seen.direction[act] / scale) ** 2)
    cost = _dtw(u, c)
    timing = (times[-1] - times[0]) / sig.duration_s
    parts_ok = _parts_move(as_seen, cand, act, hidden, ratio is not None and ratio < HIDES, glimpsed)
    still_ok = _still_stays(sig, cand, still_slack(sig, ratio)) and _held_joints_stay(sig, cand)
    pairs = limb_pairs(sig, cand)  # judged, the legs' split supersedes the stance at rest (see `limbs`)
    why = ("other_posture" if not _same_posture(sig, cand, stance="legs" not in pairs)
           else "limbs_differ" if not all(pairs.values()) else "unlike_reference" if ncc < MIN_NCC
           else "parts_missing" if not parts_ok else "opposite_movement" if _goes_opposite(sig, cand, act)
           else "extra_movement" if not still_ok else None)
    why = why or reach.why(sig, cand, act, as_seen)
    return Match(ncc, cost, timing, parts_ok, still_ok, why)


def _rescued(sig: Signature, times: np.ndarray, rows: np.ndarray, mirrored: bool, view: float | None,
             seen: np.ndarray | None, ends: np.ndarray) -> Match:
    """`compare`, and for a rep it rejects in which a limb lost its end (`limbs.lost_ends`: a shin seen end-on or
    lost by the model on one side), the same comparison without the features that end leaves undefined. The rep
    counts then only if the rest matches strongly (`RESCUE_NCC`) and carries at least `KEPT_SHARE` of the
    reference's movement: judged on the parts seen well, not excused of the movement."""
    match = compare(sig, times, rows, mirrored, view, seen)
    if match.matches or len(ends) != len(times):
        return match
    undefined = undefined_features(lost_ends(ends))
    undefined = undefined[F.MIRROR] if mirrored else undefined
    energy = np.where(sig.active, (np.nan_to_num(sig.direction) / F.UNIT) ** 2, 0.0)
    if not undefined.any() or float(energy[~undefined].sum()) < KEPT_SHARE * float(energy.sum()):
        return match
    again = compare(sig, times, rows, mirrored, view, seen, without=undefined)
    return again if again.matches and again.ncc >= RESCUE_NCC else match


def _weighted_ncc(a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> float:
    """Each feature's own shape correlation, averaged with the weight of its share of the reference's movement.

    Pooling every feature into one correlation lets a feature the reference barely moves decide the match when
    the candidate's view swings it (a push-up filmed head-on foreshortens the hips and shoulders); a feature's
    own correlation is also blind to how far it moves, which changes with the view more than its shape does."""
    a, b = a - a.mean(axis=0), b - b.mean(axis=0)
    den = np.sqrt((a * a).sum(axis=0) * (b * b).sum(axis=0))
    per = np.where(den > 1e-12, (a * b).sum(axis=0) / np.maximum(den, 1e-12), 0.0)
    total = float(np.nansum(weight))
    return float(np.nansum(weight * per)) / total if total > 0 else _ncc(a, b)


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(axis=0), b - b.mean(axis=0)
    den = math.sqrt(float((a * a).sum()) * float((b * b).sum()))
    return 0.0 if den <= 1e-12 else float((a * b).sum()) / den


def _dtw(a: np.ndarray, b: np.ndarray, band: int = SAMPLES // 4) -> float:
    n, m = len(a), len(b)
    dist = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).mean(axis=2))
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(max(1, i - band), min(m, i + band) + 1):
            acc[i, j] = dist[i - 1, j - 1] + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    return float(acc[n, m]) / (n + m)


def _parts_move(sig: Signature, cand: np.ndarray, act: np.ndarray, hidden: np.ndarray | None = None,
                side_on: bool = False, glimpsed: np.ndarray | None = None) -> bool:
    """Every body part the reference moves moves here too, at least `MIN_PART` of the way. A part whose every
    moving feature the candidate's view hides is not judged (see `view.hidden_by_view`), and filmed `side_on`
    one limb of a pair the reference moves together is enough: the near one hides the far one. A part out of
    sight during the rep is spoken for by its moving twin (`_hidden_twin`, given what was `glimpsed`)."""
    rest = (cand[0] + cand[-1]) / 2
    dev = np.where(act, cand - rest, 0.0)
    peak = dev[int(np.argmax((np.nan_to_num(dev / F.UNIT) ** 2).sum(axis=1)))]
    moved, short = set(), set()
    for part in sig.moving_parts:
        idx = [i for i in np.flatnonzero(act) if F.PART[i] == part]
        if not idx:
            if hidden is not None and all(hidden[i] for i in np.flatnonzero(sig.active) if F.PART[i] == part):
                continue
            if glimpsed is not None and _hidden_twin(sig, part, act, glimpsed):
                continue
            return False  # a part the movement needs is out of sight: nothing says it moved
        d = sig.direction[idx]
        norm = float(d @ d)
        (short if norm > 0 and float(peak[idx] @ d) / norm < MIN_PART else moved).add(part)
    return not short or side_on and all(_other_side(p) in moved for p in short)


def _other_side(part: str) -> str:
    return part.replace("left_", "@").replace("right_", "left_").replace("@", "right_")


def _still_stays(sig: Signature, cand: np.ndarray, slack: np.ndarray | None = None) -> bool:
    """What the reference keeps still does not make a large movement of its own: the positions of every body part
    (feet stepping apart are a lunge, not a squat; a curl keeps the elbow down, a jumping jack raises it) and the
    joints of the limbs it moves (a curl keeps the shoulder still). Angles of still limbs are not judged: a limb
    seen end-on (legs in a head-on push-up) swings its angles with keypoint noise."""
    moving = set(sig.moving_parts)
    parts = np.array([p in moving or k != "angle" for p, k in zip(F.PART, F.KIND)])
    # A joint still on one side while its mirror moves is the reference's view hiding the movement (a push-up
    # filmed three-quarter on: the far shoulder's angle is foreshortened), not the movement keeping it still.
    one_sided = np.array([k == "angle" and bool(sig.active[F.MIRROR[i]]) for i, k in enumerate(F.KIND)])
    still = ~sig.active & parts & ~one_sided & np.isfinite(sig.rest) & np.isfinite(cand).all(axis=0)
    for i in np.flatnonzero(still):
        rng = float(cand[:, i].max() - cand[:, i].min())
        bound = max(STILL_FLOOR[F.KIND[i]], STILL_FACTOR[F.KIND[i]] * float(sig.spread[i]))
        if rng > bound * (1.0 if slack is None else slack[i]):
            return False
    return True


_TRUNK = [F.NAMES.index(n) for n in ("left_shoulder_height", "right_shoulder_height")]
_ANKLES = [F.NAMES.index(n) for n in ("left_ankle_height", "right_ankle_height")]


def _same_posture(sig: Signature, cand: np.ndarray, stance: bool = True) -> bool:
    """The trunk is as upright at the candidate's rest as at the reference's, and (with `stance`) the feet stand
    as level (each unjudged when either side is unseen)."""
    rest = (cand[0] + cand[-1]) / 2
    seen = [i for i in _TRUNK if np.isfinite(rest[i]) and np.isfinite(sig.rest[i])]
    if not seen:
        return True
    if abs(float(np.mean(rest[seen]) - np.mean(sig.rest[seen]))) > POSTURE_TOLERANCE:
        return False
    a, b = _ANKLES
    if stance and np.isfinite(rest[[a, b]]).all() and np.isfinite(sig.rest[[a, b]]).all():
        return abs(float((rest[a] - rest[b]) - (sig.rest[a] - sig.rest[b]))) <= STANCE_TOLERANCE
    return True


def _goes_opposite(sig: Signature, cand: np.ndarray, act: np.ndarray) -> bool:
    """A position the reference moves clearly goes clearly the other way. Joint angles are left out: one that
    turns back where the reference's turned on is, as often, a limb seen end-on (a head-on push-up's shoulder,
    between an upper arm and a foreshortened trunk) or held in another style (arms during a squat)."""
    peak = reach.peak_deviation(cand, act)
    d = np.nan_to_num(sig.direction) / F.UNIT
    for i in np.flatnonzero(act & (np.abs(d) >= CLEAR_MOVE)):
        if F.KIND[i] == "angle":
            continue
        if peak[i] / d[i] < OPPOSITE:
            return True
    return False


def _held_joints_stay(sig: Signature, cand: np.ndarray) -> bool:
    """The joints of the moving limbs that the reference holds still (see `HELD_JOINT`) stay nearly still, unless
    the reference moves arms and legs both (`_whole_body`)."""
    if _whole_body(sig):
        return True
    moving = set(sig.moving_parts)
    for i in range(F.COUNT):
        if F.KIND[i] != "angle" or F.PART[i] not in moving or sig.active[i] or not np.isfinite(sig.rest[i]):
            continue
        j = int(F.MIRROR[i])
        if sig.spread[i] >= HELD_JOINT or (_mirror_moves(sig, j, moving) and sig.spread[j] >= HELD_JOINT):
            continue
        if not np.isfinite(cand[:, i]).all():
            continue
        if float(cand[:, i].max() - cand[:, i].min()) > max(HELD_FLOOR, HELD_FACTOR * float(sig.spread[i])):
            return False
    return True


def hide_unseen(rows: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """A candidate's features seen in fewer than `MIN_SEEN` of its frames are left out, as the signature leaves
    them out of the reference: the value a feature holds through an occlusion (the far arm of a push-up filmed
    side-on, behind the body at the bottom) is its last sighting, stale, neither still nor moving."""
    if len(seen) != len(rows) or not len(rows):
        return rows
    out = np.array(rows, float)
    out[:, np.asarray(seen, bool).mean(axis=0) < MIN_SEEN] = np.nan
    return out


def _hidden_twin(sig: Signature, part: str, act: np.ndarray, glimpsed: np.ndarray) -> bool:
    """A limb glimpsed during the rep but out of sight for most of it, whose mirror image the reference moves too
    and which is in sight: a movement of both limbs seen from the side, the far one going behind the body. The
    near limb speaks for both (it is still judged). A limb never seen in the rep is not excused: from a pure side
    view nothing says the far limb moves at all (a one-arm movement and a two-arm one look alike)."""
    twin = part.replace("left_", "@").replace("right_", "left_").replace("@", "right_")
    mine = [i for i in range(F.COUNT) if F.PART[i] == part and sig.active[i]]
    return twin != part and twin in sig.moving_parts and bool(glimpsed[mine].any()) and any(
        F.PART[i] == twin for i in np.flatnonzero(act))


def _mirror_moves(sig: Signature, j: int, moving: set) -> bool:
    """The mirror joint `j` turns as part of the movement: its limb is one the movement moves. A far limb's joint
    the reference only seems to turn (keypoints guessed behind the body, a curl's far arm) is not that limb's
    twin doing the movement, so it does not excuse the near joint."""
    return bool(np.isfinite(sig.rest[j])) and F.PART[j] in moving


_ARMS, _LEGS = {"left_arm", "right_arm", "arms"}, {"left_leg", "right_leg", "legs"}


def _whole_body(sig: Signature) -> bool:
    """The reference moves (or clearly displaces, see `reach.displaced_parts`) arms and legs both. A joint held
    still tells apart movements of the same limbs (a lateral raise's straight elbow against a shoulder press, a
    curl's pinned shoulder against a raise). When arms and legs move together, the other limbs and the shape tell
    the movement apart, and the held joint is the performer's style: a jumping jack with the elbows soft or bent
    is still a jumping jack."""
    parts = set(sig.moving_parts) | set(reach.displaced_parts(sig))
    return bool(parts & _ARMS) and bool(parts & _LEGS)
