"""Exports: the annotated video of a real clip (opened and checked), events JSONL, keypoints CSV, reps CSV."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from posetracker.events import validate_event
from posetracker.exports import (KEYPOINTS_COLUMNS, REPS_COLUMNS, KeypointsCsvWriter, read_events_jsonl,
                                 write_events_jsonl, write_reps_csv)
from posetracker.engine import RepRecord
from posetracker.options import Mode, Options
from posetracker.pipeline import analyze_video
from posetracker.pose import KEYPOINT_NAMES, Pose

CLIP = "dollarpy_pushup5.mp4"  # 172 frames, 1280x720, 23.98 fps


def _video_facts(path):
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        frames = sum(1 for _ in c.decode(s))
        return dict(frames=frames, width=s.codec_context.width, height=s.codec_context.height,
                    duration=float(s.duration * s.time_base), rate=float(s.average_rate),
                    codec=s.codec_context.name, audio=len(c.streams.audio))


@pytest.fixture(scope="module")
def exported(clip, tmp_path_factory):
    from posetracker.analysis import replay
    from posetracker.tools.posecache import track_video

    out = tmp_path_factory.mktemp("export")
    options = Options(exercise="push_up", mode=Mode.UPLOAD, keypoints=True)
    result = analyze_video(clip(CLIP), options, "movenet", export_path=out / "annotated.mp4",
                           keypoints_csv=out / "keypoints.csv")
    return result, replay(track_video(clip(CLIP), result.model), options, result.model), out


def test_the_export_opens_with_the_sources_size_frames_and_duration(exported, clip):
    result, _, out = exported
    src, dst = _video_facts(clip(CLIP)), _video_facts(out / "annotated.mp4")
    assert dst["codec"] == "h264" and dst["audio"] == 0
    assert (dst["width"], dst["height"]) == (src["width"], src["height"]), "original resolution, not the model's"
    assert abs(dst["frames"] - src["frames"]) <= 1
    assert abs(dst["duration"] - src["duration"]) <= 1.0 / src["rate"] + 1e-6
    assert dst["rate"] == pytest.approx(src["rate"], rel=1e-3)


def test_the_export_has_the_overlay_burned_in(exported, clip):
    from posetracker.video import iter_frames

    _, _, out = exported
    source = next(f.image for f in iter_frames(clip(CLIP)) if f.index == 100)
    annotated = next(f.image for f in iter_frames(out / "annotated.mp4") if f.index == 100)
    counter_panel = np.abs(annotated[10:60, 10:120].astype(int) - source[10:60, 10:120]).mean()
    assert counter_panel > 20, "the counter panel is drawn in the top-left corner"


def test_one_code_path_the_pipeline_counts_like_the_replay(exported):
    result, replayed, _ = exported
    assert result.reps == replayed.reps and result.frames == replayed.frames
    assert result.to_dict()["reps_detail"] == replayed.to_dict()["reps_detail"]


def test_keypoints_csv_has_one_row_per_frame_and_keypoint(exported):
    result, _, out = exported
    with open(out / "keypoints.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == KEYPOINTS_COLUMNS
    with_person = sum(1 for e in result.events if e["type"] == "keypoints_batch" for _ in e["frames"])
    assert with_person > 100 and len(rows) == with_person * len(KEYPOINT_NAMES)
    assert [r["keypoint"] for r in rows[:17]] == list(KEYPOINT_NAMES)
    assert 0 <= float(rows[0]["x_px"]) <= 1280


def test_events_jsonl_round_trip(exported, tmp_path):
    result, _, _ = exported
    path = write_events_jsonl(result.events, tmp_path / "events.jsonl")
    back = read_events_jsonl(path)
    assert back == result.events and all(validate_event(e) == [] for e in back)
    summary = next(e for e in back if e["type"] == "exercise_summary")
    assert summary["reps"] == result.reps and summary["exercise"] == "push_up"


def test_reps_csv(exported, tmp_path):
    result, _, _ = exported
    path = write_reps_csv(result.reps_detail, tmp_path / "reps.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and tuple(rows[0]) == REPS_COLUMNS
    assert len(rows) == len(result.reps_detail)
    assert sum(r["counted"] == "yes" for r in rows) == result.reps


def test_reps_csv_says_why_a_rep_was_not_counted(tmp_path):
    reps = [RepRecord(1.0, 2.5, 91.0, "A", True, None), RepRecord(3.0, 3.2, None, None, False, "too_fast")]
    with open(write_reps_csv(reps, tmp_path / "r.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0] == {"rep": "1", "start_s": "1", "end_s": "2.5", "duration_s": "1.5", "score": "91",
                       "grade": "A", "counted": "yes", "reason": ""}
    assert rows[1]["counted"] == "no" and rows[1]["reason"] == "too_fast" and rows[1]["score"] == ""


def test_keypoints_writer_skips_frames_without_a_person(tmp_path):
    pose = Pose(np.full((17, 2), 0.5), np.full(17, 0.9), 0.04)
    with KeypointsCsvWriter(tmp_path / "k.csv", (640, 480)) as writer:
        writer.add(0, 0.0, None)
        writer.add(1, 0.04, pose)
    lines = (tmp_path / "k.csv").read_text().splitlines()
    assert len(lines) == 1 + 17 and lines[1].startswith("1,0.040,nose,0.50000,0.50000")
    assert lines[1].endswith(",320.0,240.0")


@pytest.mark.slow
def test_a_4k_clip_is_exported_at_4k(clip, tmp_path):
    options = Options(exercise="bicep_curl", mode=Mode.UPLOAD)
    result = analyze_video(clip("suyog_curl.mp4"), options, "movenet", export_path=tmp_path / "4k.mp4")
    facts = _video_facts(tmp_path / "4k.mp4")
    assert (facts["width"], facts["height"]) == (3840, 2160)
    assert abs(facts["frames"] - result.info.frame_count) <= 1


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_rotated_phone_video_is_exported_upright_with_its_overlay(tmp_path, rotation):
    """The export draws on the decoded planes turned upright: a video stored sideways with a display matrix
    exports like the same content stored upright, watermark (bottom right) and all."""
    from media_factory import read_frames, write_clip

    rng = np.random.default_rng(rotation)
    upright = []
    for i in range(12):
        image = np.full((180, 320, 3), 70, np.uint8)
        image[20:80, 30:110] = (230, 60, 40)  # a block near the top-left: where it lands shows the orientation
        image[100:170, 200 + i:300 + i] = rng.integers(0, 255, 3)
        upright.append(image)
    # Stored turned clockwise; the display matrix (counter-clockwise degrees, FFmpeg's convention) turns it back.
    stored = [np.ascontiguousarray(np.rot90(f, k=-rotation // 90)) for f in upright]
    options = Options(exercise="squat", mode=Mode.UPLOAD)
    plain = analyze_video(write_clip(tmp_path / "plain.mp4", upright), options, export_path=tmp_path / "a.mp4",
                          watermark=True)
    turned = analyze_video(write_clip(tmp_path / "turned.mp4", stored, rotation=rotation), options,
                           export_path=tmp_path / "b.mp4", watermark=True)
    assert plain.frames == turned.frames == 12
    a, b = ([f.image for f in read_frames(tmp_path / name)] for name in ("a.mp4", "b.mp4"))
    assert a[0].shape == b[0].shape == (180, 320, 3)
    for x, y in zip(a, b):
        assert np.abs(x.astype(int) - y).mean() < 3
    block = a[5][30:70, 40:100].astype(int)
    assert np.abs(block - (230, 60, 40)).mean() < 20, "the block is where it was, in its colour"
    corner, source_corner = a[5][165:178, 240:318].astype(int), upright[5][165:178, 240:318].astype(int)
    darker = corner.mean(axis=2) < source_corner.mean(axis=2) - 15
    assert darker.mean() > 0.3 and (corner.min(axis=2) > 170).any(), "the Free plan's watermark, bottom right"
