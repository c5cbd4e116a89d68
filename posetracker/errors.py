"""One error type whose code is part of the public protocol (the `error` event's `code`)."""
from __future__ import annotations


class PoseTrackerError(Exception):
    """An error a user can act on: a stable `code`, a message that says what to do next, optional details."""

    def __init__(self, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def to_event(self) -> dict:
        event = {"type": "error", "code": self.code, "message": self.message}
        if self.details:
            event["details"] = self.details
        return event

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
