"""Record a reference on a running stream: one repetition between two taps (the Live page's "record a reference").

    recorder = RepRecorder()
    recorder.tap(processor)                 # the start position: the first tap marks the start
    take = recorder.tap(processor)          # back at the start: the second tap marks the end, and checks the rep
    ref = save_take(take, "My squat", plan="business", owner=owner_of("business"))

The taps read only what the live processor already keeps (its stream time and its last `POSE_HISTORY_S` of
poses), so the frame callback does no more work. The end tap copies the poses it needs into the `Take`, which
then no longer depends on the stream: naming and saving it may take as long as the user likes. The signature
is built by the same `build_signature` as a reference made from an uploaded clip; what is wrong is said in the
words of the two taps.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from posetracker.errors import PoseTrackerError
from posetracker.plans import Plan
from posetracker.pose import Pose
from posetracker.reference import Reference, ReferenceStore, Signature, build_signature, create_reference
from posetracker.reference.signature import MIN_DURATION_S

MIN_FRAMES = 3  # build_signature's own floor: fewer frames hold no movement to describe


class PoseSource(Protocol):
    """What the taps read from a live stream (`posetracker.live.LiveProcessor` is one)."""

    def snapshot(self): ...  # its `.stream_time` (None before the first frame) and `.model`

    def recent_poses(self) -> tuple[tuple[float, ...], tuple[Pose | None, ...]]: ...


@dataclass(frozen=True)
class Take:
    """One repetition recorded between two taps, with the poses before it (they give the body's size)."""

    timestamps: tuple[float, ...]
    poses: tuple[Pose | None, ...]
    start_s: float
    end_s: float
    model: str
    clip: str | None = None  # the video played as the camera, if one was

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def frames(self) -> int:
        return sum(self.start_s <= t <= self.end_s for t in self.timestamps)

    def signature(self) -> Signature:
        """The rep's signature; `reference_invalid` saying, in the taps' words, what is wrong."""
        return _reworded(self, lambda: build_signature(list(self.poses), self.timestamps, self.start_s, self.end_s))

    @property
    def source(self) -> dict:
        return {"live": "clip" if self.clip else "camera", **({"clip": self.clip} if self.clip else {}),
                "start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3), "model": self.model}


class RepRecorder:
    """The two taps of one recording. Lives with the page (one per browser session); never on the camera thread."""

    def __init__(self) -> None:
        self.start_s: float | None = None
        self._source_id: int | None = None

    @property
    def recording(self) -> bool:
        return self.start_s is not None

    def cancel(self) -> None:
        self.start_s = self._source_id = None

    def tap(self, source: PoseSource, clip: str | None = None) -> Take | None:
        """The first tap marks the start (returns None), the second the end: returns the checked `Take`.
        A refused end (`reference_invalid`) leaves the recorder ready for a new start."""
        now = source.snapshot().stream_time
        if now is None:
            raise invalid("No video has come in yet: press START (and allow the camera), then tap at the start of "
                          "a repetition.", reason="no_frames")
        if self.start_s is None:
            self.start_s, self._source_id = now, id(source)
            return None
        start, same = self.start_s, self._source_id == id(source)
        self.cancel()
        if not same:
            raise invalid("The stream restarted with another model between the two taps: tap the start again.",
                          reason="stream_changed")
        take = _take(source, start, now, clip)
        take.signature()
        return take


def save_take(take: Take, name: str, *, plan: Plan | str, owner: str,
              store: ReferenceStore | None = None) -> Reference:
    """Store a recorded rep as a reference: the same `create_reference` (plan check, signature, store) as a clip's."""
    return _reworded(take, lambda: create_reference(list(take.poses), take.timestamps, take.start_s, take.end_s,
                                                    name, plan=plan, owner=owner, source=take.source, store=store))


def _take(source: PoseSource, start: float, end: float, clip: str | None) -> Take:
    duration = end - start
    if duration < MIN_DURATION_S:
        raise invalid(f"The two taps were {max(duration, 0):.2f} s apart, shorter than a repetition ({MIN_DURATION_S}"
                      " s or more): tap once at the start position, do one whole repetition, then tap again.",
                      reason="too_short", duration_s=round(duration, 3))
    times, poses = source.recent_poses()
    keep = [i for i, t in enumerate(times) if t <= end]
    times, poses = tuple(times[i] for i in keep), tuple(poses[i] for i in keep)
    if not times or times[0] > start:
        raise invalid(f"The first tap was {duration:.0f} s ago, longer than the live view keeps a repetition: tap "
                      "the start again, then the end when the repetition is done.", reason="too_long",
                      duration_s=round(duration, 3))
    inside = sum(start <= t for t in times)
    if inside < MIN_FRAMES:
        raise invalid(f"Only {inside} video frame(s) arrived between the two taps: with the video running, tap at "
                      "the start of one repetition and again at its end.", reason="no_frames")
    return Take(times, poses, start, end, str(source.snapshot().model), clip)


def invalid(message: str, **details) -> PoseTrackerError:
    return PoseTrackerError("reference_invalid", message, details)


_REWORDED = {
    "no_person": "No person was in view for most of the {d:.1f} s between the two taps: stand back so your whole "
                 "body is in view, then record the repetition again.",
    "no_movement": "Nothing moved enough in the {d:.1f} s between the two taps to make a reference: tap at the start "
                   "position, do one whole repetition (through the movement and back), then tap again.",
    "too_short": "The repetition between the two taps lasted {d:.2f} s, shorter than " + str(MIN_DURATION_S) +
                 " s: tap once at the start position, do one whole repetition, then tap again.",
}


def _reworded(take: Take, make):
    """Run `make()`; a `reference_invalid` it raises about the segment is said in the words of the two taps."""
    try:
        return make()
    except PoseTrackerError as exc:
        words = _REWORDED.get(exc.details.get("reason", "")) if exc.code == "reference_invalid" else None
        if words is None:
            raise
        raise PoseTrackerError(exc.code, words.format(d=take.duration_s),
                               {**exc.details, "start_s": round(take.start_s, 3), "end_s": round(take.end_s, 3)}
                               ) from None
