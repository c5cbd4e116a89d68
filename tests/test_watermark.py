"""The plan decides the export's watermark, through the Upload page's own call (`analyze_upload`): Free's
exports carry it, Developer's and Business's do not."""
from __future__ import annotations

import numpy as np
import pytest

from posetracker.pipeline import analyze_upload
from posetracker.settings import Settings

W, H = 320, 180


def _corner(image: np.ndarray) -> np.ndarray:
    return image[H - 16:H - 2, W - 90:W - 2].astype(int)  # where WatermarkAnnotator draws (bottom right)


def _export_first_frame(plan: str, tmp_path) -> tuple[np.ndarray, np.ndarray]:
    from media_factory import read_frames, write_clip

    source = [np.full((H, W, 3), 90, np.uint8) for _ in range(10)]
    clip = write_clip(tmp_path / "clip.mp4", source)
    out = tmp_path / plan
    out.mkdir()
    result = analyze_upload(clip, Settings.defaults_for(plan, exercise="squat", export=True), out)
    return read_frames(result.files["video"])[3].image, source[3]


def _marked(exported: np.ndarray, source: np.ndarray) -> bool:
    return float(np.abs(_corner(exported) - _corner(source)).mean()) > 8


def test_a_free_export_carries_the_watermark(tmp_path):
    exported, source = _export_first_frame("free", tmp_path)
    assert _marked(exported, source)


@pytest.mark.parametrize("plan", ["developer", "business"])
def test_a_paid_export_has_no_watermark(plan, tmp_path):
    exported, source = _export_first_frame(plan, tmp_path)
    assert not _marked(exported, source)
