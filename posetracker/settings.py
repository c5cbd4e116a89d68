"""One typed settings object per session, its URL form (PoseTracker's parameter names), tokens and the plan gate.

The gate lives here, not in the widgets: whatever asks for a feature (a URL, the command line, a forged
session state) goes through `enforce`, which drops what the plan does not include and says so with a
`developer_feature_not_allowed` error event. `Settings.to_options` gates too, so no path from a Settings to
the engine can bypass the plan.

Tokens are secrets: only `mask_token(token)` ever leaves this module, never the token itself.
"""
from __future__ import annotations

import hmac
import json
import os
from dataclasses import dataclass, field, replace
from typing import Mapping

from posetracker.errors import PoseTrackerError
from posetracker.features import TOGGLE_SETTINGS, URL_BOOLS
from posetracker.options import GRADES, Difficulty, Mode, Options
from posetracker.plans import DEFAULT_PLAN, FEATURES, PLANS, Plan, get_plan

TOKENS_ENV = "POSETRACKER_TOKENS"  # JSON object {"token": "plan"} or "token=plan,token=plan"
MAX_COUNTDOWN_S = 10
MODELS = ("movenet", "blazepose")

# Boolean settings that ask for the feature of the same name (the features table's `setting` column).
GATED_TOGGLES = TOGGLE_SETTINGS


@dataclass(frozen=True)
class Settings:
    plan: str = DEFAULT_PLAN
    exercise: str = "squat"
    difficulty: Difficulty = Difficulty.MEDIUM
    min_grade: str | None = None  # "A".."D": reps graded below are rejected, not counted
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
    user_height_cm: float | None = None  # jumps: the person's height (jump_analysis turns pixels into cm with it)
    device_pitch_deg: float = 0.0        # jumps: the phone's tilt
    speak: bool = False  # the browser speaks counts and cues (Web Speech API); never gated, nothing on the server
    reference: str | None = None  # a stored reference's id (Business): counted instead of `exercise`
    token_hint: str | None = field(default=None, compare=False)  # masked token, never the token itself

    def __post_init__(self) -> None:
        # Invalid values are programming errors or bad CLI input; user URLs are checked in from_query_params.
        get_plan(self.plan)
        object.__setattr__(self, "difficulty", _choice(Difficulty, self.difficulty, "difficulty"))
        if self.min_grade is not None and self.min_grade not in GRADES:
            raise PoseTrackerError("invalid_min_grade", f"min_grade must be one of {', '.join(GRADES)} or none; "
                                   f"got {self.min_grade!r}.", {"valid": list(GRADES)})
        if self.model not in MODELS:
            raise PoseTrackerError("unknown_model", f"Unknown model {self.model!r}. Choose one of: "
                                   f"{', '.join(MODELS)}.", {"valid": list(MODELS)})
        if not (isinstance(self.countdown_s, int) and 0 <= self.countdown_s <= MAX_COUNTDOWN_S):
            raise PoseTrackerError("invalid_countdown", f"The countdown must be whole seconds from 0 to "
                                   f"{MAX_COUNTDOWN_S}; got {self.countdown_s!r}.")
        from posetracker.jumps import check_jump_options  # invalid_user_height, invalid_device_pitch

        check_jump_options(self)

    @classmethod
    def defaults_for(cls, plan_id: str, **overrides) -> "Settings":
        """Everything the plan includes switched on, except raw outputs (keypoints, angles), which are opt-in."""
        plan = get_plan(plan_id)
        defaults = dict(plan=plan_id, form_score=plan.allows("form_score"), progression=plan.allows("progression"),
                        recommendations=plan.allows("recommendations"))
        return cls(**{**defaults, **overrides})

    @property
    def plan_info(self) -> Plan:
        return get_plan(self.plan)

    @property
    def watermark(self) -> str | None:
        """Text to burn into exported videos (Free's sandbox mark), or None."""
        return self.plan_info.watermark

    def with_plan(self, plan_id: str, token_hint: str | None = None) -> "Settings":
        """Switch plan: the user's own choices stay, the gated outputs start from the new plan's defaults."""
        kept = {name: getattr(self, name) for name in ("exercise", "difficulty", "min_grade", "skeleton",
                                                       "placement", "countdown_s", "mirror", "export",
                                                       "user_height_cm", "device_pitch_deg", "speak",
                                                       "reference")}
        settings = Settings.defaults_for(plan_id, **kept, token_hint=token_hint)
        return enforce(settings)[0]

    def requested_features(self) -> set[str]:
        wanted = {name for name in GATED_TOGGLES if getattr(self, name)}
        if self.min_grade:
            wanted.add("min_grade")
        if self.countdown_s > 0:
            wanted.add("countdown")
        if self.model == "blazepose":
            wanted.add("blazepose")
        if self.reference:
            wanted.add("custom_exercises")
        return wanted

    def to_options(self, mode: Mode) -> Options:
        """The engine's options for what this plan allows (refused features are off; see `enforce` for why)."""
        allowed, _ = enforce(self)
        return Options(
            exercise=allowed.exercise, mode=mode, difficulty=allowed.difficulty, min_grade=allowed.min_grade,
            countdown_s=allowed.countdown_s if mode is Mode.LIVE else 0, placement=allowed.placement,
            skeleton=allowed.skeleton, form_score=allowed.form_score, progression=allowed.progression,
            recommendations=allowed.recommendations, keypoints=allowed.keypoints, angles=allowed.angles,
            user_height_cm=allowed.user_height_cm, device_pitch_deg=allowed.device_pitch_deg,
            reference=allowed.reference,
        )


