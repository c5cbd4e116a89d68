"""The session registry's closer, which hands `close_session` to the server's event loop from the sweeper thread."""
from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace


def _server(loop, closed: list[str]):
    return SimpleNamespace(_get_async_objs=lambda: SimpleNamespace(eventloop=loop), close_session=closed.append)


def test_the_closer_runs_close_session_on_the_servers_loop():
    from pages._shared import _session_closer

    loop = asyncio.new_event_loop()
    closed: list[str] = []
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    try:
        _session_closer(_server(loop, closed))("abc")
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop).result(5)
        assert closed == ["abc"]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        runner.join(5)
        loop.close()


def test_a_sweep_while_the_server_shuts_down_is_not_an_error():
    """The server's loop closes before the sweeper thread stops (seen as 'Event loop is closed' tracebacks in the
    log of a server stopped right after its sessions ended): the sessions go with the server, nothing raises."""
    from pages._shared import _session_closer
    from posetracker.upload_session import SessionRegistry

    loop = asyncio.new_event_loop()
    loop.close()
    closed: list[str] = []
    closer = _session_closer(_server(loop, closed))
    closer("abc")  # no RuntimeError
    registry = SessionRegistry(lambda _id: False, grace_s=0.0, interval_s=3600, end_session=closer)
    registry.watch("abc")
    assert registry.sweep() == ["abc"] and closed == []
