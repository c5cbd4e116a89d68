"""The upload pipeline on small videos made at test time: rotation, VFR, cancel, events, the page's session."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from media_factory import BLUE, RED, read_frames, two_tone, write_clip
from posetracker.events import validate_event
from posetracker.options import Mode, Options
from posetracker.pipeline import AnalysisCancelled, Progress, analyze_video

OPTIONS = Options(exercise="squat", mode=Mode.UPLOAD, keypoints=True)


def _close(pixel, color, tol=40) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(color)) <= tol))


def _pipeline_threads() -> list[str]:
    # The upload registry's sweeper lives as long as the server (or a test process that opened the Upload page).
    return [t.name for t in threading.enumerate() if t.name.startswith("posetracker-") and t.is_alive()
            and t.name != "posetracker-session-sweeper"]


@pytest.mark.parametrize("rotation", [-90, 90, 180])
def test_export_of_a_rotated_clip_is_upright(tmp_path, rotation):
    upright = two_tone(96, 160)  # portrait: what a viewer should see
    # What a phone stores: the display matrix turns it `rotation` degrees counter-clockwise to show it upright.
    stored = np.rot90(upright, k=-rotation // 90)
    src = write_clip(tmp_path / "rotated.mp4", [stored] * 8, rotation=rotation)

    source_frames = read_frames(src)  # the reader honours the display matrix
    assert source_frames[0].image.shape[:2] == (160, 96)
    assert _close(source_frames[0].image[20, 48], RED) and _close(source_frames[0].image[140, 48], BLUE)
    out = tmp_path / "export.mp4"
    result = analyze_video(src, OPTIONS, export_path=out)
    assert result.info.width == 96 and result.info.height == 160

    exported = read_frames(out)
    assert len(exported) == 8
    image = exported[-1].image
    assert image.shape[:2] == (160, 96), "the export keeps the upright size"
    assert _close(image[48, 48], RED) and _close(image[104, 48], BLUE), "the export is upright"


def test_a_variable_frame_rate_clip_keeps_its_timing(tmp_path):
    times = [0.0, 0.04, 0.08, 0.2, 0.24, 0.5, 0.54, 0.58, 1.0, 1.04]
    src = write_clip(tmp_path / "vfr.mp4", [two_tone(64, 64)] * len(times), times=times)
    assert [round(f.timestamp, 3) for f in read_frames(src)] == times

    out = tmp_path / "export.mp4"
    result = analyze_video(src, OPTIONS, export_path=out)
    assert result.frames == len(times)
    assert [p.t for p in result.trace] == pytest.approx(times, abs=1e-3), "the engine sees pts time"
    assert [f.timestamp for f in read_frames(out)] == pytest.approx(times, abs=2e-3), "the export keeps it"


def test_cancel_stops_cleanly_and_leaves_no_file(tmp_path):
    src = write_clip(tmp_path / "src.mp4", [two_tone(64, 64)] * 60)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    cancel = threading.Event()

    def on_event(event):
        if event.get("message", "").endswith("(10%)"):
            cancel.set()

    with pytest.raises(AnalysisCancelled) as raised:
        analyze_video(src, OPTIONS, export_path=out_dir / "export.mp4", keypoints_csv=out_dir / "kp.csv",
                      cancel=cancel, on_event=on_event)
    assert raised.value.code == "analysis_cancelled"
    assert list(out_dir.iterdir()) == [], "no partial export, no partial CSV"
    assert _pipeline_threads() == [], "the decoder and encoder threads have stopped"


def test_events_progress_and_outputs(tmp_path):
    src = write_clip(tmp_path / "src.mp4", [two_tone(64, 64)] * 20)
    seen: list[Progress] = []
    result = analyze_video(src, OPTIONS, export_path=tmp_path / "out.mp4", keypoints_csv=tmp_path / "kp.csv",
                           watermark=True, progress=seen.append)
    assert all(validate_event(e) == [] for e in result.events), [validate_event(e) for e in result.events][:3]
    messages = [e["message"] for e in result.events if e["type"] == "initialization"]
    assert messages[0] == "loading video"
    assert "Your video is processing… (0%)" in messages and messages[-1] == "Analysis completed"
    types = [e["type"] for e in result.events]
    assert "exercise_summary" in types
    assert [e["kind"] for e in result.events if e["type"] == "export_ready"] == ["csv", "video"]
    assert "keypoints" not in types, "an upload sends keypoints in keypoints_batch events"
    assert seen[-1].percent == 100.0 and seen[-1].frames_done == 20 and seen[-1].eta_s == 0.0
    assert result.to_dict()["frames"] == 20
    assert not list(tmp_path.glob(".*part*")), "partial files were renamed into place"


def test_unreadable_input_raises_a_user_error_and_writes_nothing(tmp_path):
    from posetracker.errors import PoseTrackerError

    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    with pytest.raises(PoseTrackerError) as raised:
        analyze_video(bad, OPTIONS, export_path=tmp_path / "out.mp4")
    assert raised.value.code in ("video_load_error", "media_decode_error")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.mp4"]


def test_upload_session_replaces_and_cleans_up(tmp_path):
    from posetracker.settings import Settings
    from posetracker.upload_session import UploadSession

    src = write_clip(tmp_path / "src.mp4", [two_tone(64, 64)] * 10)
    session = UploadSession(root=tmp_path)
    settings = Settings.defaults_for("developer", exercise="squat", keypoints=True)
    session.submit("a", src.read_bytes(), "../../my clip.mp4", settings)
    _wait(session)
    first = session.outcome
    assert first.error is None and first.result.frames == 10
    folder = first.upload.path.parent
    assert first.upload.path.name == "input.mp4", "the user's name is never a path"
    assert sorted(first.result.files) == ["events", "keypoints", "reps", "video"]
    assert all(p.parent == folder and p.is_file() for p in first.result.files.values())

    session.submit("b", src.read_bytes(), "again.mp4", settings)
    assert not folder.exists(), "a newer analysis replaces the previous one's files"
    session.cancel()
    assert session.outcome.error.code == "analysis_cancelled"
    assert session.workspace.current is None
    session.close()
    assert not session.workspace.path.exists()
    assert _pipeline_threads() == []


def test_upload_session_reports_bad_files_as_messages(tmp_path):
    from posetracker.settings import Settings
    from posetracker.upload_session import UploadSession

    with UploadSession(root=tmp_path).workspace as _:
        pass
    session = UploadSession(root=tmp_path)
    session.submit("x", b"not a video at all" * 10, "clip.mp4", Settings())
    assert session.outcome.error.code == "video_load_error"
    assert "Use MP4" in session.outcome.error.message
    session.close()
    assert list(tmp_path.iterdir()) == []


def _wait(session, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while session.running and time.monotonic() < deadline:
        time.sleep(0.05)
    session.poll()


def test_scores_stay_out_of_everything_a_free_result_shows():
    """Graded reps, recorded through the tracker's gate with the form score off: no reader sees a score."""
    import numpy as np

    import synth
    from posetracker.analysis import replay
    from posetracker.charts import signal_figure
    from posetracker.tools.posecache import PoseTrack
    from posetracker.pipeline import summary_event

    poses = synth.render("squat", synth.schedule(2, 2.0), synth.Camera("side"), synth.CLEAN)
    track = PoseTrack(np.array([t for _, t in poses]), [p for p, _ in poses], 640, 480, 30.0)
    graded = replay(track, Options(exercise="squat", mode=Mode.UPLOAD), "movenet")
    assert graded.reps == 2 and graded.reps_detail[0].score is not None
    result = replay(track, Options(exercise="squat", mode=Mode.UPLOAD, form_score=False), "movenet")
    assert result.reps == 2 and all(r.score is None and r.grade is None for r in result.reps_detail)
    assert result.to_dict()["reps_detail"][0]["grade"] is None and result.avg_score is None
    summary = summary_event(result)
    assert not any(summary["grades"].values()) and summary["avg_score"] is None
    hover = next(t for t in signal_figure(result).data if t.name == "reps").text[0]
    assert "score" not in hover


def test_session_registry_closes_sessions_gone_longer_than_the_grace(tmp_path):
    from posetracker.upload_session import SessionRegistry

    alive = {"a": True, "b": True, "camera": True}
    ended = []
    registry = SessionRegistry(lambda sid: alive[sid], grace_s=10.0, interval_s=3600, root=tmp_path,
                               end_session=ended.append)
    a, b = registry.get("a"), registry.get("b")
    registry.watch("camera")  # a live session: nothing uploaded, but its end must be noticed
    assert registry.get("a") is a and len(registry) == 3
    alive["b"] = alive["camera"] = False
    t0 = time.monotonic()
    assert registry.sweep(t0 + 5) == [], "a short disconnection keeps the session and its result"
    assert ended == []
    assert sorted(registry.sweep(t0 + 11)) == ["b", "camera"]
    assert not b.workspace.path.exists() and a.workspace.path.exists()
    assert sorted(ended) == ["b", "camera"] and len(registry) == 1, "the server is told to shut both down"
    assert registry.sweep(t0 + 30) == [] and ended.count("b") == 1
    registry.close()
    assert not a.workspace.path.exists()