def enforce(settings: Settings) -> tuple[Settings, dict | None]:
    """The settings the plan allows, and an error event naming what was refused (None when nothing was)."""
    plan = settings.plan_info
    blocked = sorted(f for f in settings.requested_features() if not plan.allows(f))
    if not blocked:
        return settings, None
    off = {name: False for name in GATED_TOGGLES if name in blocked}
    allowed = replace(settings, **off, countdown_s=0 if "countdown" in blocked else settings.countdown_s,
                      model="movenet" if "blazepose" in blocked else settings.model,
                      min_grade=None if "min_grade" in blocked else settings.min_grade,
                      reference=None if "custom_exercises" in blocked else settings.reference)
    names = ", ".join(FEATURES[f] for f in blocked)
    unlock = next((p for p in PLANS.values() if all(p.allows(f) for f in blocked)), None)
    them = "it" if len(blocked) == 1 else "them"
    error = PoseTrackerError(
        "developer_feature_not_allowed",
        f"The {plan.name} plan does not include: {names}. Switch {them} off"
        + (f", or move to the {unlock.name} plan (choose it, or use its token)." if unlock else "."),
        {"blocked": blocked, "plan": plan.id},
    )
    return allowed, error.to_event()


# --- tokens -----------------------------------------------------------------------------------------------

