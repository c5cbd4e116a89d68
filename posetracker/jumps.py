"""The jump engine: `air_time_jump` and `jump_analysis` behind the tracking engine's interface.

    engine = create_engine(Options(exercise="air_time_jump", mode=Mode.UPLOAD))   # a JumpEngine
    for frame_id, (pose, t) in enumerate(stream):
        events = engine.update(pose, t, frame_id)   # jump_calibration, jump_started, jump_height, jump_result, ...
    events = engine.finish()                        # jump_summary, the final counter

Placement and the countdown are the tracking engine's own (inherited); once active, a short stand-still
calibrates and `JumpDetector` measures every jump. Each counted jump also moves the `counter`, so every reader
of a count (pages, CLI, HUD) works unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from posetracker import events as ev
from posetracker.engine import EngineState, Phase, RepRecord, TrackingEngine
from posetracker.errors import PoseTrackerError
from posetracker.jump_detector import JumpDetector, JumpRecord, measure
from posetracker.options import Options
from posetracker.pose import Pose

JUMP_EXERCISES = ("air_time_jump", "jump_analysis")
CALIBRATE_MESSAGE = "Stand still for a moment to calibrate."
MIN_HEIGHT_CM, MAX_HEIGHT_CM = 50.0, 250.0
MAX_PITCH_DEG = 60.0


def is_jump(exercise: str) -> bool:
    return exercise in JUMP_EXERCISES


def check_jump_options(options: Options) -> None:
    """Raise a PoseTrackerError for a person's height or phone tilt no jump can be measured with."""
    h = options.user_height_cm
    if h is not None and not MIN_HEIGHT_CM <= h <= MAX_HEIGHT_CM:
        raise PoseTrackerError("invalid_user_height", f"The person's height must be {MIN_HEIGHT_CM:.0f} to "
                               f"{MAX_HEIGHT_CM:.0f} cm; got {h:g}.")
    if not -MAX_PITCH_DEG <= options.device_pitch_deg <= MAX_PITCH_DEG:
        raise PoseTrackerError("invalid_device_pitch", f"The phone's tilt must be within ±{MAX_PITCH_DEG:.0f} "
                               f"degrees; got {options.device_pitch_deg:g}.")


def missing_height() -> dict:
    return PoseTrackerError("jump_analysis_missing_height", "Jump analysis needs the person's height "
                            "(userHeightCm, e.g. 180) to turn pixels into centimetres. Until it is set, heights "
                            "come from the time in the air.").to_event()


def jump_fields(exercise: str, events: list[dict]) -> dict:
    """What `analyze --json` adds for a jump exercise: "jumps" and "jump_summary" (nothing for the others)."""
    if not is_jump(exercise):
        return {}
    summary = next((e for e in reversed(events) if e["type"] == "jump_summary"), None) or ev.jump_summary([])
    keys = ("jumpNumber", "airTimeMs", "jumpHeightCm")
    return {"jumps": [{k: j[k] for k in keys} for j in summary["jumps"]],
            "jump_summary": {k: v for k, v in summary.items() if k not in ("type", "timestampMs", "frameId")}}


@dataclass(frozen=True)
class JumpState(EngineState):
    """The tracking engine's state plus what the jump HUD and pages show."""

    jump_phase: str = "calibrating"  # calibrating | ready | in_air
    jumps: tuple[JumpRecord, ...] = field(default_factory=tuple)
    in_air_since: float | None = None
    cm_per_px: float | None = None

    @property
    def last_jump(self) -> JumpRecord | None:
        return self.jumps[-1] if self.jumps else None

    @property
    def best_jump(self) -> JumpRecord | None:
        return max(self.jumps, key=lambda j: j.height_cm) if self.jumps else None


class JumpEngine(TrackingEngine):
    def __init__(self, options: Options) -> None:
        check_jump_options(options)
        self.needs_height = options.exercise == "jump_analysis" and options.user_height_cm is None
        height = options.user_height_cm if options.exercise == "jump_analysis" else None
        self.detector = JumpDetector(user_height_cm=height)
        self._pending: list[dict] = []
        super().__init__(options)

    def reset(self) -> None:
        """A new set. The set that ends gets its jump_summary (sent with the next frame's events)."""
        had_jumps = getattr(self, "detector", None) is not None and self.detector.jumps
        pending = [self.detector.summary()] if had_jumps and self._phases.phase is not Phase.FINISHED else []
        super().reset()
        self.detector.reset()
        self._pending = pending
        self._warned = False

    def update(self, pose: Pose | None, timestamp: float, frame_id: int | None = None) -> list[dict]:
        if self._phases.phase is Phase.FINISHED:
            return []
        early, self._pending = self._pending, []
        if self.needs_height and not self._warned:
            self._warned = True
            early.append(missing_height())
        early = [ev.stamp(e, float(timestamp), frame_id) for e in early]
        return early + super().update(pose, timestamp, frame_id)

    def finish(self) -> list[dict]:
        if self._phases.phase is Phase.FINISHED:
            return []
        self._phases.finish()
        out = [self.detector.summary(), ev.counter(len(self.detector.jumps), final=True)]
        return [ev.stamp(e, self._t, None) for e in out]

    def snapshot(self) -> JumpState:
        base = super().snapshot()
        d = self.detector
        message = base.posture_message
        if self._phases.phase is Phase.ACTIVE and d.phase == "calibrating" and base.person_visible:
            message = CALIBRATE_MESSAGE
        values = {f.name: getattr(base, f.name) for f in fields(EngineState)}
        # Each jump is a repetition from take-off to landing, so the reps CSV and reps_detail list the jumps too.
        reps = tuple(RepRecord(round(j.takeoff_s, 3), round(j.landing_s, 3), None, None, True, None)
                     for j in d.jumps)
        values.update(count=len(d.jumps), posture_message=message, progression=None, signal=None, thresholds=None,
                      rep_phase=None, reps=reps)
        return JumpState(**values, jump_phase={"air": "in_air", "ground": "ready"}.get(d.phase, "calibrating"),
                         jumps=tuple(d.jumps), in_air_since=d.in_air_since,
                         cm_per_px=d.calibration.cm_per_px if d.calibration else None)

    def _track(self, pose: Pose | None, t: float, out: list[dict]) -> None:
        for event in self.detector.update(measure(pose), t):
            out.append(event)
            if event["type"] == "jump_result":
                self._count = len(self.detector.jumps)
                out.append(ev.counter(self._count))
