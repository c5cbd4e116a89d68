"""The people check: the BlazePose person detector counts the people in view, and the pipelines say so."""
from __future__ import annotations

import numpy as np
import pytest

from corpus import clip_frames
from posetracker.events import validate_event
from posetracker.live import LiveProcessor
from posetracker.options import Options
from posetracker.people import PeopleMonitor, Person, count_people, shared_detector


class ScriptedDetector:
    """Answers each `detect` with the next number of people of the script (side by side, equal size)."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.calls = 0

    def detect(self, image) -> list[Person]:
        n = self.script[min(self.calls, len(self.script) - 1)]
        self.calls += 1
        return [Person(0.9, 0.3, (0.2 + 0.6 * i / max(1, n - 1), 0.6)) for i in range(n)]


@pytest.fixture(scope="module")
def side_by_side(videos_dir):
    left = clip_frames(videos_dir / "rjsong_squat2.mp4", 4.0)
    right = clip_frames(videos_dir / "mrpose_squat.mp4", 4.0)
    return left, right, [np.hstack([a[:, 80:240], b[:, 140:300]]) for a, b in zip(left, right)]


def test_the_detector_finds_one_person_in_each_clip_and_two_side_by_side(side_by_side):
    left, right, both = side_by_side
    detector = shared_detector()
    assert [count_people(detector.detect(f)) for f in left[::10]] == [1] * len(left[::10])
    assert [count_people(detector.detect(f)) for f in right[::10]] == [1] * len(right[::10])
    counts = [count_people(detector.detect(f)) for f in both[::5]]
    assert counts.count(2) >= 0.8 * len(counts), counts


def test_an_empty_picture_has_nobody_in_it():
    assert shared_detector().detect(np.full((360, 640, 3), 128, np.uint8)) == []


def test_one_body_found_twice_counts_once_and_people_far_behind_do_not_count():
    athlete = Person(0.9, 0.35, (0.4, 0.5))
    assert count_people([athlete, Person(0.6, 0.3, (0.45, 0.52))]) == 1  # same hips, twice
    assert count_people([athlete, Person(0.8, 0.3, (0.8, 0.5))]) == 2     # beside the athlete
    assert count_people([athlete, Person(0.8, 0.08, (0.8, 0.2))]) == 1    # small, far behind
    assert count_people([]) == 0


def test_the_warning_needs_two_agreeing_checks_to_rise_and_two_to_clear():
    detector = ScriptedDetector([1, 2, 1, 2, 2, 2, 1, 2, 1, 1, 1])
    monitor = PeopleMonitor(detector, interval_s=1.0)
    frame = np.zeros((4, 4, 3), np.uint8)
    raised = []
    for i in range(110):  # 11 s at 10 frames/s: one check a second
        event = monitor.check(frame, i / 10)
        if event is not None:
            assert validate_event(event) == []
            raised.append((i / 10, event["active"], event.get("people")))
    assert detector.calls == 11
    assert raised == [(4.0, True, 2), (9.0, False, 1)]
    assert monitor.first_crowd_at == pytest.approx(3.0)
    assert 5.0 <= monitor.crowd_seconds <= 6.5
    assert "2 people were in view for about" in monitor.summary()


def test_no_summary_and_no_event_when_alone_and_a_broken_detector_is_harmless():
    monitor = PeopleMonitor(ScriptedDetector([1]), interval_s=0.5)
    assert all(monitor.check(np.zeros((4, 4, 3), np.uint8), i / 10) is None for i in range(50))
    assert monitor.summary() is None

    class Broken:
        def detect(self, image):
            raise RuntimeError("no model")

    broken = PeopleMonitor(Broken(), interval_s=0.5)
    assert all(broken.check(np.zeros((4, 4, 3), np.uint8), i / 10) is None for i in range(20))
    assert broken.unavailable and "no model" in broken.unavailable


def test_live_shows_the_crowd_in_the_snapshot_the_events_and_on_the_video(side_by_side, monkeypatch):
    import posetracker.live as live

    _, _, both = side_by_side
    processor = LiveProcessor("movenet", Options(exercise="squat"), mirror=False)
    quiet = LiveProcessor("movenet", Options(exercise="squat"), mirror=False)
    quiet._tracker.people = PeopleMonitor(ScriptedDetector([1]), interval_s=live.PEOPLE_CHECK_S)
    for i, frame in enumerate(both[:45]):  # 3 s at 15 frames/s
        out = processor.process(frame, i / 15)
        plain = quiet.process(frame, i / 15)
    snap = processor.snapshot()
    assert snap.people == 2
    warnings = [e for e in snap.events if e["type"] == "warning"]
    assert len(warnings) == 1 and warnings[0]["code"] == "multiple_people" and warnings[0]["active"]
    assert quiet.snapshot().people == 1
    # The banner over the status line: the two outputs differ only in the band just above it.
    diff = np.abs(out.astype(int) - plain.astype(int)).sum(axis=2)
    h = out.shape[0]
    rows = np.nonzero(diff.max(axis=1) > 60)[0]
    assert len(rows) and rows.min() > h * 0.6, rows
    processor.reset()
    assert processor.snapshot().people == 1
