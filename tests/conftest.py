"""Shared fixtures: the acceptance clips and model files beside the project (`../shared`), when present."""
from __future__ import annotations

import json
import os
from pathlib import Path

import hypothesis
import pytest

from browser_support import (  # noqa: F401 - fixtures for the real-browser tests
    _playwright, _session_app_server, app_server, artifacts_dir, fake_camera, launch_browser, start_app,
)

PROJECT = Path(__file__).resolve().parent.parent
# ../shared beside the project; POSETRACKER_SHARED_DIR points elsewhere (e.g. a fresh clone in another folder).
SHARED = Path(os.environ.get("POSETRACKER_SHARED_DIR") or PROJECT.parent / "shared").resolve()
TESTDATA = SHARED / "testdata"
VIDEOS = TESTDATA / "videos"
LABELS = TESTDATA / "labels.json"
SHARED_MODELS = SHARED / "models"

# Property tests explore new examples on every local run, but CI runs the same ones every time (a failure there
# must not come and go with the random seed; the explicit @example cases keep what was once found).
hypothesis.settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    hypothesis.settings.load_profile("ci")

if "POSETRACKER_MODELS_DIR" not in os.environ and SHARED_MODELS.is_dir():
    os.environ["POSETRACKER_MODELS_DIR"] = str(SHARED_MODELS)


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} missing at {path}: CI must run with ../shared beside the project")
        pytest.skip(f"{what} not found at {path} (only development and CI machines have ../shared)")
    return path


@pytest.fixture(scope="session")
def videos_dir() -> Path:
    return _require(VIDEOS, "acceptance clips")


@pytest.fixture(scope="session")
def labels() -> list[dict]:
    return json.loads(_require(LABELS, "clip labels").read_text())


@pytest.fixture(scope="session")
def clip(videos_dir):
    """clip("name.mp4") -> Path of a real acceptance clip."""
    return lambda name: videos_dir / name


@pytest.fixture(scope="session")
def movenet_installed() -> None:
    from posetracker.registry import get_entry

    if not get_entry("movenet").installed():
        _require(Path("/nonexistent-movenet-weights"), "MoveNet weights")


@pytest.fixture(autouse=True)
def _main_module_stays_as_it_was():
    """Streamlit's AppTest runs a page as the process's `__main__` and does not always put it back; worker processes
    spawned by a later test (batch runs) re-import `__main__` and would then run that page and die."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def pose_cache(tmp_path_factory):
    """One model pass per clip and model for the whole session, shared by the eval floor and the reference judge
    (POSETRACKER_POSE_CACHE reuses a folder)."""
    return os.environ.get("POSETRACKER_POSE_CACHE") or tmp_path_factory.mktemp("posecache")
