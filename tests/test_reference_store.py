"""The reference store for real: SQLite on disk, two processes writing at once, a SIGKILL mid-write, migrations,
and databases it must refuse (damaged, newer schema) without changing a byte."""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import synth
from posetracker.errors import ERRORS, PoseTrackerError
from posetracker.reference import build_signature, store as store_mod
from posetracker.reference.store import DB_NAME, SCHEMA_VERSION, ReferenceStore, data_dir

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def signature():
    seq = synth.perform("squat", reps=1, view="side", seed=1)
    return build_signature([p for p, _ in seq], [t for _, t in seq], 1.4, 3.6)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_add_get_list_delete_round_trip(tmp_path, signature):
    store = ReferenceStore(tmp_path / DB_NAME)
    a = store.add("  My   squat ", "plan:business", signature, {"clip": "a.mp4", "start_s": 1.4, "end_s": 3.6})
    b = store.add("Other", "token:abc", signature)
    got = store.get(a.id)
    assert got.name == "My squat" and got.source["clip"] == "a.mp4"
    assert np.allclose(np.nan_to_num(got.signature.template), np.nan_to_num(signature.template), atol=1e-4)
    assert got.signature.moving_parts == signature.moving_parts
    assert [r.id for r in store.list()] == [a.id, b.id]
    assert [r.id for r in store.list("token:abc")] == [b.id]
    with pytest.raises(PoseTrackerError) as exc:
        store.delete(a.id, owner="token:abc")  # another owner's reference reads as not found
    assert exc.value.code == "reference_not_found"
    store.delete(a.id, owner="plan:business")
    with pytest.raises(PoseTrackerError) as exc:
        store.get(a.id)
    assert exc.value.code == "reference_not_found" and "reference_not_found" in ERRORS
    with pytest.raises(PoseTrackerError) as exc:
        store.add("   ", "plan:business", signature)
    assert exc.value.code == "reference_invalid"


def test_data_dir_follows_the_environment_and_defaults_per_user(tmp_path):
    assert data_dir({"POSETRACKER_DATA_DIR": str(tmp_path)}) == tmp_path
    default = data_dir({})
    assert default.name == "posetracker" and str(Path.home()) in str(default)
    assert data_dir({"XDG_DATA_HOME": str(tmp_path)}) in (tmp_path / "posetracker", default)


def test_a_version_1_database_is_migrated_and_keeps_its_rows(tmp_path, signature):
    import json

    path = tmp_path / DB_NAME
    con = sqlite3.connect(path)
    for sql in store_mod.MIGRATIONS[1]:
        con.execute(sql)
    con.execute("INSERT INTO reference VALUES ('11111111-1111-4111-8111-111111111111', 'Old', 'plan:business', 1.0, "
                "1.2, ?)", (json.dumps(signature.to_json()),))
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    store = ReferenceStore(path)
    old = store.get("11111111-1111-4111-8111-111111111111")
    assert old.name == "Old" and old.source is None
    store.add("New", "plan:business", signature, {"clip": "b.mp4"})
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM reference").fetchone()[0] == 2
    con.close()


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path, signature):
    path = tmp_path / DB_NAME
    ReferenceStore(path).add("Mine", "plan:business", signature)
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = digest(path)
    for action in (lambda s: s.list(), lambda s: s.add("x", "plan:business", signature), lambda s: s.get("x")):
        with pytest.raises(PoseTrackerError) as exc:
            action(ReferenceStore(path))
        assert exc.value.code == "reference_store_error" and "newer PoseTracker" in exc.value.message
    assert digest(path) == before


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100,
                                     b"SQLite format 3\x00" + os.urandom(4096)])
def test_a_damaged_database_is_refused_and_left_untouched(tmp_path, signature, content):
    path = tmp_path / DB_NAME
    path.write_bytes(content)
    for action in (lambda s: s.list(), lambda s: s.add("x", "plan:business", signature)):
        with pytest.raises(PoseTrackerError) as exc:
            action(ReferenceStore(path))
        assert exc.value.code == "reference_store_error" and "Nothing in it was changed" in exc.value.message
    assert path.read_bytes() == content
    assert not (tmp_path / f"{DB_NAME}-wal").exists() or (tmp_path / f"{DB_NAME}-wal").stat().st_size == 0


WRITER = """
import sys
import synth
from posetracker.reference import build_signature
from posetracker.reference.store import ReferenceStore
seq = synth.perform("squat", reps=1, view="side", seed=1)
sig = build_signature([p for p, _ in seq], [t for _, t in seq], 1.4, 3.6)
store = ReferenceStore(sys.argv[1])
for i in range(int(sys.argv[2])):
    ref = store.add(f"{sys.argv[3]}-{i}", "plan:business", sig)
    print(ref.id, flush=True)
"""


def _writer(path: Path, n: int, tag: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT), str(PROJECT / "tests")])}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n), tag], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / DB_NAME
    procs = [_writer(path, 40, tag) for tag in ("a", "b")]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    ids = [line for out, _ in outputs for line in out.split()]
    assert len(ids) == 80 == len(set(ids))
    stored = ReferenceStore(path).list()
    assert sorted(r.id for r in stored) == sorted(ids)
    assert {r.name for r in stored} == {f"{t}-{i}" for t in "ab" for i in range(40)}


def test_a_process_killed_mid_write_leaves_a_readable_database(tmp_path):
    path = tmp_path / DB_NAME
    proc = _writer(path, 100000, "k")
    acknowledged = []
    deadline = time.monotonic() + 120
    while len(acknowledged) < 25 and time.monotonic() < deadline:  # let it get well into its writes
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)  # no chance to clean up: mid-transaction, mid-page write
    proc.wait(timeout=30)
    assert len(acknowledged) >= 25, proc.stderr.read()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    stored = {r.id for r in ReferenceStore(path).list()}
    assert set(acknowledged) <= stored  # every reference the writer was told was saved is there
    ReferenceStore(path).add("after the crash", "plan:business", ReferenceStore(path).get(acknowledged[0]).signature)
