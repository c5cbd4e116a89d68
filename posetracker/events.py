"""The public event protocol: plain JSON-serialisable dicts `{"type": ..., ...}` in PoseTracker's vocabulary.

The engine, the pipeline, the pages, the CLI (`--events x.jsonl`), the exports and the tests all speak it.
Every event emitted while processing frames also carries `timestampMs` (int, the frame's time) and `frameId`
(int or null) so a log can be replayed against the video.

| type               | fields                                                                                   |
|--------------------|------------------------------------------------------------------------------------------|
| initialization     | message: str, ready: bool                                                                |
| posture            | message: str, direction: DIRECTION | null, ready: bool, requirements: [str],             |
|                    | countdown?: int (seconds left, while counting down)                                      |
| counter            | current_count: int (reps; whole seconds held for duration exercises), final?: bool,       |
|                    | form_score?: {score, avg_score, grade}, reference_score?: {overallScore, nccScore,       |
|                    | dtwScore, timingScore, grade} (counting with a reference)                                |
| form_score         | score: number 0..100, avg_score: number 0..100, grade: A|B|C|D|F  (per finished rep)      |
| progression        | value: number 0..100 (how far into the current repetition)                               |
| recommendations    | data: [str] (cues of the form rules the last rep broke; rate-limited)                    |
| keypoints          | timestampMs: int, frameId: int|null, keypoints: [{name, x, y, z, score}]                 |
| angles             | timestampMs: int, frameId: int|null, data: [{id, side, degrees, score}]                  |
| rep_rejected       | reason: str (min_grade | too_shallow | too_fast | too_long | person_lost |                  |
|                    | view_changed | not_from_rest | walking | set_end; a reference's: other_posture |          |
|                    | limbs_differ | unlike_reference | parts_missing | opposite_movement | extra_movement |    |
|                    | hands_overhead),                                                                         |
|                    | grade: A-F|null (only for min_grade)                                                     |
| error              | code: str, message: str, details?: object                                                |
| warning            | code: str (multiple_people), message: str, active: bool (raised / cleared),              |
|                    | people?: int (how many people of comparable size are in view)                            |
| exercise_summary   | exercise: str, reps: int|null, hold_seconds: number|null, duration_s: number,            |
|                    | avg_score: number|null, grades: {A..F: int}, rejected: int,                              |
|                    | history?: [{rep, start_s, end_s, counted, referenceScore}] (counting with a reference)   |
| keypoints_batch    | frames: [{timestampMs, frameId, keypoints: [...]}] (the pipeline batches keypoints)      |
| export_ready       | path: str, kind: str (video | events | csv | json), size_bytes?: int                      |
| jump_calibration   | cmPerPixel: number|null (null without the person's height), baselineY: number (pixels),   |
|                    | visibleHips: bool                                                                        |
| jump_started       | (no fields: the person just left the ground)                                             |
| jump_height        | measuring: bool, landed: bool, final: bool, deltaPixels: number, sideUsed: str            |
|                    | (hips | feet | air_time), airTimeMs: int  (every frame in the air, and at the landing)      |
| jump_discarded     | reason: str (moving_toward_camera | moving_away_from_camera | timeout | tracking_lost |   |
|                    | stepping), userMessage: str                                                              |
| jump_result        | jumpNumber: int, jumpHeightCm: number, airTimeMs: int                                    |
| jump_summary       | totalJumps: int, avgJumpHeight, maxJumpHeight, minJumpHeight: number|null (cm),           |
|                    | avgAirTimeSeconds: number|null, jumps: [{jumpNumber, airTimeMs, jumpHeightCm, takeoffMs,   |
|                    | landingMs}]                                                                              |

DIRECTION is one of: in-frame, step-back, come-closer, move-left, move-right, face-camera, profile-camera
(move-left/right are in image coordinates: the direction the person should move across the picture).
"""
from __future__ import annotations

from typing import Any

GRADES = ("A", "B", "C", "D", "F")
DIRECTIONS = ("in-frame", "step-back", "come-closer", "move-left", "move-right", "face-camera", "profile-camera")

