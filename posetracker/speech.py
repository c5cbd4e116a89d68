"""What a coach would say aloud as a set goes on: counts, the countdown, placement changes and form cues.

    speech = SpeechCues()
    speech.update(snapshot.state, now=time.monotonic())   # each time the page looks at the live snapshot
    speech.recent                                          # the last utterances, ids increasing, for the browser

The browser speaks them (the Web Speech API, see pages/_speech.py); this module only decides what is worth
saying, from successive engine states, so a page that polls twice a second says each thing once. Numbers are
spoken in the browser's language; the app's own sentences are English.
"""
from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

HOLD_EVERY_S = 5      # a held position is announced every this many seconds ("5", "10", ...)
REPEAT_AFTER_S = 10.0  # the same sentence (a cue, a placement hint) is not said again sooner
MAX_COUNT_STEP = 2    # a count that jumped by more (a slow poll) is said once, as its newest value
RECENT = 20


@dataclass(frozen=True)
class Utterance:
    id: int
    text: str
    kind: str  # count | countdown | placement | cue
    numeric: bool  # a number: the browser's language; otherwise an English sentence
    at: float = 0.0  # when it was decided (the caller's clock)

    def to_dict(self, now: float) -> dict:
        """For the browser: its age instead of a time, as the browser's clock is not ours."""
        return {**asdict(self), "age_s": round(max(now - self.at, 0.0), 3)}


class SpeechCues:
    def __init__(self) -> None:
        self._next_id = 1
        self._recent: deque[Utterance] = deque(maxlen=RECENT)
        self._count: int | None = None
        self._held = 0
        self._countdown: int | None = None
        self._posture: str | None = None
        self._said_at: dict[str, float] = {}

    @property
    def recent(self) -> tuple[Utterance, ...]:
        return tuple(self._recent)

    def update(self, state: Any, now: float) -> list[Utterance]:
        """The new things to say for this engine state (None before the first frame)."""
        if state is None:
            self._count = None
            return []
        said: list[Utterance] = []
        said += self._counts(state, now)
        countdown = state.countdown_left or None
        if countdown != self._countdown:
            if countdown is not None:
                said.append(self._say(str(countdown), "countdown", True, now))
            elif self._countdown is not None:
                said.append(self._say("Go!", "countdown", False, now))
            self._countdown = countdown
        posture = state.posture_message or None
        if posture != self._posture:
            self._posture = posture
            if posture and self._fresh(posture, now):
                said.append(self._say(posture, "placement", False, now))
        for cue in state.recommendations or ():
            if self._fresh(cue, now):
                said.append(self._say(cue, "cue", False, now))
        return said

    def _counts(self, state, now: float) -> list[Utterance]:
        if state.is_duration:
            held = int(state.hold_seconds or 0) // HOLD_EVERY_S * HOLD_EVERY_S
            previous, self._held = self._held, held
            return [self._say(str(held), "count", True, now)] if held > previous else []
        count = int(state.count or 0)
        previous, self._count = self._count, count
        if previous is None or count <= previous:  # the first look, or a new set (Reset): nothing to say
            return []
        first = previous + 1 if count - previous <= MAX_COUNT_STEP else count
        return [self._say(str(n), "count", True, now) for n in range(first, count + 1)]

    def _fresh(self, text: str, now: float) -> bool:
        last = self._said_at.get(text)
        if last is not None and now - last < REPEAT_AFTER_S:
            return False
        self._said_at[text] = now
        return True

    def _say(self, text: str, kind: str, numeric: bool, now: float) -> Utterance:
        utterance = Utterance(self._next_id, text, kind, numeric, now)
        self._next_id += 1
        self._recent.append(utterance)
        return utterance
