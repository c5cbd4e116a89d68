"""How well references count: a reference from one rep of one clip per exercise, replayed on every labelled clip.

    table = judge(labels, "videos/", "movenet", pose_cache="cache/")

For each exercise in `REFERENCE_CLIPS`, a rep the catalogue engine found in that exercise's first clip (the
one a user would pick on the Upload page's chart) becomes the reference. It must count the other clips of the
same exercise within one rep of their labels, and at most one rep on clips of a different exercise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from posetracker.analysis import replay
from posetracker.options import Mode, Options
from posetracker.reference.engine import ReferenceEngine
from posetracker.reference.signature import build_signature, segment_of_rep

# The exercises judged, each with the clip its reference comes from: its first clip in the labels, except push-ups
# (the first push-up clip starts standing and is filmed head-on; most push-up clips are side-on).
REFERENCE_CLIPS = {"squat": "mrpose_squat.mp4", "push_up": "dollarpy_pushup2.mp4",
                   "jumping_jack": "mrpose_jacks.mp4", "bicep_curl": "vengaza_curls1.mp4",
                   "lunge": "vengaza_lunges.mp4", "lateral_raise": "noorashraf_lateral_raise.mp4"}
REP_INDEX = 1  # the second counted rep: the first is often the clip settling in


@dataclass(frozen=True)
class _Ref:
    id: str
    name: str
    signature: object


@dataclass(frozen=True)
class Cell:
    reference: str   # exercise the reference was made from
    clip: str
    exercise: str    # the clip's exercise
    reps: int
    lo: int | None
    hi: int | None
    records: tuple = field(default=(), compare=False)  # every rep compared: counted, or why not (`explain`)

    @property
    def same(self) -> bool:
        return self.reference == self.exercise

    @property
    def ok(self) -> bool:
        if self.same:
            return self.lo is not None and self.lo - 1 <= self.reps <= self.hi + 1
        return self.reps <= 1


def count_with(signature, track, name: str = "reference") -> tuple[int, list]:
    """Count `track` with a reference through the tracker step every runtime flow takes (gates included)."""
    from posetracker.tracker import Tracker

    reference = _Ref("judge", name, signature)
    tracker = Tracker(Options(mode=Mode.UPLOAD), engine_factory=lambda options: ReferenceEngine(options, reference))
    for t, pose in zip(track.timestamps, track.poses):
        tracker.step_pose(pose, float(t))
    tracker.finish()
    state = tracker.state()
    return state.count, list(state.reps)


def reference_from(track, exercise: str, model: str):
    """The signature of the REP_INDEX-th rep the catalogue engine counts in `track` (and its start and end)."""
    result = replay(track, Options(exercise=exercise, mode=Mode.UPLOAD), model)
    reps = [r for r in result.reps_detail if r.counted]
    index = result.reps_detail.index(reps[min(REP_INDEX, len(reps) - 1)])
    start, end = segment_of_rep(result.reps_detail, index, float(track.timestamps[-1]))
    return build_signature(track.poses, track.timestamps, start, end), {"start_s": start, "end_s": end}


def _tracks(labels: list[dict], videos: str | Path, model: str, pose_cache: str | Path | None) -> dict:
    """file -> (label, pose track) for every labelled clip with reps to count."""
    from posetracker.tools.posecache import track_video

    return {label["file"]: (label, track_video(Path(videos) / label["file"], model, pose_cache))
            for label in labels if label.get("reps_min") is not None}  # holds (plank, wall sit) have no reps


def judge(labels: list[dict], videos: str | Path, model: str, pose_cache: str | Path | None = None,
          log=None, references: dict[str, str] | None = None, tracks: dict | None = None) -> list[Cell]:
    """The acceptance table's cells, each with every rep compared (`explain` prints them). `tracks`: the clips'
    poses already read (`_tracks`), so several tables share one reading."""
    tracks = _tracks(labels, videos, model, pose_cache) if tracks is None else tracks
    cells = []
    for exercise, clip in (references or REFERENCE_CLIPS).items():
        if clip not in tracks:
            continue
        signature, rep = reference_from(tracks[clip][1], exercise, model)
        if log:
            log(f"{exercise}: reference {clip} {rep['start_s']:.2f}-{rep['end_s']:.2f} s, moves "
                f"{', '.join(signature.moving_parts)}")
        for file, (label, track) in tracks.items():
            reps, records = count_with(signature, track, exercise)
            cells.append(Cell(exercise, file, label["exercise"], reps, label.get("reps_min"), label.get("reps_max"),
                              tuple(records)))
    return cells


def judge_every_clip(labels: list[dict], videos: str | Path, model: str, pose_cache: str | Path | None = None,
                     log=None) -> list[tuple[str, Cell]]:
    """Each counted clip of a judged exercise as the reference in turn (its `REP_INDEX`-th rep), counting every
    other labelled clip: how much the acceptance table owes to which clip the reference came from. Returns
    (reference clip, cell) pairs."""
    tracks, out = _tracks(labels, videos, model, pose_cache), []
    for exercise in REFERENCE_CLIPS:
        same = [label for label in labels if label["exercise"] == exercise and label.get("reps_min") is not None]
        for ref in same:
            cells = judge(labels, videos, model, pose_cache, log, references={exercise: ref["file"]}, tracks=tracks)
            out += [(ref["file"], c) for c in cells if c.clip != ref["file"]]
    return out


def every_clip_table(pairs: list[tuple[str, Cell]]) -> str:
    """One line per reference clip: how many of its exercise's other clips it counts within one rep (and each),
    then the other exercises' clips it counts more than one rep on."""
    lines = []
    for ref in dict.fromkeys(r for r, _ in pairs):
        mine = [c for r, c in pairs if r == ref and c.same]
        exercise = next(c.reference for r, c in pairs if r == ref)
        lines.append(f"{exercise:14s} reference from {ref:38s} {sum(c.ok for c in mine)}/{len(mine)}  "
                     + " ".join(f"{c.clip.rsplit('.', 1)[0]} {c.reps} ({c.lo}-{c.hi})" for c in mine))
        bad = [c for r, c in pairs if r == ref and not c.same and not c.ok]
        if bad:
            lines.append("    other exercises counted: " + ", ".join(f"{c.clip.rsplit('.', 1)[0]} ({c.exercise}) "
                                                                       f"{c.reps}" for c in bad))
    same = [c for _, c in pairs if c.same]
    other = [c for _, c in pairs if not c.same]
    lines.append(f"every clip as the reference: {sum(c.ok for c in same)}/{len(same)} same-exercise cells within "
                 f"one rep; other exercises {sum(c.ok for c in other)}/{len(other)} at most one rep "
                 f"(by reps counted: {_spread(other)})")
    return "\n".join(lines)


