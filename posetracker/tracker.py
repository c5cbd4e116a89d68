"""One tracker step for every flow: a picture and its time in, a typed `Step` out.

    tracker = Tracker(options, "movenet")
    for image, t in frames:
        step = tracker.step(image, t)      # Step(pose, events, state, warning, ...)
    final = tracker.finish()

Live, upload, image and replay all go through here, so they cannot drift apart: the tracker owns the model's
picture (one resize for both models and every flow), the estimator, the engine (from `create_engine`), the
people check and the output gate. Replay feeds cached poses with `step_pose`, through the same engine and gate.
The engine computes everything; what the session's options switch off is removed here, once.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Callable

import numpy as np

from posetracker.features import GATED_EVENTS  # event type -> the option that lets it out
from posetracker.options import Options
from posetracker.pose import Pose

MODEL_MAX_SIDE = 640  # the model's picture is downscaled to this (never the export's or the overlay's)
_COUNT_HERE = object()  # `step(people=...)` default: run the people check on this thread when it is due


def model_size(width: int, height: int, max_side: int | None = MODEL_MAX_SIDE) -> tuple[int, int] | None:
    """The (even) size the model sees a `width` x `height` picture at, or None when it is small enough."""
    if not max_side or max(width, height) <= max_side:
        return None
    f = max_side / max(width, height)
    return round(width * f) // 2 * 2, round(height * f) // 2 * 2


class ModelPicture:
    """The model's RGB picture of a frame: swscale's area resize, one reused context per output size.

    The pixels matter: the pose cache is keyed on them, and a different resize (OpenCV's) once moved one
    labelled clip's count from 4 to 7. Decoded video frames are resized from their own planes (`of_frame`);
    RGB pictures (camera fallback, still images) through the same swscale filter (`of_rgb`)."""

    def __init__(self, max_side: int | None = MODEL_MAX_SIDE) -> None:
        from av.video.reformatter import VideoReformatter

        self.max_side = max_side
        self._small, self._full = VideoReformatter(), VideoReformatter()

    def of_frame(self, frame) -> np.ndarray:
        """An av.VideoFrame (as stored, before any rotation) as the model's RGB picture."""
        size = model_size(frame.width, frame.height, self.max_side)
        if size is None:
            return self._full.reformat(frame, format="rgb24").to_ndarray()
        return self._small.reformat(frame, width=size[0], height=size[1], format="rgb24",
                                    interpolation="AREA").to_ndarray()

    def of_rgb(self, image: np.ndarray) -> np.ndarray:
        """An RGB uint8 picture as the model sees it: itself when small enough, else downscaled."""
        h, w = image.shape[:2]
        if model_size(w, h, self.max_side) is None:
            return image
        import av

        return self.of_frame(av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24"))


@dataclass(frozen=True)
class Step:
    """What one frame gave: the pose, the engine's events and state (both gated), and the people check."""

    frame_id: int
    timestamp: float
    pose: Pose | None
    events: list[dict]
    state: Any                 # the engine's EngineState, gated; None when no engine is attached
    warning: dict | None = None  # the people check's `warning` event, stamped, when the confirmed count changed
    people: int = 1            # people of comparable size in view, confirmed (1 = nothing to say)


def _default_engine(options: Options):
    from posetracker.engine import create_engine

    return create_engine(options)


class Tracker:
    """One stream's tracker. Not thread-safe: one thread steps it (the live page's camera thread, the upload's
    inference loop)."""

    def __init__(self, options: Options, model: str = "movenet", *, estimator=None,
                 engine_factory: Callable[[Options], Any] | None = _default_engine,
                 people_interval_s: float | None = None, max_side: int | None = MODEL_MAX_SIDE) -> None:
        from posetracker.people import CHECK_INTERVAL_S

        self.model = model
        self.options = options
        self.picture = ModelPicture(max_side)
        self._estimator = estimator
        self._engine_factory = engine_factory
        self._people_interval = CHECK_INTERVAL_S if people_interval_s is None else people_interval_s
        self._frame_id = 0
        self.reset()

    @property
    def estimator(self):
        if self._estimator is None:
            from posetracker.estimators import create_estimator

            self._estimator = create_estimator(self.model)
        return self._estimator

    @property
    def frames(self) -> int:
        """Pictures stepped so far (the next frame id)."""
        return self._frame_id

    def reset(self, options: Options | None = None) -> None:
        """Start a new set (a fresh engine and people check); the model stays loaded."""
        from posetracker.people import PeopleMonitor

        self.options = options or self.options
        self.engine = self._engine_factory(self.options) if self._engine_factory else None
        self.people = PeopleMonitor(interval_s=self._people_interval)

    def new_stream(self) -> None:
        """The pictures no longer follow on (a new camera stream): the estimator forgets its tracking state."""
        self.estimator.reset()

    def step(self, image_rgb: np.ndarray, timestamp: float, *, people: int | None | object = _COUNT_HERE) -> Step:
        """Estimate, track and check one RGB picture at `timestamp` seconds. `people` is the people count of a
        check another thread already ran for this picture (None: none was due); by default it runs here."""
        image = self.picture.of_rgb(image_rgb)
        pose = self.estimator.estimate(image, timestamp)
        if people is _COUNT_HERE:
            people = self.people.count(image) if self.people.due(timestamp) else None
        return self.step_pose(pose, timestamp, people=people)

    def step_pose(self, pose: Pose | None, timestamp: float, *, people: int | None = None) -> Step:
        """One frame whose pose is already known (a cached pose track, a test's synthetic pose)."""
        from posetracker import events as ev

        frame_id = self._frame_id
        self._frame_id += 1
        events = self.engine.update(pose, timestamp, frame_id) if self.engine is not None else []
        state = self.state()
        warning = self.people.observe(people, timestamp)
        if warning is not None:
            warning = ev.stamp(warning, timestamp, frame_id)
        return Step(frame_id, timestamp, pose, gate_events(events, self.options), state, warning,
                    self.people.people)

    def finish(self) -> list[dict]:
        """The end of the stream: the engine's final events (the final counter), gated."""
        return gate_events(self.engine.finish(), self.options) if self.engine is not None else []

    def state(self):
        return gate_state(self.engine.snapshot(), self.options) if self.engine is not None else None

    def close(self) -> None:
        if self._estimator is not None:
            self._estimator.close()

    def __enter__(self) -> "Tracker":
        self.estimator  # noqa: B018 - load the model now, before a decoder starts filling queues
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- the output gate: what the session's options (its plan) switch off never leaves the tracker -----------------



def gate_events(events: list[dict], options: Options) -> list[dict]:
    """The events the options let out: switched-off outputs dropped, a counter's grade removed without the form
    score."""
    out = []
    for event in events:
        kind = event["type"]
        option = GATED_EVENTS.get(kind)
        if option is not None and not getattr(options, option):
            continue
        if kind == "posture" and not options.placement and "countdown" not in event:
            continue
        if kind == "counter" and "form_score" in event and not options.form_score:
            event = {k: v for k, v in event.items() if k != "form_score"}
        out.append(event)
    return out


def gate_state(state, options: Options):
    """The state with what the options switch off left out, so no reader (overlay, page, recorder, export) can
    show a grade, cue or progression the session's plan does not include."""
    names = {f.name for f in fields(state)} if is_dataclass(state) else set()
    off = {}
    if not options.form_score:
        off.update(last_grade=None, last_score=None, avg_score=None)
        if "reps" in names:
            off["reps"] = tuple(replace(r, score=None, grade=None) for r in state.reps)
    if not options.progression:
        off["progression"] = None
    if not options.recommendations:
        off["recommendations"] = ()
    off = {k: v for k, v in off.items() if k in names}
    return replace(state, **off) if off else state