_NUM = (int, float)
# type -> {field: (python types, required)}; `None` in the types allows null.
SCHEMA: dict[str, dict[str, tuple[tuple, bool]]] = {
    "initialization": {"message": ((str,), True), "ready": ((bool,), True)},
    "posture": {"message": ((str,), True), "direction": ((str, type(None)), True), "ready": ((bool,), True),
                "requirements": ((list,), True), "countdown": ((int,), False)},
    "counter": {"current_count": ((int,), True), "final": ((bool,), False), "form_score": ((dict,), False),
                "reference_score": ((dict,), False)},
    "form_score": {"score": (_NUM, True), "avg_score": (_NUM, True), "grade": ((str,), True)},
    "progression": {"value": (_NUM, True)},
    "recommendations": {"data": ((list,), True)},
    "keypoints": {"timestampMs": ((int,), True), "frameId": ((int, type(None)), True), "keypoints": ((list,), True)},
    "angles": {"timestampMs": ((int,), True), "frameId": ((int, type(None)), True), "data": ((list,), True)},
    "rep_rejected": {"reason": ((str,), True), "grade": ((str, type(None)), True)},
    "error": {"code": ((str,), True), "message": ((str,), True), "details": ((dict,), False)},
    "warning": {"code": ((str,), True), "message": ((str,), True), "active": ((bool,), True),
                "people": ((int,), False)},
    "exercise_summary": {"exercise": ((str,), True), "reps": ((int, type(None)), True),
                         "hold_seconds": (_NUM + (type(None),), True), "duration_s": (_NUM, True),
                         "avg_score": (_NUM + (type(None),), True), "grades": ((dict,), True),
                         "rejected": ((int,), True), "history": ((list,), False)},
    "keypoints_batch": {"frames": ((list,), True)},
    "export_ready": {"path": ((str,), True), "kind": ((str,), True), "size_bytes": ((int,), False)},
    "jump_calibration": {"cmPerPixel": (_NUM + (type(None),), True), "baselineY": (_NUM, True),
                         "visibleHips": ((bool,), True)},
    "jump_started": {},
    "jump_height": {"measuring": ((bool,), True), "landed": ((bool,), True), "final": ((bool,), True),
                    "deltaPixels": (_NUM, True), "sideUsed": ((str,), True), "airTimeMs": ((int,), True)},
    "jump_discarded": {"reason": ((str,), True), "userMessage": ((str,), True)},
    "jump_result": {"jumpNumber": ((int,), True), "jumpHeightCm": (_NUM, True), "airTimeMs": ((int,), True)},
    "jump_summary": {"totalJumps": ((int,), True), "avgJumpHeight": (_NUM + (type(None),), True),
                     "maxJumpHeight": (_NUM + (type(None),), True), "minJumpHeight": (_NUM + (type(None),), True),
                     "avgAirTimeSeconds": (_NUM + (type(None),), True), "jumps": ((list,), True)},
}
JUMP_DISCARD_REASONS = ("moving_toward_camera", "moving_away_from_camera", "timeout", "tracking_lost", "stepping")
COMMON = {"type": ((str,), True), "timestampMs": ((int,), False), "frameId": ((int, type(None)), False)}
EVENT_TYPES = tuple(SCHEMA)


def validate_event(event: Any) -> list[str]:
    """Problems with one event (empty when it follows the schema)."""
    if not isinstance(event, dict):
        return [f"event must be a dict, not {type(event).__name__}"]
    kind = event.get("type")
    if kind not in SCHEMA:
        return [f"unknown event type {kind!r}; known: {', '.join(EVENT_TYPES)}"]
    fields = {**COMMON, **SCHEMA[kind]}
    problems = [f"{kind}: unexpected field {k!r}" for k in event if k not in fields]
    for name, (types, required) in fields.items():
        if name not in event:
            if required:
                problems.append(f"{kind}: missing field {name!r}")
            continue
        value = event[name]
        if isinstance(value, bool) and bool not in types:
            problems.append(f"{kind}.{name}: expected {types}, got bool")
        elif not isinstance(value, types):
            problems.append(f"{kind}.{name}: expected {[t.__name__ for t in types]}, got {type(value).__name__}")
    problems += _check_values(kind, event)
    return problems


def _check_values(kind: str, e: dict) -> list[str]:
    problems = []
    if kind == "posture" and e.get("direction") not in (None, *DIRECTIONS):
        problems.append(f"posture.direction {e.get('direction')!r} not in {DIRECTIONS}")
    if kind in ("form_score",) and e.get("grade") not in GRADES:
        problems.append(f"{kind}.grade {e.get('grade')!r} not in {GRADES}")
    if kind == "counter" and "form_score" in e:
        problems += [p.replace("form_score", "counter.form_score", 1)
                     for p in validate_event({"type": "form_score", **e["form_score"]})]
    if kind == "progression" and isinstance(e.get("value"), _NUM) and not 0 <= e["value"] <= 100:
        problems.append("progression.value must be within 0..100")
    if kind == "jump_discarded" and e.get("reason") not in JUMP_DISCARD_REASONS:
        problems.append(f"jump_discarded.reason {e.get('reason')!r} not in {JUMP_DISCARD_REASONS}")
    if kind == "jump_summary" and not all(isinstance(j, dict) and {"jumpNumber", "airTimeMs", "jumpHeightCm"} <= set(j)
                                          for j in e.get("jumps", [])):
        problems.append("jump_summary.jumps must be objects with jumpNumber, airTimeMs and jumpHeightCm")
    if kind == "recommendations" and not all(isinstance(c, str) for c in e.get("data", [])):
        problems.append("recommendations.data must be a list of strings")
    return problems


def stamp(event: dict, timestamp: float | None, frame_id: int | None) -> dict:
    """Give an event the time and id of the frame it is about (every event emitted per frame has them)."""
    if timestamp is not None:
        event["timestampMs"] = int(round(timestamp * 1000))
        event["frameId"] = frame_id
    return event


def initialization(message: str, ready: bool) -> dict:
    return {"type": "initialization", "message": message, "ready": ready}