def table(cells: list[Cell]) -> str:
    lines = []
    for ref in dict.fromkeys(c.reference for c in cells):
        mine = [c for c in cells if c.reference == ref]
        same = [c for c in mine if c.same]
        other = [c for c in mine if not c.same]
        lines.append(f"reference {ref}: same exercise {sum(c.ok for c in same)}/{len(same)} within one rep; "
                     f"other exercises {sum(c.ok for c in other)}/{len(other)} at most one rep")
        for c in same:
            lines.append(f"    {c.clip:40s} {c.lo}-{c.hi:<4} got {c.reps:3d} {'ok' if c.ok else 'MISS'}")
        bad = [c for c in other if not c.ok]
        for c in bad:
            lines.append(f"    other: {c.clip:33s} ({c.exercise}) got {c.reps}")
        if other:
            lines.append(f"    other exercises' clips by reps counted: {_spread(other)}")
    same = [c for c in cells if c.same]
    other = [c for c in cells if not c.same]
    lines.append(f"all references: same exercise {sum(c.ok for c in same)}/{len(same)} within one rep; "
                 f"other exercises {sum(c.ok for c in other)}/{len(other)} at most one rep "
                 f"(by reps counted: {_spread(other)})")
    return "\n".join(lines)


def _spread(cells: list[Cell]) -> str:
    """How many cells counted 0, 1, 2... reps: a cell going from 0 to 1 passes but shows here."""
    counts: dict[int, int] = {}
    for c in cells:
        counts[c.reps] = counts.get(c.reps, 0) + 1
    return ", ".join(f"{reps}: {n}" for reps, n in sorted(counts.items())) or "none"


def explain(cells: list[Cell], clip: str) -> str:
    """Each rep every reference compared on `clip`: when, counted or the rule that rejected it, and its score (why
    a cell of the table misses)."""
    lines = []
    for c in (c for c in cells if c.clip == clip):
        lines.append(f"reference {c.reference} on {clip} ({c.exercise}): {c.reps} counted, labels {c.lo}-{c.hi}")
        for r in c.records:
            verdict = "counted" if r.counted else f"rejected: {r.reason}"
            depth = f" depth {r.depth:.2f}" if r.depth is not None else ""
            s = r.reference_score or {}
            shape = f" shape {s['nccScore']} timing {s['timingScore']}" if "nccScore" in s else ""
            score = f" score {r.score:.0f} ({r.grade})" if r.score is not None else ""
            lines.append(f"    {r.start_s:7.2f}-{r.end_s:7.2f} s  {verdict}{depth}{shape}{score}")
    return "\n".join(lines) if lines else f"{clip}: no such clip in the table"
