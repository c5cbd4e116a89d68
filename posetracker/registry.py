"""The model registry: which weight files exist, where they live, how to fetch and verify them."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from posetracker.errors import PoseTrackerError

_PROJECT_MODELS = Path(__file__).resolve().parent.parent / "models"
MANIFEST_PATH = _PROJECT_MODELS / "manifest.json"
MODELS_DIR_ENV = "POSETRACKER_MODELS_DIR"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    title: str
    file: str | None
    sha256: str | None
    url: str | None
    licence: str
    bundled: bool

    @property
    def path(self) -> Path | None:
        return None if self.file is None else models_dir() / self.file

    def installed(self) -> bool:
        return self.bundled or (self.path is not None and self.path.is_file())


def models_dir() -> Path:
    """Where weight files are looked up: `$POSETRACKER_MODELS_DIR`, else the project's `models/` folder."""
    return Path(os.environ.get(MODELS_DIR_ENV) or _PROJECT_MODELS)


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, ModelEntry]:
    data = json.loads(Path(path).read_text())
    return {m["name"]: ModelEntry(**m) for m in data["models"]}


def get_entry(name: str) -> ModelEntry:
    entries = load_manifest()
    if name not in entries:
        raise PoseTrackerError("unknown_model", f"Unknown model {name!r}. Known models: {', '.join(sorted(entries))}.")
    return entries[name]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(entry: ModelEntry, path: Path | None = None) -> Path:
    """Return the verified weight file of `entry`, or raise a PoseTrackerError saying what to do."""
    path = path or entry.path
    if path is None or not path.is_file():
        raise PoseTrackerError(
            "model_not_installed",
            f"The {entry.name} weights are not installed (looked for {entry.file} in {models_dir()}). "
            f"Run `posetracker models fetch {entry.name}` or set {MODELS_DIR_ENV} to a folder that has them.",
        )
    actual = sha256_of(path)
    if actual != entry.sha256:
        raise PoseTrackerError(
            "model_checksum_mismatch",
            f"{path.name} does not match its published checksum (expected {entry.sha256[:12]}…, got "
            f"{actual[:12]}…). Delete it and run `posetracker models fetch {entry.name}` again.",
        )
    return path


def fetch(name: str, dest_dir: Path | None = None, timeout: float = 30.0) -> Path | None:
    """Download a model from its official URL into `dest_dir`, verify it, and move it into place atomically.

    Returns the installed file, or None for a model bundled with its package (nothing to download).
    """
    entry = get_entry(name)
    if entry.bundled:
        return None
    dest_dir = Path(dest_dir or models_dir())
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / entry.file
    if target.is_file() and sha256_of(target) == entry.sha256:
        return target
    fd, tmp_name = tempfile.mkstemp(prefix=".download-", dir=dest_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(entry.url, timeout=timeout) as response:
            for block in iter(lambda: response.read(1 << 16), b""):
                out.write(block)
        verify(entry, tmp)
        tmp.replace(target)
    except (urllib.error.URLError, OSError) as exc:
        raise PoseTrackerError(
            "model_download_failed",
            f"Could not download {entry.name} from {entry.url} ({getattr(exc, 'reason', exc)}). "
            "Check the internet connection, or copy the file there by hand and run the command again.",
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target