def load_tokens(secrets: Mapping | None = None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """token -> plan id, from the environment and `[tokens]` in secrets.toml (passed in by the page).

    Entries naming an unknown plan are left out. A malformed variable raises an error that never quotes it.
    """
    tokens: dict[str, str] = {}
    raw = environ.get(TOKENS_ENV, "").strip()
    try:
        if raw.startswith("{"):
            tokens.update({str(k): str(v) for k, v in json.loads(raw).items()})
        elif raw:
            for pair in raw.split(","):
                token, sep, plan = pair.partition("=")
                if not sep:
                    raise ValueError
                tokens[token.strip()] = plan.strip()
    except (ValueError, AttributeError):
        raise PoseTrackerError("invalid_token_config", f"{TOKENS_ENV} is not valid: use a JSON object "
                               '{"token": "plan"} or token=plan pairs separated by commas.') from None
    if secrets:
        tokens.update({str(k): str(v) for k, v in dict(secrets).items()})
    return {t: p for t, p in tokens.items() if t and p in PLANS}


def mask_token(token: str) -> str:
    """What may be shown of a token: its first four characters, and only when it is long enough to spare them."""
    return token[:4] + "…" if len(token) >= 12 else "…"


def plan_for_token(token: str | None, tokens: Mapping[str, str]) -> tuple[str, dict | None]:
    """The plan a token gives, or Free with an `invalid_token` error event."""
    if not token:
        return DEFAULT_PLAN, None
    given = token.strip().encode()
    # Compare in constant time, so response times do not leak how much of a token was right.
    plan = next((p for t, p in tokens.items() if hmac.compare_digest(t.encode(), given)), None)
    if plan:
        return plan, None
    error = PoseTrackerError("invalid_token", f"The token {mask_token(token)} is not valid, so the session stays on "
                             "the Free plan. Check the token or ask for a new one.")
    return DEFAULT_PLAN, error.to_event()


# --- URL query parameters (PoseTracker's names) ----------------------------------------------------------

# PoseTracker's parameter names (the features table's `url` column); `formScore`, `mirror`, `speak` and `plan`
# are ours (PoseTracker has none for them).
BOOL_PARAMS = {**URL_BOOLS, "mirror": "mirror", "speak": "speak"}
URL_PARAMS = ("token", "plan", "exercise", "reference", "difficulty", "minGrade", "blazepose", "countdown", *BOOL_PARAMS,
              "userHeightCm", "devicePitchDeg")
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def to_query_params(settings: Settings) -> dict[str, str]:
    """The URL form of the settings. The token is never written: the plan it gave stands for it."""
    params = {"plan": settings.plan, "exercise": settings.exercise, "difficulty": settings.difficulty.value,
              "minGrade": settings.min_grade or "none", "blazepose": _bool(settings.model == "blazepose"),
              "countdown": str(settings.countdown_s)}
    params.update({param: _bool(getattr(settings, attr)) for param, attr in BOOL_PARAMS.items()})
    if settings.user_height_cm is not None:
        params["userHeightCm"] = _number(settings.user_height_cm)
    if settings.device_pitch_deg:
        params["devicePitchDeg"] = _number(settings.device_pitch_deg)
    if settings.reference:  # PoseTracker's `reference=` stands instead of `exercise=`
        del params["exercise"]
        params["reference"] = settings.reference
    return params


def from_query_params(params: Mapping[str, str], exercise_ids: list[str], tokens: Mapping[str, str] | None = None,
                      base: Settings | None = None) -> tuple[Settings, list[dict]]:
    """The gated settings a URL asks for, over `base` (the plan's defaults), and the error events to show.

    Nothing here raises on user input: each invalid value becomes an error event and keeps its default.
    Parameters we do not know are left alone (other pages may use their own).
    """
    errors: list[dict] = []
    changes: dict = {}
    base = base or Settings()
    plan_id = base.plan
    if params.get("token"):
        plan_id, error = plan_for_token(params["token"], tokens or {})
        changes["token_hint"] = mask_token(params["token"])
        errors += [error] if error else []
    elif "plan" in params:
        if params["plan"] in PLANS:
            plan_id = params["plan"]
        else:
            errors.append(_invalid("plan", params["plan"], list(PLANS), f"using the {get_plan(plan_id).name} plan"))
    if plan_id != base.plan:
        base = base.with_plan(plan_id)
    if "exercise" in params:
        if params["exercise"] in exercise_ids:
            changes["exercise"] = params["exercise"]
        else:
            errors.append(PoseTrackerError("invalid_exercise", f"Unknown exercise {params['exercise']!r} in the URL; "
                                           f"using {base.exercise}.", {"valid": list(exercise_ids)}).to_event())
    if "reference" in params:
        from posetracker.reference.params import reference_param

        reference, error = reference_param(params)
        changes["reference"] = reference
        errors += [error] if error else []
    if "difficulty" in params:
        try:
            changes["difficulty"] = Difficulty(params["difficulty"].lower())
        except ValueError:
            errors.append(_invalid("difficulty", params["difficulty"], [d.value for d in Difficulty],
                                   f"using {base.difficulty.value}"))
    if "minGrade" in params:
        grade = params["minGrade"].strip().upper()
        if grade in GRADES or grade in ("", "NONE", "OFF"):
            changes["min_grade"] = grade if grade in GRADES else None
        else:
            errors.append(_invalid("minGrade", params["minGrade"], [*GRADES, "none"], "no minimum grade"))
    if "countdown" in params:
        seconds = params["countdown"].strip()
        if seconds.isascii() and seconds.isdigit() and int(seconds) <= MAX_COUNTDOWN_S:
            changes["countdown_s"] = int(seconds)
        else:
            errors.append(_invalid("countdown", params["countdown"], f"whole seconds from 0 to {MAX_COUNTDOWN_S}",
                                   f"using {base.countdown_s} s"))
    if "blazepose" in params:
        value = _parse_bool(params["blazepose"])
        if value is None:
            errors.append(_invalid("blazepose", params["blazepose"], ["true", "false"], f"using {base.model}"))
        else:
            changes["model"] = "blazepose" if value else "movenet"
    for param, attr in BOOL_PARAMS.items():
        if param in params:
            value = _parse_bool(params[param])
            if value is None:
                errors.append(_invalid(param, params[param], ["true", "false"], f"using {_bool(getattr(base, attr))}"))
            else:
                changes[attr] = value
    errors += _jump_params(params, base, changes)
    allowed, refused = enforce(replace(base, **changes))
    return allowed, errors + ([refused] if refused else [])


def _jump_params(params: Mapping[str, str], base: Settings, changes: dict) -> list[dict]:
    """userHeightCm (50-250) and devicePitchDeg (within ±60): PoseTracker's jump parameters."""
    from posetracker.jumps import MAX_HEIGHT_CM, MAX_PITCH_DEG, MIN_HEIGHT_CM

    errors = []
    for param, attr, lo, hi, unit in (("userHeightCm", "user_height_cm", MIN_HEIGHT_CM, MAX_HEIGHT_CM, "cm"),
                                      ("devicePitchDeg", "device_pitch_deg", -MAX_PITCH_DEG, MAX_PITCH_DEG, "degrees")):
        if param not in params:
            continue
        text = str(params[param]).strip()
        if attr == "user_height_cm" and text.lower() in ("", "none"):
            changes[attr] = None
            continue
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if lo <= value <= hi:
            changes[attr] = value
        else:
            current = getattr(base, attr)
            errors.append(_invalid(param, params[param], f"{lo:g} to {hi:g} {unit}",
                                   "no height" if current is None else f"using {current:g}"))
    return errors


def _invalid(param: str, value: str, valid, fallback: str) -> dict:
    shown = valid if isinstance(valid, str) else ", ".join(valid)
    return PoseTrackerError("invalid_parameter", f"{param}={value!r} in the URL is not valid ({shown}); {fallback}.",
                            {"param": param, "valid": valid}).to_event()


def _choice(enum, value, name: str):
    try:
        return enum(value)
    except ValueError:
        valid = [e.value for e in enum]
        raise PoseTrackerError(f"invalid_{name}", f"Unknown {name} {value!r}. Choose one of: {', '.join(valid)}.",
                               {"valid": valid}) from None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _parse_bool(text: str) -> bool | None:
    low = str(text).strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None

