"""Jumps live: through the LiveProcessor (reset keeps the set's summary) and the jump HUD on the video."""
from __future__ import annotations

import numpy as np

from jump_factory import JumpPlan, clip
from posetracker.engine import create_engine
from posetracker.jump_annotate import JumpAnnotator
from posetracker.live import LiveProcessor
from posetracker.options import Mode, Options


class ScriptedEstimator:
    """Hands out a synthetic clip's poses in order, whatever the picture."""

    name = "scripted"

    def __init__(self, poses) -> None:
        self.poses = list(poses)

    def estimate(self, image, timestamp):
        return self.poses.pop(0) if self.poses else None

    def reset(self):
        pass

    def close(self):
        pass


def test_live_jumps_count_and_a_reset_keeps_the_sets_summary():
    frames, _ = clip([JumpPlan(0.3), JumpPlan(0.4)], 30)
    options = Options(exercise="air_time_jump", mode=Mode.LIVE, countdown_s=0)
    processor = LiveProcessor("scripted", options, mirror=False, estimator=ScriptedEstimator(p for p, _ in frames))
    image = np.zeros((120, 160, 3), np.uint8)
    for _, t in frames:
        processor.process(image, t)
    snap = processor.snapshot()
    assert snap.state.count == 2 and snap.state.best_jump.number == 2
    assert [e["type"] for e in snap.events].count("jump_result") == 2
    processor.reset()
    after = processor.snapshot()
    assert [e["type"] for e in after.events] == ["jump_summary"] and after.events[0]["totalJumps"] == 2


def _state_at(frames, t_stop):
    engine = create_engine(Options(exercise="air_time_jump", mode=Mode.UPLOAD))
    for i, (pose, t) in enumerate(frames):
        if t > t_stop:
            break
        engine.update(pose, t, i)
    return engine.snapshot()


def test_the_hud_draws_the_panel_and_the_take_off_and_landing_moments():
    frames, truth = clip([JumpPlan(0.4)], 30)
    mid_air = _state_at(frames, truth.takeoffs[0] + 0.1)
    landed = _state_at(frames, truth.landings[0] + 0.3)
    later = _state_at(frames, truth.landings[0] + 2.0)
    blank = np.full((480, 640, 3), 128, np.uint8)
    drawn = {name: JumpAnnotator().annotate(blank.copy(), state)
             for name, state in (("mid_air", mid_air), ("landed", landed), ("later", later))}
    moment = (slice(50, 110), slice(220, 380))  # the banner across the top middle (left of the panel)
    panel = (slice(10, 60), slice(500, 630))    # the last/best panel, top right
    assert (drawn["mid_air"][moment] != 128).any() and (drawn["landed"][moment] != 128).any()
    assert (drawn["later"][moment] == 128).all()  # the landing's banner has gone after a while
    assert all((d[panel] != 128).any() for d in drawn.values())
    assert not np.array_equal(drawn["mid_air"][moment], drawn["landed"][moment])  # "Take-off" vs "Landed ... cm"
