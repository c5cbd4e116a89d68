"""The edges of a set, where a counter sees excursions that are not repetitions.

- Walking into or out of the picture: a stride moves the hips up and down and the legs back and forth, which a
  hip-height or leg signal takes for a small rep. An exercise is done in place (a walking lunge covers a torso
  length or two per rep, slower than walking), so an excursion during which the whole body travelled across
  the picture at a walking pace is walking, not a rep (`walking`), and while the body travels the counter's
  rest is started again, as after a zoom.
- Walking toward or away from the camera: the body crosses nothing, it grows or shrinks. A posture can
  foreshorten segments but never makes them longer than they are, so a body whose segments (all but a quarter
  of them) grew steadily past their longest of the last seconds came nearer (`SizeWatch`): while it grows, the
  counter's rest and the body's scale start again, as after a zoom, and the reps counted as it began are taken
  back (`walking`). A cut the zoom check missed grows in one step, not steadily, and is left alone. (Walking
  away is the zoom check's: every segment shorter at once.)
- The end of a set: see `SetShape` (an excursion that ends the set unlike any rep of it).
"""
from __future__ import annotations

import math
from collections import deque
from statistics import median

import numpy as np

from posetracker.signals import SIGNALS, Body, combine

TRAVEL_SPEED = 1.2   # torso lengths a second across the picture: a slow walk (a walking lunge is well under)
TRAVEL_MIN = 0.5     # ... over at least this distance (keypoint jitter and a weight shift move less)
WALK_WINDOW_S = 1.0  # how far back `walking` looks: a stride or two
_TRUNK = (5, 6, 11, 12)  # shoulders and hips: the body's centre whatever the limbs do


