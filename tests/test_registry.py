"""The model registry: manifest, checksum verification, fetching (never from the real network), fallback."""
from __future__ import annotations

import io
import urllib.error
from dataclasses import replace

import pytest

from posetracker import registry
from posetracker.errors import PoseTrackerError
from posetracker.estimators import resolve_model


@pytest.fixture
def empty_models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(registry.MODELS_DIR_ENV, str(tmp_path))
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable (test)")

    monkeypatch.setattr(registry.urllib.request, "urlopen", refuse)


def test_manifest_lists_movenet_with_checksum_url_and_licence_and_bundled_blazepose():
    entries = registry.load_manifest()
    movenet = entries["movenet"]
    assert len(movenet.sha256) == 64 and int(movenet.sha256, 16) >= 0
    assert movenet.url.startswith("https://") and movenet.file.endswith(".tflite")
    assert movenet.licence == "Apache-2.0" and not movenet.bundled
    assert entries["blazepose"].bundled and entries["blazepose"].installed()


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(PoseTrackerError) as err:
        registry.get_entry("yolo")
    assert err.value.code == "unknown_model"
    assert "blazepose" in err.value.message and "movenet" in err.value.message


def test_missing_weights_say_how_to_fetch_them(empty_models_dir):
    with pytest.raises(PoseTrackerError) as err:
        registry.verify(registry.get_entry("movenet"))
    assert err.value.code == "model_not_installed"
    assert "posetracker models fetch movenet" in err.value.message


def test_checksum_mismatch_is_a_clear_error(empty_models_dir):
    entry = registry.get_entry("movenet")
    (empty_models_dir / entry.file).write_bytes(b"not a model")
    with pytest.raises(PoseTrackerError) as err:
        registry.verify(entry)
    assert err.value.code == "model_checksum_mismatch"
    assert "Delete it" in err.value.message and "posetracker models fetch movenet" in err.value.message


def test_installed_weights_verify(movenet_installed):
    assert registry.verify(registry.get_entry("movenet")).is_file()


def test_fetch_offline_fails_clearly_and_leaves_nothing_behind(empty_models_dir, no_network):
    with pytest.raises(PoseTrackerError) as err:
        registry.fetch("movenet")
    assert err.value.code == "model_download_failed"
    assert "internet connection" in err.value.message
    assert list(empty_models_dir.iterdir()) == []


def test_fetch_from_an_unreachable_url_fails_clearly(empty_models_dir, monkeypatch):
    bogus = replace(registry.get_entry("movenet"), url="http://127.0.0.1:9/no-such-model.tflite")
    monkeypatch.setattr(registry, "get_entry", lambda name: bogus)
    with pytest.raises(PoseTrackerError) as err:
        registry.fetch("movenet", timeout=5)
    assert err.value.code == "model_download_failed"
    assert list(empty_models_dir.iterdir()) == []


def test_a_corrupt_download_is_rejected_and_not_installed(empty_models_dir, monkeypatch):
    monkeypatch.setattr(registry.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"truncated"))
    with pytest.raises(PoseTrackerError) as err:
        registry.fetch("movenet")
    assert err.value.code == "model_checksum_mismatch"
    assert list(empty_models_dir.iterdir()) == []


def test_fetch_keeps_a_verified_file_without_downloading(movenet_installed, tmp_path, monkeypatch, no_network):
    entry = registry.get_entry("movenet")
    (tmp_path / entry.file).write_bytes(entry.path.read_bytes())
    assert registry.fetch("movenet", dest_dir=tmp_path) == tmp_path / entry.file


def test_bundled_models_need_no_download(no_network):
    assert registry.fetch("blazepose") is None


def test_cli_fetch_offline_exits_2_with_the_error_code(empty_models_dir, no_network, capsys):
    from posetracker.cli import main

    assert main(["models", "fetch", "movenet"]) == 2
    assert capsys.readouterr().err.startswith("error: model_download_failed: ")


def test_without_movenet_weights_the_app_falls_back_to_blazepose_and_says_how_to_fix_it(empty_models_dir):
    model, notice = resolve_model("movenet")
    assert model == "blazepose"
    assert "posetracker models fetch movenet" in notice


def test_with_movenet_weights_there_is_no_fallback(movenet_installed):
    assert resolve_model(None) == ("movenet", None)
    assert resolve_model("blazepose") == ("blazepose", None)
