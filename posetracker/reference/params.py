"""The `reference=<uuid>` URL parameter (PoseTracker's name), read beside `exercise=`."""
from __future__ import annotations

import uuid

from posetracker.errors import PoseTrackerError


def reference_param(params) -> tuple[str | None, dict | None]:
    """(the reference id to count with, or None; an error event, or None). `reference` and `exercise` together
    are an error: the link cannot say both what to count and something else, so the exercise is kept."""
    value = str(params.get("reference", "")).strip()
    if not value:
        return None, None
    if "exercise" in params:
        return None, PoseTrackerError(
            "invalid_parameter", "The link gives both exercise= and reference=; give one of them. Counting "
            f"{params['exercise']!r}, not the reference.", {"param": "reference", "valid": "exercise or reference"},
        ).to_event()
    try:
        return str(uuid.UUID(value)), None
    except ValueError:
        return None, PoseTrackerError(
            "invalid_parameter", f"reference={value[:40]!r} in the URL is not a reference id (a UUID); counting "
            "the chosen exercise instead.", {"param": "reference", "valid": "a reference's UUID"}).to_event()
