"""Checking uploads: the real type from the bytes, plan limits, odd files, names never used as paths, workspaces."""
from __future__ import annotations

import gc
import io
from dataclasses import replace

import numpy as np
import pytest

from media_factory import two_tone, write_audio_only, write_clip
from posetracker.errors import PoseTrackerError
from posetracker.inputs import MediaKind, Workspace, check_media, display_name, sniff, store_upload
from posetracker.plans import PLANS

FREE = PLANS["free"]


@pytest.fixture
def small_clip(tmp_path):
    return write_clip(tmp_path / "clip.mp4", [two_tone(64, 64)] * 5)


def _png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(two_tone(32, 32)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("head,kind,ext", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", MediaKind.IMAGE, "jpg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", MediaKind.IMAGE, "png"),
    (b"\x00\x00\x00\x20ftypisom", MediaKind.VIDEO, "mp4"),
    (b"\x00\x00\x00\x14ftypqt  ", MediaKind.VIDEO, "mp4"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", MediaKind.VIDEO, "webm"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", MediaKind.VIDEO, "mkv"),
    (b"RIFF\x00\x00\x00\x00AVI LIST", MediaKind.VIDEO, "avi"),
])
def test_sniff_knows_the_types_we_accept(head, kind, ext):
    media = sniff(head)
    assert media is not None and media.kind is kind and media.extension == ext


@pytest.mark.parametrize("head", [b"", b"GIF89a....", b"%PDF-1.7", bytes(range(64)), b"RIFF\x00\x00\x00\x00WAVEfmt "])
def test_sniff_refuses_everything_else(head):
    assert sniff(head) is None


def test_a_real_clip_passes(tmp_path, small_clip):
    upload = store_upload(small_clip.read_bytes(), "My Clip.MOV", FREE, tmp_path)
    assert upload.kind is MediaKind.VIDEO and upload.path == tmp_path / "input.mp4"
    assert upload.duration_s == pytest.approx(0.2, abs=0.05) and upload.notice is None


@pytest.mark.parametrize("name", ["../../x.mp4", "/etc/passwd.mp4", "a\x00b\x1b[31m.mp4", "..\\..\\evil.mp4",
                                  "\u202eevil.mp4", "x" * 500 + ".mp4"])
def test_a_users_file_name_is_never_a_path(tmp_path, small_clip, name):
    folder = tmp_path / "session"
    folder.mkdir()
    upload = store_upload(small_clip.read_bytes(), name, FREE, folder)
    assert [p.name for p in folder.iterdir()] == ["input.mp4"]
    assert "/" not in upload.name and "\\" not in upload.name
    assert all(ord(c) >= 32 for c in upload.name) and len(upload.name) <= 80
    assert not (tmp_path / "x.mp4").exists()


def test_display_name():
    assert display_name("../../x.mp4") == "x.mp4"
    assert display_name("C:\\Users\\me\\squat.mov") == "squat.mov"
    assert display_name("a\x00b\x07c.mp4") == "abc.mp4"
    assert display_name("") == "upload" and display_name(None) == "upload"


def _refused(data: bytes, name: str, tmp_path, plan=FREE) -> PoseTrackerError:
    folder = tmp_path / "f"
    folder.mkdir(exist_ok=True)
    with pytest.raises(PoseTrackerError) as raised:
        store_upload(data, name, plan, folder)
    assert list(folder.iterdir()) == [], "a refused upload leaves nothing behind"
    return raised.value


def test_zero_byte_file(tmp_path):
    error = _refused(b"", "empty.mp4", tmp_path)
    assert error.code == "video_load_error" and "empty" in error.message


def test_random_bytes_named_mp4(tmp_path):
    error = _refused(np.random.default_rng(1).bytes(4096), "random.mp4", tmp_path)
    assert error.code == "video_load_error" and "Use MP4" in error.message


def test_random_bytes_after_an_mp4_header(tmp_path):
    data = b"\x00\x00\x00\x18ftypmp42" + np.random.default_rng(2).bytes(4096)
    assert _refused(data, "broken.mp4", tmp_path).code in ("video_load_error", "media_decode_error")


def test_a_truncated_clip_is_refused_or_analysed_with_a_notice(tmp_path, clip):
    from posetracker.options import Mode, Options
    from posetracker.pipeline import analyze_video

    data = clip("dollarpy_pushup5.mp4").read_bytes()  # 172 frames, its index at the front
    try:
        upload = store_upload(data[: len(data) // 3], "cut.mp4", FREE, tmp_path)
    except PoseTrackerError as error:
        assert error.code in ("video_load_error", "media_decode_error")
        return
    result = analyze_video(upload.path, Options(exercise="push_up", mode=Mode.UPLOAD))
    assert 0 < result.frames < 172
    assert any("ended early" in n for n in result.notices), result.notices


def test_an_audio_only_file(tmp_path):
    data = write_audio_only(tmp_path / "tone.m4a").read_bytes()
    error = _refused(data, "song.mp4", tmp_path)
    assert error.code == "video_load_error" and "no video stream" in error.message


def test_a_png_named_mp4_is_analysed_as_the_image_it_is(tmp_path):
    upload = store_upload(_png_bytes(), "holiday.mp4", FREE, tmp_path)
    assert upload.kind is MediaKind.IMAGE and upload.path.name == "input.png"
    assert "PNG image" in upload.notice


def test_a_one_frame_video_passes(tmp_path):
    src = write_clip(tmp_path / "one.mp4", [two_tone(64, 64)])
    assert store_upload(src.read_bytes(), "one.mp4", FREE, tmp_path / "..").kind is MediaKind.VIDEO


def test_size_limit_per_plan(tmp_path, small_clip):
    tiny = replace(FREE, max_upload_mb=0)
    error = _refused(small_clip.read_bytes(), "clip.mp4", tmp_path, plan=tiny)
    assert error.code == "upload_too_large" and error.details["plan"] == "free"


def test_duration_limit_per_plan(tmp_path):
    src = write_clip(tmp_path / "long.mp4", [two_tone(32, 32)] * 40, fps=10)  # 4 s
    short = replace(FREE, max_upload_seconds=2)
    error = _refused(src.read_bytes(), "long.mp4", tmp_path, plan=short)
    assert error.code == "video_too_long" and "2 s" in error.message
    assert check_media(src, FREE).duration_s == pytest.approx(4.0, abs=0.15)


def test_workspace_replaces_the_previous_analysis_and_cleans_up(tmp_path):
    workspace = Workspace(tmp_path)
    first = workspace.new_analysis()
    (first / "input.mp4").write_bytes(b"x")
    second = workspace.new_analysis()
    assert not first.exists() and second.is_dir()
    workspace.close()
    assert not workspace.path.exists() and workspace.closed


def test_workspace_is_removed_when_the_session_drops_it(tmp_path):
    workspace = Workspace(tmp_path)
    (workspace.new_analysis() / "export.mp4").write_bytes(b"x")
    path = workspace.path
    del workspace
    gc.collect()
    assert not path.exists()