def posture(message: str, direction: str | None, ready: bool, requirements: list[str],
            countdown: int | None = None) -> dict:
    event = {"type": "posture", "message": message, "direction": direction, "ready": ready,
             "requirements": list(requirements)}
    if countdown is not None:
        event["countdown"] = countdown
    return event


def score_fields(score: float, avg_score: float, grade: str) -> dict:
    return {"score": round(float(score), 1), "avg_score": round(float(avg_score), 1), "grade": grade}


def counter(current_count: int, final: bool = False, form_score: dict | None = None) -> dict:
    event: dict = {"type": "counter", "current_count": int(current_count)}
    if final:
        event["final"] = True
    if form_score is not None:
        event["form_score"] = form_score
    return event


def form_score(score: float, avg_score: float, grade: str) -> dict:
    return {"type": "form_score", **score_fields(score, avg_score, grade)}


def progression(value: float) -> dict:
    return {"type": "progression", "value": round(min(100.0, max(0.0, float(value))), 1)}


def recommendations(cues) -> dict:
    return {"type": "recommendations", "data": list(cues)}


def keypoints(pose, frame_id: int | None) -> dict:
    return {"type": "keypoints", "timestampMs": int(round(pose.timestamp * 1000)), "frameId": frame_id,
            "keypoints": pose.to_keypoints()}


def angles(timestamp: float, frame_id: int | None, data: list[dict]) -> dict:
    return {"type": "angles", "timestampMs": int(round(timestamp * 1000)), "frameId": frame_id, "data": data}


def rep_rejected(reason: str, grade: str | None) -> dict:
    return {"type": "rep_rejected", "reason": reason, "grade": grade}


def error(code: str, message: str, details: dict | None = None) -> dict:
    event = {"type": "error", "code": code, "message": message}
    if details:
        event["details"] = details
    return event


def warning(code: str, message: str, active: bool = True, people: int | None = None) -> dict:
    event = {"type": "warning", "code": code, "message": message, "active": bool(active)}
    if people is not None:
        event["people"] = int(people)
    return event


def exercise_summary(exercise: str, reps: int | None, hold_seconds: float | None, duration_s: float,
                     avg_score: float | None, grades: dict[str, int], rejected: int) -> dict:
    return {"type": "exercise_summary", "exercise": exercise, "reps": reps,
            "hold_seconds": None if hold_seconds is None else round(hold_seconds, 2),
            "duration_s": round(duration_s, 3), "avg_score": None if avg_score is None else round(avg_score, 1),
            "grades": {g: int(grades.get(g, 0)) for g in GRADES}, "rejected": int(rejected)}


def keypoints_batch(frames: list[dict]) -> dict:
    return {"type": "keypoints_batch", "frames": frames}


def export_ready(path: str, kind: str, size_bytes: int | None = None) -> dict:
    event = {"type": "export_ready", "path": str(path), "kind": kind}
    if size_bytes is not None:
        event["size_bytes"] = int(size_bytes)
    return event


def grade_of(score: float) -> str:
    """A >= 90, B >= 80, C >= 70, D >= 60, F below."""
    for grade, floor in zip(GRADES, (90, 80, 70, 60)):
        if score >= floor:
            return grade
    return "F"


def jump_calibration(cm_per_pixel: float | None, baseline_y: float, visible_hips: bool) -> dict:
    return {"type": "jump_calibration", "cmPerPixel": None if cm_per_pixel is None else round(float(cm_per_pixel), 4),
            "baselineY": round(float(baseline_y), 1), "visibleHips": bool(visible_hips)}


def jump_started() -> dict:
    return {"type": "jump_started"}


def jump_height(landed: bool, delta_pixels: float, side_used: str, air_time_s: float) -> dict:
    return {"type": "jump_height", "measuring": not landed, "landed": bool(landed), "final": bool(landed),
            "deltaPixels": round(float(delta_pixels), 1), "sideUsed": side_used,
            "airTimeMs": int(round(air_time_s * 1000))}


def jump_discarded(reason: str, user_message: str) -> dict:
    return {"type": "jump_discarded", "reason": reason, "userMessage": user_message}


def jump_result(jump_number: int, jump_height_cm: float, air_time_s: float) -> dict:
    return {"type": "jump_result", "jumpNumber": int(jump_number), "jumpHeightCm": round(float(jump_height_cm), 1),
            "airTimeMs": int(round(air_time_s * 1000))}


def jump_summary(jumps: list[dict]) -> dict:
    """`jumps`: [{jumpNumber, airTimeMs, jumpHeightCm, ...}] in order; heights in cm."""
    heights = [j["jumpHeightCm"] for j in jumps]
    n = len(jumps)
    return {"type": "jump_summary", "totalJumps": n,
            "avgJumpHeight": round(sum(heights) / n, 1) if n else None,
            "maxJumpHeight": max(heights) if n else None, "minJumpHeight": min(heights) if n else None,
            "avgAirTimeSeconds": round(sum(j["airTimeMs"] for j in jumps) / n / 1000, 3) if n else None,
            "jumps": list(jumps)}
