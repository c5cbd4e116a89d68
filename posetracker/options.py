"""What one tracking session produces: the options object the plan/feature toggles plug into."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Mode(str, Enum):
    LIVE = "live"      # placement holds counting back, optional countdown
    UPLOAD = "upload"  # placement reported only, no countdown, FINISHED at the end


class Difficulty(str, Enum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


GRADES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Options:
    exercise: str = "squat"
    mode: Mode = Mode.LIVE
    difficulty: Difficulty = Difficulty.MEDIUM
    min_grade: str | None = None  # "A".."D": reps graded below are rejected (rep_rejected), not counted
    countdown_s: int = 0          # live only; 0 = no countdown
    placement: bool = True        # placement guidance (posture events); live: holds counting back until placed
    skeleton: bool = True         # overlay drawing (consumed by annotators, not by the engine)
    form_score: bool = True
    progression: bool = True
    recommendations: bool = True
    keypoints: bool = False
    angles: bool = False
    user_height_cm: float | None = None  # jump_analysis: the person's height calibrates centimetres per pixel
    device_pitch_deg: float = 0.0        # jump_analysis: the phone's tilt (reported with the calibration)
    reference: str | None = None  # a stored reference's id: count that movement instead of `exercise`
