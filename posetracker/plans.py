"""PoseTracker's plans as data: what each unlocks and its limits. The one place the tiers are defined."""
from __future__ import annotations

from dataclasses import dataclass

from posetracker.errors import PoseTrackerError
from posetracker.features import LABELS as FEATURES, in_plan

# Every feature a plan can include (the features table, `posetracker.features`), with the name users see.
# Counting itself is in every plan; skeleton, placement, countdown and export are in Free too, but stay listed
# so the table reads as PoseTracker's tiers.
_FREE, _DEVELOPER, _BUSINESS = in_plan("free"), in_plan("developer"), in_plan("business")


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    features: frozenset[str]
    max_upload_mb: int
    max_upload_seconds: int

    def allows(self, feature: str) -> bool:
        return feature in self.features

    @property
    def watermark(self) -> str | None:
        """The text burned into this plan's exported videos, or None."""
        return None if self.allows("export_no_watermark") else WATERMARK_TEXT

    def describe_limits(self) -> str:
        minutes, seconds = divmod(self.max_upload_seconds, 60)
        duration = f"{minutes} min" + (f" {seconds} s" if seconds else "") if minutes else f"{seconds} s"
        size = f"{self.max_upload_mb / 1000:g} GB" if self.max_upload_mb >= 1000 else f"{self.max_upload_mb} MB"
        return f"Uploads up to {duration} and {size}."


PLANS: dict[str, Plan] = {
    "free": Plan("free", "Free", _FREE, max_upload_mb=100, max_upload_seconds=60),
    "developer": Plan("developer", "Developer", _DEVELOPER, max_upload_mb=500, max_upload_seconds=300),
    "business": Plan("business", "Business", _BUSINESS, max_upload_mb=2000, max_upload_seconds=1800),
}
DEFAULT_PLAN = "free"
WATERMARK_TEXT = "PoseTracker sandbox"


def get_plan(plan_id: str) -> Plan:
    if plan_id not in PLANS:
        raise PoseTrackerError("invalid_plan", f"Unknown plan {plan_id!r}. Choose one of: {', '.join(PLANS)}.",
                               {"valid": list(PLANS)})
    return PLANS[plan_id]


def cheapest_plan_with(feature: str) -> Plan:
    """The plan to name next to a disabled toggle ("Developer plan"). Plans are listed cheapest first."""
    if feature not in FEATURES:
        raise PoseTrackerError("invalid_feature", f"Unknown feature {feature!r}. Known: {', '.join(FEATURES)}.",
                               {"valid": list(FEATURES)})
    return next(p for p in PLANS.values() if p.allows(feature))
