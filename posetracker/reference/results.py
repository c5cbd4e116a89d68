"""How a reference's results read in the CLI's JSON and the `exercise_summary` event."""
from __future__ import annotations


def history(reps_detail) -> list[dict]:
    """`exercise_summary.history`: every rep compared with the reference, counted or not, with its score."""
    return [{"rep": n, "start_s": r.start_s, "end_s": r.end_s, "counted": r.counted,
             "reason": r.reason, "referenceScore": r.reference_score}
            for n, r in enumerate(reps_detail, start=1)]


def reference_dict(result) -> dict:
    """`posetracker analyze --reference ID --json`: the fields of an exercise's result, plus each rep's score."""
    return {"exercise": result.exercise, "reference": result.reference, "model": result.model, "reps": result.reps,
            "hold_seconds": None, "frames": result.frames, "duration_s": round(result.duration_s, 3),
            "reps_detail": [{"start_s": r.start_s, "end_s": r.end_s, "score": r.score, "grade": r.grade,
                             "counted": r.counted, "referenceScore": r.reference_score}
                            for r in result.reps_detail]}