class TravelWatch:
    """Where the body's centre is across the picture, in torso lengths, for the last few seconds."""

    def __init__(self, memory_s: float) -> None:
        self.memory_s = memory_s
        self._track: deque[tuple[float, float, float]] = deque()  # (t, centre x, torso length), picture units

    def reset(self) -> None:
        self._track.clear()

    def add(self, body: Body, t: float) -> None:
        seen = [k for k in _TRUNK if body.s[k] >= body.gate]
        torso = body.ref("torso")
        if len(seen) < 2 or torso is None:
            return
        self._track.append((t, float(np.mean(body.p[seen, 0])), torso))
        while self._track and self._track[0][0] < t - self.memory_s:
            self._track.popleft()

    def walking(self, t: float) -> bool:
        """Is the body travelling now (over the last WALK_WINDOW_S)? Then what the counter measured from its
        rest is not comparable any more, as after a zoom."""
        return self.travelled(t - WALK_WINDOW_S, t)

    def travelled(self, start_s: float, end_s: float) -> bool:
        """Did the body move across the picture at a walking pace while this excursion lasted? Measured
        between the medians of its first and last fifths, so one bad frame is no journey."""
        window = []
        for s in reversed(self._track):  # asked every frame for the last second: walk back from the end
            if s[0] < start_s:
                break
            if s[0] <= end_s:
                window.append(s)
        window.reverse()
        if len(window) < 5:
            return False
        seconds = max(window[-1][0] - window[0][0], 1e-6)
        unit = median([s[2] for s in window])  # not numpy's: it is asked every frame
        k = max(2, len(window) // 5)
        x0, x1 = (median([s[1] for s in part]) for part in (window[:k], window[-k:]))
        across = abs(x1 - x0) / unit
        return across >= TRAVEL_MIN and across / seconds >= TRAVEL_SPEED


# Segments a posture can foreshorten but not lengthen: (keypoint pairs, each side's) -> the longest seen.
_RIGID = (((5, 11), (6, 12)), ((5, 7), (6, 8)), ((7, 9), (8, 10)), ((11, 13), (12, 14)), ((13, 15), (14, 16)),
          ((5, 6),), ((11, 12),))
SLIVER = 0.25        # a segment this much shorter than the longest is seen end-on (shoulders side-on): noise
GROW_RECENT_S = 0.3  # `approaching`: each segment's longest over the last 0.3 s (R), over the 0.25 s before (M)
GROW_MID_S = 0.25
GROW_GAP_S = 0.8     # and from GROW_MEMORY_S to GROW_GAP_S ago (E) ...
GROW_MEMORY_S = 3.0
GROW_MIN = 0.12      # ... grown from E to R by this (log units, 13 %) in all segments but a quarter of them (rising
#                      from a squat's held bottom lengthens the thighs, arms and trunk, never the shoulders' or
#                      hips' width) ...
GROW_STEADY = 0.04   # ... and by this from E to M and from M to R: growing steadily, as walking does; a zoom or a
#                      cut the zoom check missed (its segments jump a frame or two apart) grows in one step
GROWTH_S = 1.1       # the growth `approaching` finds took place over about the last this long


class SizeWatch:
    """How big the body is in the picture, segment by segment, for the last few seconds (see the module's
    docstring): the cue that the person is walking toward or away from the camera."""

    def __init__(self, memory_s: float = GROW_MEMORY_S) -> None:
        self.memory_s = memory_s
        self._rows: deque[tuple[float, np.ndarray]] = deque()  # (t, each rigid segment's length or NaN)

    def update(self, body: Body, t: float, zoomed: bool = False) -> bool:
        """Adds this frame (after a zoom or a cut, the sizes before it are of another picture and forgotten);
        is the person coming nearer now?"""
        if zoomed:
            self._rows.clear()
        self.add(body, t)
        return self.approaching(t)

    def add(self, body: Body, t: float) -> None:
        row = np.full(len(_RIGID), np.nan)
        p, ok = body.p.tolist(), (body.s >= body.gate).tolist()
        for j, pairs in enumerate(_RIGID):
            seen = [math.hypot(p[a][0] - p[b][0], p[a][1] - p[b][1]) for a, b in pairs if ok[a] and ok[b]]
            if seen:
                row[j] = max(seen)
        self._rows.append((t, row))
        while self._rows and self._rows[0][0] < t - self.memory_s:
            self._rows.popleft()

    def approaching(self, t: float) -> bool:
        """Has the body grown steadily, over the last GROW_GAP_S, past what each segment was at its longest in
        the seconds before? No posture lengthens a segment: that is the person coming nearer."""
        early = self._longest(t - GROW_MEMORY_S, t - GROW_GAP_S)
        mid = self._longest(t - GROW_RECENT_S - GROW_MID_S, t - GROW_RECENT_S)
        recent = self._longest(t - GROW_RECENT_S, t)
        grown = _change(early, recent)
        if grown is None or grown < GROW_MIN:
            return False
        steps = [_change(early, mid), _change(mid, recent)]
        return all(step is not None and step >= GROW_STEADY for step in steps)

    def _longest(self, a: float, b: float) -> np.ndarray | None:
        rows = []
        for s, row in reversed(self._rows):  # asked every frame for the last seconds: walk back from the end
            if s < a:
                break
            if s <= b:
                rows.append(row)
        if len(rows) < 2:
            return None
        rows = np.asarray(rows)
        seen = np.isfinite(rows).sum(axis=0)
        longest = np.fmax.reduce(rows, axis=0)  # NaN only where a segment was never seen (no warning)
        longest[seen < 2] = np.nan
        return longest


def _change(before: np.ndarray | None, after: np.ndarray | None) -> float | None:
    """The segments' growth from `before` to `after` (log units), as all but a quarter of them grew at least:
    the lower quartile over the segments seen in both and not end-on; None with fewer than three."""
    if before is None or after is None:
        return None
    both = np.isfinite(before) & np.isfinite(after) & (before > 1e-6) & (after > 1e-6)
    if both.sum() < 3:
        return None
    before, after = before[both], after[both]
    full = before >= SLIVER * before.max()
    if full.sum() < 3:
        return None
    changes = np.sort(np.log(after[full] / before[full]))
    return float(changes[len(changes) // 4])


# Movements of the body besides the counted one, measured over each rep's whole cycle. Twins (the same
# quantity seen another way: torso_lean and trunk_rise, hip_lift and hip_drop) are listed once.
COMPANIONS = ("hip_drop", "knee_rise", "wrist_rise", "arm_flex", "feet_apart", "trunk_rise", "knee_drive")
TWINS = {"torso_lean": "trunk_rise", "hip_lift": "hip_drop"}
ESTABLISHED = 4       # counted reps before the last one: fewer is no pattern to depart from
COMPANION_MIN = 0.25  # a companion movement of every rep spans at least this (body units) ...
CONSISTENT = 0.6      # ... and its smallest is this much of its median: the set's reps all have it
SET_MEMORY_S = 600.0  # how much of a set is remembered for the comparison
MISSING = 0.6         # the last cycle's range below this much of the smallest rep's: that movement is missing
OUT_OF_STEP = 0.25    # where the counted movement is when a companion peaks (0 rest, 1 its peak) lies this far
#                       outside the range every rep of the set showed: the two move in another order


class SetShape:
    """The end of a set: after the last rep a lifter sets the bar down and stands up without it (or climbs
    off the bars). That last excursion of the counted signal is as big as a rep, but it is smaller than every
    rep and it is not made like one: at least two of the movements besides it depart from the set's pattern.
    A movement departs when every rep had it and it is missing (the knees and hips that drove each pull stay
    nearly still), when every rep had it and it comes out of step with the counted one (each pull's knees bent
    most with the chest already up, the set-down's knees bend with the trunk still over), or when it is far
    bigger than any rep made it (the trunk pitching over in a squat set ended by setting the weights down).
    Judged once the set is over (`finish`), on the last counted rep only, and only against a set of at least
    `ESTABLISHED` reps: a normal set's last rep, even a shallow one, keeps its movements' size and timing."""

    def __init__(self, signal: str, gate: float) -> None:
        own = TWINS.get(signal, signal)
        self._names = [c for c in COMPANIONS if c != own]
        self._signal = signal
        self._gate = gate
        self._rows: deque[tuple[float, list[float]]] = deque()  # (t, [counted signal, *companions])

    def add(self, body: Body, t: float) -> None:
        row = []
        for name in [self._signal, *self._names]:
            s = combine(SIGNALS[name](body), "mean", self._gate)
            row.append(np.nan if s is None else s.value)
        self._rows.append((t, row))
        while self._rows[0][0] < t - SET_MEMORY_S:
            self._rows.popleft()

    def ended_set(self, reps: list[tuple[float, float]]) -> bool:
        """`reps`: the counted reps' (start, excursion) in order. Is the last one the set's end, not a rep?"""
        if len(reps) < ESTABLISHED + 2 or not self._rows:  # the first rep may start from a set-up: not compared
            return False
        if reps[-1][1] >= min(x for _, x in reps[1:-1]):
            return False
        t = np.asarray([r[0] for r in self._rows])
        v = np.asarray([r[1] for r in self._rows], dtype=float)
        starts = [s for s, _ in reps[1:]] + [t[-1] + 1e-6]
        spans = []
        for a, b in zip(starts, starts[1:]):
            part = v[(t >= a) & (t < b)]
            if len(part) < 5:
                return False
            spans.append(_span(part))
        spans = np.asarray(spans)[:, 1:]
        usual, last = spans[:-1], spans[-1]
        departed = 0
        for j in range(usual.shape[1]):
            col = usual[:, j]
            if not np.isfinite(col).all() or not np.isfinite(last[j]):
                continue
            if last[j] >= COMPANION_MIN and MISSING * last[j] > col.max():
                departed += 1  # far bigger than any rep of the set made it: a movement of another kind
                continue
            if np.median(col) < COMPANION_MIN or col.min() < CONSISTENT * np.median(col):
                continue  # not a movement every rep had
            if last[j] < MISSING * col.min():
                departed += 1
            elif _out_of_step([_phase(v[(t >= a) & (t < b)], j + 1) for a, b in zip(starts, starts[1:])]):
                departed += 1
        return departed >= 2


def _span(part: np.ndarray) -> np.ndarray:
    """Each column's 5-95 % range over one cycle; NaN for a column never seen in it (no warning for those)."""
    out = np.full(part.shape[1], np.nan)
    seen = np.isfinite(part).any(axis=0)
    if seen.any():
        out[seen] = np.nanpercentile(part[:, seen], 95, axis=0) - np.nanpercentile(part[:, seen], 5, axis=0)
    return out


def _phase(cycle: np.ndarray, j: int) -> float:
    """Where the counted movement (column 0: 0 at its rest, 1 at its peak) is while companion `j` is at the top
    of its own range in this cycle: a median over those frames, so a flat peak or one bad frame decides nothing."""
    main, comp = cycle[:, 0], cycle[:, j]
    if not np.isfinite(main).any() or not np.isfinite(comp).any():
        return np.nan
    with np.errstate(all="ignore"):
        m0, m1 = np.nanpercentile(main, 5), np.nanpercentile(main, 95)
        c0, c1 = np.nanpercentile(comp, 5), np.nanpercentile(comp, 95)
    if not np.isfinite([m0, m1, c0, c1]).all() or m1 - m0 <= 1e-6:
        return np.nan
    at_top = main[(comp >= c0 + 0.9 * (c1 - c0)) & np.isfinite(main)]
    return float(np.median((at_top - m0) / (m1 - m0))) if len(at_top) else np.nan


def _out_of_step(phases: list[float]) -> bool:
    """The last cycle's phase lies well outside the range of the set's reps' phases."""
    usual, last = np.asarray(phases[:-1]), phases[-1]
    if not np.isfinite(usual).all() or not np.isfinite(last):
        return False
    return last > usual.max() + OUT_OF_STEP or last < usual.min() - OUT_OF_STEP
