"""One typed settings object per session, its URL form (PoseTracker's parameter names) and the plan gate.

The gate lives here, not in the widgets: whatever asks for a feature (a URL, the command line, a forged
session state) goes through `enforce`, which drops what the plan does not include and says so with a
`developer_feature_not_allowed` error event.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from typing import Mapping

from posetracker.errors import PoseTrackerError
from posetracker.options import GRADES, Difficulty, Mode, Options
from posetracker.plans import DEFAULT_PLAN, FEATURES, PLANS, Plan, get_plan

TOKENS_ENV = "POSETRACKER_TOKENS"  # JSON object {"token": "plan"} or "token=plan,token=plan"
MAX_COUNTDOWN_S = 10

# Boolean settings that are gated features, by the name of the feature.
_GATED_TOGGLES = ("keypoints", "angles", "form_score", "progression", "recommendations", "export", "countdown")


@dataclass(frozen=True)
class Settings:
    plan: str = DEFAULT_PLAN
    exercise: str = "squat"
    difficulty: Difficulty = Difficulty.MEDIUM
    min_grade: str | None = None
    model: str = "movenet"
    skeleton: bool = True
    keypoints: bool = False
    angles: bool = False
    form_score: bool = False
    progression: bool = False
    recommendations: bool = False
    export: bool = True
    placement: bool = True
    countdown_s: int = 3
    mirror: bool = True
    token_hint: str | None = field(default=None, compare=False)  # masked token, never the token itself

    @classmethod
    def defaults_for(cls, plan_id: str) -> "Settings":
        """Everything the plan includes switched on, except raw outputs (keypoints, angles), which are opt-in."""
        plan = get_plan(plan_id)
        return cls(plan=plan_id, form_score=plan.allows("form_score"), progression=plan.allows("progression"),
                   recommendations=plan.allows("recommendations"))

    def requested_features(self) -> set[str]:
        wanted = {name for name in ("keypoints", "angles", "form_score", "progression", "recommendations", "export")
                  if getattr(self, name)}
        if self.countdown_s > 0:
            wanted.add("countdown")
        if self.model == "blazepose":
            wanted.add("blazepose")
        return wanted

    def to_options(self, mode: Mode) -> Options:
        return Options(
            exercise=self.exercise, mode=mode, difficulty=self.difficulty, min_grade=self.min_grade,
            countdown_s=self.countdown_s if mode is Mode.LIVE else 0, placement=self.placement,
            skeleton=self.skeleton, form_score=self.form_score, progression=self.progression,
            recommendations=self.recommendations, keypoints=self.keypoints, angles=self.angles,
        )


def enforce(settings: Settings) -> tuple[Settings, dict | None]:
    """The settings the plan allows, and an error event naming what was refused (None when nothing was)."""
    plan = get_plan(settings.plan)
    blocked = sorted(f for f in settings.requested_features() if not plan.allows(f))
    if not blocked:
        return settings, None
    allowed = replace(
        settings,
        **{name: False for name in ("keypoints", "angles", "form_score", "progression", "recommendations", "export")
           if name in blocked},
        countdown_s=0 if "countdown" in blocked else settings.countdown_s,
        model="movenet" if "blazepose" in blocked else settings.model,
    )
    names = ", ".join(FEATURES[f] for f in blocked)
    error = PoseTrackerError(
        "developer_feature_not_allowed",
        f"The {plan.name} plan does not include: {names}. Upgrade the plan or switch these off.",
        {"blocked": blocked, "plan": plan.id},
    )
    return allowed, error.to_event()


# --- tokens -----------------------------------------------------------------------------------------------

def load_tokens(secrets: Mapping | None = None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """token -> plan id, from `[tokens]` in secrets.toml (passed in by the page) and the environment."""
    tokens: dict[str, str] = {}
    raw = environ.get(TOKENS_ENV, "").strip()
    if raw.startswith("{"):
        tokens.update(json.loads(raw))
    elif raw:
        for pair in raw.split(","):
            token, _, plan = pair.partition("=")
            tokens[token.strip()] = plan.strip()
    if secrets:
        tokens.update({str(k): str(v) for k, v in dict(secrets).items()})
    return {t: p for t, p in tokens.items() if t and p in PLANS}


def mask_token(token: str) -> str:
    return token[:4] + "…" if len(token) > 8 else "…"


def plan_for_token(token: str | None, tokens: Mapping[str, str]) -> tuple[str, dict | None]:
    """The plan a token gives, or Free with an `invalid_token` error event."""
    if not token:
        return DEFAULT_PLAN, None
    if token in tokens:
        return tokens[token], None
    error = PoseTrackerError("invalid_token", f"The token {mask_token(token)} is not valid. The session stays on "
                             "the Free plan; check the token or ask for a new one.")
    return DEFAULT_PLAN, error.to_event()


# --- URL query parameters (PoseTracker's names) --------------------------------------------------------------

_BOOL_PARAMS = {"skeleton": "skeleton", "keypoints": "keypoints", "angles": "angles", "progression": "progression",
                "recommendations": "recommendations", "export": "export", "placement": "placement",
                "formScore": "form_score", "mirror": "mirror"}
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def to_query_params(settings: Settings) -> dict[str, str]:
    """The URL form of the settings. The token is never written back: the plan stands for it."""
    params = {"plan": settings.plan, "exercise": settings.exercise, "difficulty": settings.difficulty.value,
              "blazepose": _bool(settings.model == "blazepose"), "countdown": str(settings.countdown_s)}
    if settings.min_grade:
        params["minGrade"] = settings.min_grade
    params.update({param: _bool(getattr(settings, attr)) for param, attr in _BOOL_PARAMS.items()})
    return params


def from_query_params(params: Mapping[str, str], base: Settings, exercise_ids: list[str],
                      tokens: Mapping[str, str] | None = None) -> tuple[Settings, list[str], list[dict]]:
    """Settings from URL parameters over `base`: (settings, problems to show the user, error events).

    Invalid values are reported and left at their defaults; nothing here raises on user input.
    """
    problems: list[str] = []
    errors: list[dict] = []
    changes: dict = {}
    if "token" in params:
        plan_id, error = plan_for_token(params["token"], tokens or {})
        changes["plan"] = plan_id
        changes["token_hint"] = mask_token(params["token"])
        if error:
            errors.append(error)
            problems.append(error["message"])
    elif "plan" in params:
        if params["plan"] in PLANS:
            changes["plan"] = params["plan"]
        else:
            problems.append(f"Unknown plan {params['plan']!r}; using {get_plan(base.plan).name}.")
    if changes.get("plan", base.plan) != base.plan:
        base = replace(Settings.defaults_for(changes["plan"]), exercise=base.exercise)
    if "exercise" in params:
        if params["exercise"] in exercise_ids:
            changes["exercise"] = params["exercise"]
        else:
            problems.append(f"Unknown exercise {params['exercise']!r}; using {base.exercise}.")
            errors.append(PoseTrackerError("invalid_exercise", f"Unknown exercise {params['exercise']!r}.",
                                           {"valid": list(exercise_ids)}).to_event())
    if "difficulty" in params:
        try:
            changes["difficulty"] = Difficulty(params["difficulty"])
        except ValueError:
            problems.append(f"Unknown difficulty {params['difficulty']!r}; use easy, medium or hard.")
    if "minGrade" in params:
        grade = params["minGrade"].upper()
        if grade in GRADES:
            changes["min_grade"] = grade
        elif grade in ("", "NONE", "OFF"):
            changes["min_grade"] = None
        else:
            problems.append(f"minGrade must be one of {', '.join(GRADES)}; got {params['minGrade']!r}.")
    if "countdown" in params:
        try:
            seconds = int(params["countdown"])
            if not 0 <= seconds <= MAX_COUNTDOWN_S:
                raise ValueError
            changes["countdown_s"] = seconds
        except ValueError:
            problems.append(f"countdown must be whole seconds from 0 to {MAX_COUNTDOWN_S}; got {params['countdown']!r}.")
    if "blazepose" in params:
        value = _parse_bool(params["blazepose"])
        if value is None:
            problems.append(f"blazepose must be true or false; got {params['blazepose']!r}.")
        else:
            changes["model"] = "blazepose" if value else "movenet"
    for param, attr in _BOOL_PARAMS.items():
        if param in params:
            value = _parse_bool(params[param])
            if value is None:
                problems.append(f"{param} must be true or false; got {params[param]!r}.")
            else:
                changes[attr] = value
    return replace(base, **changes), problems, errors


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _parse_bool(text: str) -> bool | None:
    low = str(text).strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None


SETTING_NAMES = tuple(f.name for f in fields(Settings))
