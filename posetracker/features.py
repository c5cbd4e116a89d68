"""The features table: one row per feature a plan can include, and everything that follows from it.

A row names the feature (what plans include and the gate refuses), its label, the cheapest plan that has it,
and, where it has them, the `Settings` toggle that asks for it, its URL parameter, its `posetracker analyze`
flag and the event type it lets out of the tracker. The plans, the gate (`settings.enforce`), the URL, the
Settings page's toggles, the CLI flags and the tracker's output gate all read this table: a new toggle is
one row (and its field in `Settings`/`Options`).
"""
from __future__ import annotations

from dataclasses import dataclass

TIERS = ("free", "developer", "business")  # cheapest first; each plan includes the tiers before it


@dataclass(frozen=True)
class Feature:
    id: str
    label: str
    tier: str                      # the cheapest plan that includes it
    setting: str | None = None     # the boolean `Settings`/`Options` field that asks for it
    url: str | None = None         # its boolean URL parameter (PoseTracker's name where it has one)
    cli: str | None = None         # `posetracker analyze --FLAG` that asks for it, and what the flag's help says
    cli_help: str = ""
    event: str | None = None       # the event type the tracker lets out only when the setting is on
    toggle: bool = False           # a switch on the Settings page


FEATURES: tuple[Feature, ...] = (
    Feature("skeleton", "Skeleton overlay", "free", "skeleton", "skeleton", toggle=True),
    Feature("placement", "Placement guidance", "free", "placement", "placement", toggle=True),
    Feature("export", "Annotated video export", "free", "export", "export", toggle=True),
    Feature("countdown", "Countdown", "free"),
    Feature("form_score", "Form score and grade", "developer", "form_score", "formScore", "form-score",
            "form score and grade per rep", "form_score", toggle=True),
    Feature("progression", "Progression", "developer", "progression", "progression", "progression",
            "progression events", "progression", toggle=True),
    Feature("recommendations", "Recommendations", "developer", "recommendations", "recommendations",
            "recommendations", "recommendation cues", "recommendations", toggle=True),
    Feature("keypoints", "Raw keypoints", "developer", "keypoints", "keypoints", "keypoints",
            "keypoints_batch events", "keypoints", toggle=True),
    Feature("angles", "Joint angles", "developer", "angles", "angles", "angles", "angles events", "angles",
            toggle=True),
    Feature("blazepose", "BlazePose model", "developer", toggle=True),
    Feature("min_grade", "Minimum grade", "developer"),  # rejecting reps by grade needs (and reveals) the grade
    Feature("keypoints_batch", "Keypoints batch (upload)", "developer"),
    Feature("export_no_watermark", "Export without watermark", "developer"),
    Feature("custom_exercises", "Custom exercises", "business"),
)
BY_ID = {f.id: f for f in FEATURES}
LABELS = {f.id: f.label for f in FEATURES}
TOGGLE_SETTINGS = tuple(f.setting for f in FEATURES if f.setting)        # boolean settings that ask for a feature
URL_BOOLS = {f.url: f.setting for f in FEATURES if f.url and f.setting}  # URL parameter -> setting
CLI_FLAGS = tuple(f for f in FEATURES if f.cli)
GATED_EVENTS = {f.event: f.setting for f in FEATURES if f.event}         # event type -> the setting that lets it out


def in_plan(tier: str) -> frozenset[str]:
    """The features of a plan: its own tier's and every cheaper tier's."""
    upto = TIERS[:TIERS.index(tier) + 1]
    return frozenset(f.id for f in FEATURES if f.tier in upto)
