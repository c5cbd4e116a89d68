"""Where references live: one SQLite database in the data folder, safe with many sessions and processes.

    store = ReferenceStore()                 # $POSETRACKER_DATA_DIR/references.sqlite3, or the per-user default
    ref = store.add("My squat", owner, signature)
    store.get(ref.id).signature

Every write is one `BEGIN IMMEDIATE` transaction in WAL mode, so writers from several processes queue instead of
failing, and a process killed mid-write leaves the last committed state. The schema carries a version
(`PRAGMA user_version`) and is migrated forward in a transaction. A database that is damaged, or written by a
newer PoseTracker, is refused with `reference_store_error` and never written to.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from posetracker.errors import PoseTrackerError
from posetracker.reference.signature import Signature

DATA_DIR_ENV = "POSETRACKER_DATA_DIR"
DB_NAME = "references.sqlite3"
BUSY_TIMEOUT_S = 30.0
_HEADER = b"SQLite format 3\x00"

# Schema version N is reached by running MIGRATIONS[N] on version N-1. Append, never edit, a migration.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: ("CREATE TABLE reference (id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, "
        "created_at REAL NOT NULL, duration_s REAL NOT NULL, signature TEXT NOT NULL)",),
    2: ("ALTER TABLE reference ADD COLUMN source TEXT",
        "CREATE INDEX reference_owner ON reference (owner, created_at)"),
}
SCHEMA_VERSION = max(MIGRATIONS)


def data_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """$POSETRACKER_DATA_DIR, else the platform's per-user data folder (XDG on Linux)."""
    if environ.get(DATA_DIR_ENV):
        return Path(environ[DATA_DIR_ENV]).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "posetracker"


@dataclass(frozen=True)
class Reference:
    id: str
    name: str
    owner: str        # "plan:<id>" or "token:<hash>": who made it (never the token itself)
    created_at: float
    duration_s: float
    signature: Signature
    source: dict | None = None  # {clip, start_s, end_s} it was made from

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "duration_s": round(self.duration_s, 3),
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created_at)),
                "moving_parts": list(self.signature.moving_parts), "source": self.source}


def store_error(path: Path, why: str) -> PoseTrackerError:
    return PoseTrackerError("reference_store_error", f"The reference database {path} {why}. Nothing in it was "
                            "changed. Restore it from a backup, or set POSETRACKER_DATA_DIR to another folder.",
                            {"path": str(path)})


class ReferenceStore:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / DB_NAME
        self._checked = False

    # -- public ---------------------------------------------------------------------------------------------
    def add(self, name: str, owner: str, signature: Signature, source: dict | None = None) -> Reference:
        name = " ".join(str(name).split())[:80]
        if not name:
            raise PoseTrackerError("reference_invalid", "Give the reference a name.", {"reason": "no_name"})
        ref = Reference(str(uuid.uuid4()), name, owner, time.time(), signature.duration_s, signature, source)
        with self._write() as con:
            con.execute("INSERT INTO reference (id, name, owner, created_at, duration_s, signature, source) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (ref.id, ref.name, ref.owner, ref.created_at, ref.duration_s,
                         json.dumps(signature.to_json()), None if source is None else json.dumps(source)))
        return ref

    def get(self, ref_id: str) -> Reference:
        with self._read() as con:
            row = con.execute(f"SELECT {_COLUMNS} FROM reference WHERE id = ?", (str(ref_id).strip(),)).fetchone()
        if row is None:
            raise not_found(ref_id)
        return _reference(row)

    def list(self, owner: str | None = None) -> list[Reference]:
        if not self.path.exists():
            return []
        with self._read() as con:
            where, args = ("WHERE owner = ?", (owner,)) if owner else ("", ())
            rows = con.execute(f"SELECT {_COLUMNS} FROM reference {where} ORDER BY created_at", args).fetchall()
        return [_reference(r) for r in rows]

    def delete(self, ref_id: str, owner: str | None = None) -> None:
        """Remove a reference; only its owner may (another owner's id reads as not found)."""
        with self._write() as con:
            sql, args = "DELETE FROM reference WHERE id = ?", [str(ref_id).strip()]
            if owner:
                sql, args = sql + " AND owner = ?", args + [owner]
            if con.execute(sql, args).rowcount == 0:
                raise not_found(ref_id)

    # -- connections ----------------------------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, f"cannot be read ({exc})") from None
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")  # take the write lock now: concurrent writers wait, none fails
            yield con
            con.execute("COMMIT")
        except BaseException as exc:
            if con.in_transaction:
                con.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise store_error(self.path, f"cannot be written ({exc})") from None
            raise
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        exists = self.path.exists() and self.path.stat().st_size > 0
        if exists:
            with open(self.path, "rb") as f:  # before SQLite touches it: a foreign file must not become a database
                if f.read(len(_HEADER)) != _HEADER:
                    raise store_error(self.path, "is not a PoseTracker database (damaged, or another file)")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise store_error(self.path, f"cannot be opened ({exc})") from None
        try:
            self._prepare(con)
        except BaseException as exc:
            con.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise store_error(self.path, f"is damaged ({exc})") from None
            raise
        return con

    def _prepare(self, con: sqlite3.Connection) -> None:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        _refuse_newer(self.path, version)
        if not self._checked and version:
            result = con.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise store_error(self.path, f"is damaged ({result})")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = FULL")  # a committed reference survives a power cut too
        if version < SCHEMA_VERSION:
            self._migrate(con)
        self._checked = True

    def _migrate(self, con: sqlite3.Connection) -> None:
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
            _refuse_newer(self.path, version)
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for sql in MIGRATIONS[step]:
                    con.execute(sql)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


_COLUMNS = "id, name, owner, created_at, duration_s, signature, source"


def _reference(row) -> Reference:
    ref_id, name, owner, created, duration, signature, source = row
    return Reference(ref_id, name, owner, created, duration, Signature.from_json(json.loads(signature)),
                     None if source is None else json.loads(source))


def _refuse_newer(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise store_error(path, f"was written by a newer PoseTracker (schema {version}; this one reads up to "
                          f"{SCHEMA_VERSION}). Upgrade PoseTracker to use it")


def not_found(ref_id: str) -> PoseTrackerError:
    shown = str(ref_id)[:64]
    return PoseTrackerError("reference_not_found", f"No reference with id {shown!r}. List them with "
                            "`posetracker reference list` (or on the Upload page), or make one.", {"id": shown})
